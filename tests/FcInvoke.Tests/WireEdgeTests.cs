using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;
using FcInvoke.TestFixtures;
using Xunit;
using Xunit.Abstractions;

namespace FcInvoke.Tests
{
    /// <summary>
    /// The transport against a server that answers with chosen bytes (tests/fixtures/RawHttpFixture.cs), over the module's
    /// own HttpClient (FcHttp.Client, the real handler chain): how many requests reach the wire, framing that cannot be
    /// trusted, bodies past their limit, stalled reads. Every test ends within its bound; none sleeps.
    /// </summary>
    [CollectionDefinition(nameof(WireEdgeTests), DisableParallelization = true)]
    public class WireEdgeCollection { }

    /// <remarks>Alone in its collection: the memory figures are process-wide allocation counts.</remarks>
    [Collection(nameof(WireEdgeTests))]
    public class WireEdgeTests
    {
        private const string Task = "{\"taskId\":\"t\",\"status\":\"Running\"}";
        private readonly ITestOutputHelper _output;

        public WireEdgeTests(ITestOutputHelper output) { _output = output; }

        internal static FcClient ClientFor(RawHttpFixture fixture) =>
            new FcClient(new FcConnection(FcEndpoint.FromUri(fixture.Endpoint), "1", "cn-hangzhou",
                new StaticCredentialProvider(new FcCredential("AK", "SECRET", null, null, "Test"))));

        private static FcCallOptions Retries(int max, TimeSpan? attempt = null) => new FcCallOptions
        {
            Retry = new FcRetryPolicy(max, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)),
            AttemptTimeout = attempt,
        };

        private static FcRequest Read() => FcOperations.GetAsyncTask(new FcFunctionRef("f", null, null), "t");
        private static FcRequest List() => FcOperations.ListAsyncTasks(new FcFunctionRef("f", null, null));
        private static FcRequest SyncInvoke() =>
            FcInvocation.BuildRequest(new FcInvocationSpec { Function = new FcFunctionRef("f", null, null), Body = FcRequestBody.FromBytes(new byte[] { 1 }) });

        // ---- One request on the wire per attempt: the handler never resends by itself. ----

        [Fact]
        public void Without_the_module_the_runtime_handler_resends_a_bodyless_GET_by_itself()
        {
            // Why FcHttp has SingleAttemptHandler: a plain SocketsHttpHandler sends a GET up to 4 times, same bytes each time.
            using var fixture = new RawHttpFixture(RawReply.Drop());
            using var plain = new HttpClient(new SocketsHttpHandler());
            Assert.ThrowsAny<HttpRequestException>(() => plain.GetAsync(fixture.Endpoint).GetAwaiter().GetResult());
            _output.WriteLine($"plain SocketsHttpHandler: {fixture.RequestCount} requests for one GET");
            Assert.True(fixture.RequestCount > 1, $"expected hidden resends, saw {fixture.RequestCount}");
        }

        [Fact]
        public async Task MaxRetries_0_is_one_request_on_the_wire_when_the_connection_drops_before_the_answer()
        {
            using var fixture = new RawHttpFixture(RawReply.Drop());
            var ex = await Assert.ThrowsAsync<FcTransportException>(() => ClientFor(fixture).SendAsync(Read(), Retries(0), null, CancellationToken.None));
            Assert.Equal(1, fixture.RequestCount);
            Assert.Contains("GetAsyncTask", ex.Message);
        }

        [Fact]
        public async Task A_pooled_connection_that_drops_is_not_resent_by_the_handler_either()
        {
            // The first answer keeps the connection alive; the second request goes over the pooled connection, which drops.
            using var fixture = new RawHttpFixture(RawReply.Http(200, Task), RawReply.Drop());
            var client = ClientFor(fixture);
            await client.SendAsync(Read(), Retries(0), null, CancellationToken.None);
            await Assert.ThrowsAsync<FcTransportException>(() => client.SendAsync(Read(), Retries(0), null, CancellationToken.None));
            Assert.Equal(2, fixture.RequestCount);
            Assert.Equal(1, fixture.Requests[1].Connection);
        }

        [Fact]
        public async Task Each_retry_of_a_dropped_read_is_one_request_signed_afresh()
        {
            using var fixture = new RawHttpFixture(RawReply.Drop());
            await Assert.ThrowsAsync<FcTransportException>(() => ClientFor(fixture).SendAsync(Read(), Retries(3), null, CancellationToken.None));
            Assert.Equal(4, fixture.RequestCount);
            Assert.Equal(4, fixture.Requests.Select(r => r.Nonce).Distinct().Count());
            Assert.All(fixture.Requests, r => Assert.Equal("0", r.Header("Content-Length")));
        }

        [Fact]
        public async Task A_dropped_sync_invocation_is_one_request()
        {
            using var fixture = new RawHttpFixture(RawReply.Drop());
            var ex = await Assert.ThrowsAsync<FcTransportException>(() => ClientFor(fixture).SendAsync(SyncInvoke(), Retries(3), null, CancellationToken.None));
            Assert.Equal(1, fixture.RequestCount);
            Assert.Contains("not retried, because the function may have run", ex.Message);
        }

        // ---- Framing: what the headers say and what arrives must agree. ----

        [Fact]
        public async Task Two_different_Content_Length_values_are_an_error_not_a_result()
        {
            using var fixture = new RawHttpFixture(RawReply.Raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 5\r\n\r\n0123456789"));
            var ex = await Assert.ThrowsAsync<FcTransportException>(() => ClientFor(fixture).SendAsync(SyncInvoke(), Retries(3), null, CancellationToken.None));
            Assert.Contains("two different lengths", ex.Message);
            Assert.Equal(1, fixture.RequestCount);
        }

        [Theory]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n0123456789", "not a length")]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "both a Content-Length and chunked")]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10, 12\r\n\r\n0123456789", "two different lengths")]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10, 10\r\n\r\n01234", "ended after 5 of the 10 bytes")]
        [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "cut after")]
        public async Task Invalid_or_conflicting_framing_is_an_error(string raw, string expected)
        {
            using var fixture = new RawHttpFixture(RawReply.Raw(raw));
            var ex = await Assert.ThrowsAsync<FcTransportException>(() => ClientFor(fixture).SendAsync(Read(), Retries(0), null, CancellationToken.None));
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public async Task Agreeing_duplicate_lengths_are_accepted()
        {
            using var fixture = new RawHttpFixture(RawReply.Raw("HTTP/1.1 200 OK\r\nContent-Length: 10, 10\r\n\r\n0123456789"));
            var response = await ClientFor(fixture).SendAsync(SyncInvoke(), Retries(0), null, CancellationToken.None);
            Assert.Equal("0123456789", System.Text.Encoding.ASCII.GetString(response.Body));
        }

        [Fact]
        public async Task A_body_shorter_than_declared_is_an_error_and_costs_memory_for_what_arrived_only()
        {
            // 30 MiB declared (within an invocation's limit), 10 bytes sent, then the connection closes.
            using var fixture = new RawHttpFixture(RawReply.Declaring(200, 30L * 1024 * 1024, 10, RawAfter.Close));
            var client = ClientFor(fixture);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var ex = await Assert.ThrowsAsync<FcTransportException>(() => client.SendAsync(SyncInvoke(), Retries(0), null, CancellationToken.None));
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            _output.WriteLine($"30 MiB declared, 10 bytes sent: {allocated:N0} bytes allocated by the process meanwhile");
            Assert.Contains("ended after 10 of the 31457280 bytes", ex.Message);
            Assert.True(allocated < 8L * 1024 * 1024, $"allocated {allocated:N0} bytes");
        }

        [Theory]
        [InlineData(512L * 1024 * 1024)]
        [InlineData(int.MaxValue)]
        [InlineData(long.MaxValue)]
        public async Task A_declared_length_past_the_limit_is_refused_before_reading(long declared)
        {
            using var fixture = new RawHttpFixture(RawReply.Declaring(200, declared, 10, RawAfter.Close));
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var ex = await Assert.ThrowsAsync<FcResponseTooLargeException>(() => ClientFor(fixture).SendAsync(SyncInvoke(), Retries(3), null, CancellationToken.None));
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            _output.WriteLine($"{declared:N0} declared: {allocated:N0} bytes allocated by the process meanwhile");
            Assert.Equal(declared, ex.DeclaredLength);
            Assert.Equal(FcResponseLimits.Invocation, ex.Limit);
            Assert.Equal(0, ex.Received);
            Assert.Contains("The function may have run", ex.Message);
            Assert.Equal(1, fixture.RequestCount); // too large is not retried
            Assert.True(allocated < 8L * 1024 * 1024, $"allocated {allocated:N0} bytes");
        }

        [Fact]
        public async Task A_body_without_a_length_that_runs_past_the_limit_stops_at_it()
        {
            using var fixture = new RawHttpFixture(RawReply.UntilClose(FcResponseLimits.Read + 1024 * 1024));
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var ex = await Assert.ThrowsAsync<FcResponseTooLargeException>(() => ClientFor(fixture).SendAsync(Read(), Retries(0), null, CancellationToken.None));
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            _output.WriteLine($"undeclared 9 MiB against an 8 MiB limit: {allocated:N0} bytes allocated");
            Assert.Null(ex.DeclaredLength);
            Assert.Equal(FcResponseLimits.Read + 1, ex.Received);
            Assert.True(allocated < 4 * FcResponseLimits.Read, $"allocated {allocated:N0} bytes");
        }

        [Fact]
        public async Task A_body_at_the_limit_is_kept_whole()
        {
            using var fixture = new RawHttpFixture(RawReply.UntilClose(FcResponseLimits.Read));
            var response = await ClientFor(fixture).SendAsync(Read(), Retries(0), null, CancellationToken.None);
            Assert.Equal(FcResponseLimits.Read, response.Body.Length);
        }

        [Fact]
        public async Task A_task_listing_may_be_larger_than_other_reads()
        {
            using var fixture = new RawHttpFixture(RawReply.Declaring(200, FcResponseLimits.Read + 1, (int)FcResponseLimits.Read + 1, RawAfter.KeepAlive));
            var response = await ClientFor(fixture).SendAsync(List(), Retries(0), null, CancellationToken.None);
            Assert.Equal(FcResponseLimits.Read + 1, response.Body.Length);
            await Assert.ThrowsAsync<FcResponseTooLargeException>(() => ClientFor(fixture).SendAsync(Read(), Retries(0), null, CancellationToken.None));
        }

        [Fact]
        public async Task Of_a_large_error_page_only_the_start_is_kept_and_the_message_is_one_short_line()
        {
            var page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><h1>502 Bad Gateway</h1>" +
                       string.Concat(Enumerable.Repeat("<p>upstream trouble</p>\n", 20000)) + "</body></html>";
            using var fixture = new RawHttpFixture(RawReply.Http(502, page, "text/html"));
            var response = await ClientFor(fixture).SendAsync(Read(), Retries(0), null, CancellationToken.None);
            Assert.Equal(502, response.StatusCode);
            Assert.Equal(FcResponseLimits.ErrorBodyKept, response.Body.Length);
            var error = FcErrorParser.Parse(response, "GetAsyncTask");
            _output.WriteLine(error.Message);
            Assert.Equal("HttpStatus502", error.ErrorCode);
            Assert.DoesNotContain("<", error.Message);
            Assert.DoesNotContain("\n", error.Message);
            Assert.Contains("HTTP 502 Bad Gateway", error.Message);
            Assert.True(error.Message.Length < 240, error.Message);
        }

        // ---- Stalls: every attempt and every call is bounded. ----

        [Fact]
        public async Task A_stalled_read_ends_at_the_attempt_limit_and_is_retried_signed_afresh()
        {
            using var fixture = new RawHttpFixture(RawReply.Declaring(200, 100, 10, RawAfter.Stall));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<FcTimeoutException>(() =>
                ClientFor(fixture).SendAsync(Read(), Retries(1, TimeSpan.FromMilliseconds(300)), null, CancellationToken.None));
            Assert.Contains("the limit for each attempt", ex.Message);
            Assert.Contains("(after 2 attempts)", ex.Message);
            Assert.Equal(2, fixture.RequestCount);
            Assert.Equal(2, fixture.Requests.Select(r => r.Nonce).Distinct().Count());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        }

        [Fact]
        public async Task Reads_have_a_default_attempt_limit_and_sync_invocations_none()
        {
            Assert.Equal(TimeSpan.FromSeconds(30), FcCallOptions.Default.AttemptTimeoutFor(Read()));
            Assert.Null(FcCallOptions.Default.AttemptTimeoutFor(SyncInvoke()));
            Assert.Null(new FcCallOptions { TimeoutSec = 5 }.AttemptTimeoutFor(Read()));
            var asyncInvoke = FcInvocation.BuildRequest(new FcInvocationSpec { Function = new FcFunctionRef("f", null, null), IsAsync = true, Body = FcRequestBody.FromBytes(new byte[1]) });
            Assert.Equal(TimeSpan.FromSeconds(30), FcCallOptions.Default.AttemptTimeoutFor(asyncInvoke));
            await System.Threading.Tasks.Task.CompletedTask;
        }

        [Fact]
        public async Task TimeoutSec_ends_a_stalled_answer()
        {
            using var fixture = new RawHttpFixture(RawReply.Stall());
            var ex = await Assert.ThrowsAsync<FcTimeoutException>(() =>
                ClientFor(fixture).SendAsync(SyncInvoke(), new FcCallOptions { TimeoutSec = 1 }, null, CancellationToken.None));
            Assert.Contains("(-TimeoutSec)", ex.Message);
            Assert.Equal(1, fixture.RequestCount);
        }
    }
}
