using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;

namespace FcInvoke.Core
{
    /// <summary>
    /// The one retry policy: exponential backoff with full jitter, bounded attempts and total time, Retry-After honoured.
    /// Invocations are retried only when FC did not run the function (429/503 throttling, a connection that never opened);
    /// reads are also retried on 5xx and dropped connections.
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
            return kind == FcCallKind.Read && (status == 500 || status == 502 || status == 504);
        }

        public bool IsRetryableException(FcCallKind kind, Exception ex) =>
            NeverReachedServer(ex) || (kind == FcCallKind.Read && (ex is HttpRequestException || ex is IOException));

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

    /// <summary>The TCP connection was not established within the connect timeout.</summary>
    internal sealed class FcConnectTimeoutException : Exception
    {
        public FcConnectTimeoutException(string message, Exception inner) : base(message, inner) { }
    }
}
