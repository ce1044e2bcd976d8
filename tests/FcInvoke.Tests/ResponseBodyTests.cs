using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>FcResponseBody on its own: exact results, growth with what arrives, the limit, framing.</summary>
    public class ResponseBodyTests
    {
        /// <summary>A stream that hands out its bytes a few at a time and records the largest read asked for.</summary>
        private sealed class TrickleStream : MemoryStream
        {
            private readonly int _step;
            public TrickleStream(byte[] bytes, int step) : base(bytes) { _step = step; }
            public int LargestAsk { get; private set; }
            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct)
            {
                LargestAsk = Math.Max(LargestAsk, count);
                return base.ReadAsync(buffer, offset, Math.Min(count, _step), ct);
            }
        }

        private static readonly FcRequest Read = FcOperations.GetAsyncTask(new FcFunctionRef("f", null, null), "t");

        private static byte[] Bytes(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray();

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(65536)]
        [InlineData(65537)]
        [InlineData(5 * 1024 * 1024 + 3)]
        public async Task Returns_exactly_the_body_with_or_without_a_declared_length(int length)
        {
            var body = Bytes(length);
            Assert.Equal(body, await FcResponseBody.ReadAsync(new TrickleStream(body, 100_000), length, FcResponseLimits.Read, true, Read, CancellationToken.None));
            Assert.Equal(body, await FcResponseBody.ReadAsync(new TrickleStream(body, 100_000), null, FcResponseLimits.Read, true, Read, CancellationToken.None));
        }

        [Fact]
        public async Task The_buffer_never_outgrows_four_times_what_arrived()
        {
            // 7 MiB declared, only 100 KB sent: the largest read asked for stays near what arrived, not the claim.
            var stream = new TrickleStream(Bytes(100_000), 4096);
            await Assert.ThrowsAsync<FcFramingException>(() => FcResponseBody.ReadAsync(stream, 7 * 1024 * 1024, FcResponseLimits.Read, true, Read, CancellationToken.None));
            Assert.True(stream.LargestAsk <= FcResponseBody.MaxGrowthFactor * 100_000, $"asked for {stream.LargestAsk} bytes at once");
        }

        [Fact]
        public async Task An_error_body_keeps_only_its_start()
        {
            var body = Bytes(1024 * 1024);
            var kept = await FcResponseBody.ReadAsync(new TrickleStream(body, 8192), body.Length, FcResponseLimits.Read, false, Read, CancellationToken.None);
            Assert.Equal(FcResponseLimits.ErrorBodyKept, kept.Length);
            Assert.Equal(body.Take(kept.Length), kept);
        }

        [Fact]
        public async Task One_byte_past_the_limit_is_too_large()
        {
            var ex = await Assert.ThrowsAsync<FcResponseTooLargeException>(() =>
                FcResponseBody.ReadAsync(new TrickleStream(Bytes(1001), 64), null, 1000, true, Read, CancellationToken.None));
            Assert.Equal(1001, ex.Received);
            Assert.Equal(1000, ex.Limit);
            Assert.Equal("GetAsyncTask", ex.Action);
        }
    }
}
