using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;

namespace FcInvoke.Core
{
    /// <summary>
    /// The one retry policy, and the only component that decides whether a request is sent again: exponential backoff with
    /// full jitter, bounded attempts and total time, Retry-After honoured. Invocations are retried only when FC did not
    /// run the function (429/503 throttling, a connection that never opened); reads and async submissions with a task id
    /// (which FC accepts once) are also retried on 5xx, dropped connections, broken framing and attempts that timed out.
    /// (The HTTP handler never resends on its own: <see cref="FcHttp"/> gives every request a body, see there.)
    /// </summary>
    internal sealed class FcRetryPolicy
    {
        public const int DefaultMaxRetries = 3;

        [ThreadStatic] private static Random _random;

        public FcRetryPolicy(int maxRetries, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, TimeSpan? maxTotal = null)
        {
            if (maxRetries < 0) throw new ArgumentOutOfRangeException(nameof(maxRetries));
            MaxRetries = maxRetries;
            BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(200);
            MaxDelay = maxDelay ?? TimeSpan.FromSeconds(10);
            MaxTotal = maxTotal ?? TimeSpan.FromMinutes(2);
        }

        public static FcRetryPolicy Default { get; } = new FcRetryPolicy(DefaultMaxRetries);

        /// <summary>Retries after the first attempt; 0 disables retrying.</summary>
        public int MaxRetries { get; }
        public TimeSpan BaseDelay { get; }
        public TimeSpan MaxDelay { get; }
        /// <summary>No retry starts once this much time has passed since the first attempt.</summary>
        public TimeSpan MaxTotal { get; }

        public bool IsRetryableStatus(FcCallKind kind, int status)
        {
            if (status == 429 || status == 503) return true; // FC throttling: the function did not run
            return kind != FcCallKind.Invocation && (status == 500 || status == 502 || status == 504);
        }

        /// <summary>
        /// Whether a non-2xx answer is sent again: a status <see cref="IsRetryableStatus"/> allows for the call's kind, and,
        /// when the answer may be the function's own (a synchronous call to an HTTP trigger), only if it is FC's own refusal
        /// (<see cref="FcErrorParser.IsFcOwnError"/>): a function that answers 429 or 503 itself has run.
        /// </summary>
        public bool IsRetryableAnswer(FcRequest request, FcResponse response) =>
            IsRetryableStatus(request.Kind, response.StatusCode) && (!request.AnswerMayBeFunctions || FcErrorParser.IsFcOwnError(response));

        /// <summary>
        /// A failed attempt that may be retried: one that never reached FC, or, when resending is safe (reads, submissions
        /// with a task id), a connection that dropped, an answer whose framing was broken, or an attempt that timed out.
        /// </summary>
        public bool IsRetryableException(FcCallKind kind, Exception ex) =>
            NeverReachedServer(ex) ||
            (kind != FcCallKind.Invocation && (ex is HttpRequestException || ex is IOException || ex is FcAttemptTimeoutException));

        /// <summary>Whether an attempt that ended with this status may have taken effect (run the function, queued the task).</summary>
        public static bool MayHaveTakenEffect(int status) => (status >= 200 && status < 300) || (status >= 500 && status != 503);

        /// <summary>Whether an attempt that failed with this exception may have taken effect: unless it never reached FC, yes.</summary>
        public static bool MayHaveTakenEffect(Exception ex) => !NeverReachedServer(ex);

        /// <summary>A connection that could not be opened: the request never left, so even an invocation is safe to resend.</summary>
        public static bool NeverReachedServer(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is SocketException se &&
                    (se.SocketErrorCode == SocketError.ConnectionRefused || se.SocketErrorCode == SocketError.HostUnreachable ||
                     se.SocketErrorCode == SocketError.NetworkUnreachable || se.SocketErrorCode == SocketError.TryAgain))
                    return true;
                if (e is FcConnectTimeoutException) return true;
            }
            return false;
        }

        public bool CanRetry(int retriesSoFar, TimeSpan elapsed) => retriesSoFar < MaxRetries && elapsed < MaxTotal;

        public TimeSpan NextDelay(int retryNumber, TimeSpan? retryAfter)
        {
            var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, retryNumber - 1)));
            var random = _random ?? (_random = new Random(Guid.NewGuid().GetHashCode()));
            var delay = TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
            if (retryAfter.HasValue && retryAfter.Value > delay) delay = retryAfter.Value < MaxDelay ? retryAfter.Value : MaxDelay;
            return delay;
        }

        public static TimeSpan? ParseRetryAfter(string value, DateTimeOffset now)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                return TimeSpan.FromSeconds(seconds);
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return at > now ? at - now : TimeSpan.Zero;
            return null;
        }
    }

    /// <summary>An attempt got no (complete) answer within its own time limit; the call's -TimeoutSec had not passed.</summary>
    internal sealed class FcAttemptTimeoutException : Exception
    {
        public FcAttemptTimeoutException(TimeSpan limit, Exception inner) : base($"no answer within {limit.TotalSeconds:0.#} s", inner)
        {
            Limit = limit;
        }

        public TimeSpan Limit { get; }
    }

    /// <summary>The TCP connection was not established within the connect timeout.</summary>
    internal sealed class FcConnectTimeoutException : Exception
    {
        public FcConnectTimeoutException(string message, Exception inner) : base(message, inner) { }
    }
}
