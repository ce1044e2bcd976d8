using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>
    /// How large an answer may be, per operation (docs/reliability.md). An answer past its limit is not kept: the call
    /// fails with <see cref="FcResponseTooLargeException"/>, and nothing larger than the limit is ever held in memory.
    /// </summary>
    internal static class FcResponseLimits
    {
        public const long MiB = 1024 * 1024;
        /// <summary>InvokeFunction: FC returns at most 32 MB to a synchronous invocation; 8 MiB of margin.</summary>
        public const long Invocation = FcNames.MaxSyncPayloadBytes + 8 * MiB;
        /// <summary>ListAsyncTasks: up to 100 tasks a page, each with its payload and (at most 1 MB) result.</summary>
        public const long TaskListing = 64 * MiB;
        /// <summary>Every other operation: one task, one function or service, a page of functions or services, a stop.</summary>
        public const long Read = 8 * MiB;
        /// <summary>Of an error answer (non-2xx) only this much is kept: enough for FC's error object or a gateway page's title.</summary>
        public const long ErrorBodyKept = 64 * 1024;
    }

    /// <summary>
    /// Reads an answer's body into memory that grows with the bytes that actually arrive, never with what a header
    /// claims, up to a limit; checks the framing (Content-Length values that disagree or are not numbers, a body shorter
    /// than declared). Framing faults throw <see cref="FcFramingException"/>, which the retry policy treats like a dropped
    /// connection; a body past the limit throws <see cref="FcResponseTooLargeException"/>.
    /// </summary>
    internal static class FcResponseBody
    {
        /// <summary>A declared length up to this is allocated at once (a fixed, small cost); longer bodies grow as they arrive.</summary>
        public const int TrustedInitialBytes = 64 * 1024;

        /// <summary>
        /// The buffer never holds more than this many times the bytes that have arrived (or <see cref="TrustedInitialBytes"/>):
        /// it doubles as the body arrives, and jumps to the declared length once a quarter of it is there, which spares an
        /// honest large answer most of the intermediate copies.
        /// </summary>
        public const int MaxGrowthFactor = 4;

        /// <summary>The length the headers declare, after checking they agree; null when none is declared.</summary>
        public static long? DeclaredLength(HttpResponseMessage answer)
        {
            if (answer.Content == null || !answer.Content.Headers.TryGetValues("Content-Length", out var values)) return null;
            long? declared = null;
            foreach (var raw in values)
            {
                foreach (var part in (raw ?? string.Empty).Split(','))
                {
                    var text = part.Trim();
                    if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                        throw new FcFramingException($"the answer's Content-Length '{Shorten(raw)}' is not a length");
                    if (declared.HasValue && declared.Value != length)
                        throw new FcFramingException($"the answer declares two different lengths (Content-Length {declared.Value} and {length})");
                    declared = length;
                }
            }
            if (declared.HasValue && answer.Headers.TransferEncodingChunked == true)
                throw new FcFramingException("the answer declares both a Content-Length and chunked transfer encoding");
            return declared;
        }

        /// <summary>
        /// Reads the body. With <paramref name="keepAll"/> false (an error answer) only the first
        /// <see cref="FcResponseLimits.ErrorBodyKept"/> bytes are kept and the rest is not read.
        /// </summary>
        public static async Task<byte[]> ReadAsync(Stream stream, long? declared, long max, bool keepAll, FcRequest request, CancellationToken token)
        {
            if (keepAll && declared.HasValue && declared.Value > max)
                throw new FcResponseTooLargeException(request.Action, request.Kind, max, declared.Value, received: 0);
            if (declared == 0) return Array.Empty<byte>();
            long limit = keepAll ? max : Math.Min(max, FcResponseLimits.ErrorBodyKept);
            if (declared.HasValue) limit = Math.Min(limit, declared.Value);

            var buffer = new byte[(int)Math.Min(limit, declared.HasValue && declared.Value <= TrustedInitialBytes ? declared.Value : 16 * 1024)];
            int count = 0;
            try
            {
                while (true)
                {
                    if (count == buffer.Length)
                    {
                        if (count >= limit)
                        {
                            // Everything declared has arrived, or an error body is long enough, or the limit is reached:
                            // one byte more would be over the limit.
                            if (declared.HasValue || !keepAll) break;
                            var probe = new byte[1];
                            if (await stream.ReadAsync(probe, 0, 1, token).ConfigureAwait(false) == 0) break;
                            throw new FcResponseTooLargeException(request.Action, request.Kind, max, null, count + 1);
                        }
                        long next = Math.Max(2L * buffer.Length, 16 * 1024);
                        if (declared.HasValue && declared.Value <= (long)MaxGrowthFactor * count) next = declared.Value;
                        Array.Resize(ref buffer, (int)Math.Min(limit, next));
                    }
                    int n = await stream.ReadAsync(buffer, count, buffer.Length - count, token).ConfigureAwait(false);
                    if (n == 0) break;
                    count += n;
                }
            }
            catch (IOException ex) when (!(ex is FcFramingException))
            {
                throw new FcFramingException(declared.HasValue
                    ? $"the answer ended after {count} of the {declared.Value} bytes it declared ({ex.Message})"
                    : $"the answer was cut after {count} bytes ({ex.Message})", ex);
            }
            if (keepAll && declared.HasValue && count < declared.Value)
                throw new FcFramingException($"the answer ended after {count} of the {declared.Value} bytes it declared");
            if (count != buffer.Length) Array.Resize(ref buffer, count);
            return buffer;
        }

        private static string Shorten(string text) => text == null ? string.Empty : text.Length <= 40 ? text : text.Substring(0, 40) + "…";
    }

    /// <summary>
    /// The answer's framing is wrong (conflicting or invalid Content-Length, a body cut short): it cannot be trusted as a
    /// result. An IOException, so the retry policy treats it like a dropped connection.
    /// </summary>
    internal sealed class FcFramingException : IOException
    {
        public FcFramingException(string message, Exception inner = null) : base(message, inner) { }
    }
}
