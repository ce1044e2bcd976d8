using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Credentials;

namespace FcInvoke.Core
{
    /// <summary>Everything needed to reach FC as someone: where, which account, and whose credentials.</summary>
    internal sealed class FcConnection
    {
        public FcConnection(FcEndpoint endpoint, string accountId, string region, ICredentialProvider credentials)
        {
            Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            AccountId = accountId;
            Region = region;
            Credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        }

        public FcEndpoint Endpoint { get; }
        public string AccountId { get; }
        public string Region { get; }
        public ICredentialProvider Credentials { get; }
    }

    internal sealed class FcCallOptions
    {
        public static readonly FcCallOptions Default = new FcCallOptions();

        /// <summary>Bound for the whole call, retries included; 0 means none.</summary>
        public int TimeoutSec { get; set; }
        public FcRetryPolicy Retry { get; set; } = FcRetryPolicy.Default;
    }

    /// <summary>
    /// Sends FC requests over the shared HttpClient: signs each attempt afresh, applies the retry policy and the
    /// call's timeout, reads the answer once, and reports what it does through <see cref="IFcLog"/>.
    /// </summary>
    internal sealed class FcClient
    {
        private readonly HttpClient _http;

        public FcClient(FcConnection connection, HttpClient http = null)
        {
            Connection = connection;
            _http = http ?? FcHttp.Client;
        }

        public FcConnection Connection { get; }

        /// <summary>
        /// Sends <paramref name="request"/>, retrying as <see cref="FcCallOptions.Retry"/> allows. Returns FC's answer (a non-2xx
        /// one too, once retries are spent); throws <see cref="FcTimeoutException"/> (-TimeoutSec or the connect timeout, named),
        /// <see cref="FcTransportException"/> for a connection failure, and OperationCanceledException when the caller cancels.
        /// </summary>
        public async Task<FcResponse> SendAsync(FcRequest request, FcCallOptions options, IFcLog log, CancellationToken cancellationToken)
        {
            options = options ?? FcCallOptions.Default;
            log = log ?? NullFcLog.Instance;
            using (var timeout = options.TimeoutSec > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSec)) : null)
            // Without a timeout the caller's token serves as it is: no linked source to allocate and register per call.
            using (var linked = timeout != null ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token) : null)
            {
                try
                {
                    return await SendWithRetriesAsync(request, options.Retry ?? FcRetryPolicy.Default, log, linked?.Token ?? cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && timeout != null && timeout.IsCancellationRequested)
                {
                    throw new FcTimeoutException(
                        $"{request.Action} did not complete within {options.TimeoutSec} s (-TimeoutSec); " + AbandonedCall(request), ex);
                }
            }
        }

        private async Task<FcResponse> SendWithRetriesAsync(FcRequest request, FcRetryPolicy policy, IFcLog log, CancellationToken token)
        {
            var total = Stopwatch.StartNew();
            for (int retries = 0; ; retries++)
            {
                var attempt = Stopwatch.StartNew();
                FcResponse response;
                try
                {
                    response = await SendOnceAsync(request, retries + 1, log, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException || ex is IOException || ex is FcConnectTimeoutException)
                {
                    var reason = Describe(ex);
                    if (policy.IsRetryableException(request.Kind, ex) && policy.CanRetry(retries, total.Elapsed))
                    {
                        var delay = policy.NextDelay(retries + 1, null);
                        log.Verbose($"{request.Action} {request.Path}: {reason}; retrying in {delay.TotalMilliseconds:0} ms (retry {retries + 1} of {policy.MaxRetries}).");
                        await Task.Delay(delay, token).ConfigureAwait(false);
                        continue;
                    }
                    var tries = retries == 0 ? string.Empty : $" (after {retries + 1} attempts)";
                    if (ex is FcConnectTimeoutException)
                        throw new FcTimeoutException($"Could not connect to {Connection.Endpoint.Host} within {FcHttp.DefaultConnectTimeout.TotalSeconds:0} s (connect timeout){tries}.", ex);
                    var unsafeToResend = request.Kind == FcCallKind.Invocation && !FcRetryPolicy.NeverReachedServer(ex)
                        ? "; not retried, because the function may have run"
                        : string.Empty;
                    throw new FcTransportException($"{request.Action} to {Connection.Endpoint.Host} failed: {reason}{tries}{unsafeToResend}.", ex);
                }

                if (log.IsVerboseEnabled)
                    log.Verbose($"{request.Method} {request.Path} -> {response.StatusCode} (RequestId {response.RequestId ?? "none"}, {attempt.ElapsedMilliseconds} ms)");
                if (!response.IsSuccess && policy.IsRetryableStatus(request.Kind, response.StatusCode) && policy.CanRetry(retries, total.Elapsed))
                {
                    var retryAfter = FcRetryPolicy.ParseRetryAfter(response.Header("Retry-After"), DateTimeOffset.UtcNow);
                    var delay = policy.NextDelay(retries + 1, retryAfter);
                    string code = null, message = null, rid = null;
                    FcErrorParser.TryReadFields(response.Body, ref code, ref message, ref rid);
                    log.Verbose($"{request.Action} answered {response.StatusCode} {code}; retrying in {delay.TotalMilliseconds:0} ms (retry {retries + 1} of {policy.MaxRetries}).");
                    await Task.Delay(delay, token).ConfigureAwait(false);
                    continue;
                }
                return response.WithTotals(total.Elapsed, retries + 1);
            }
        }

        private async Task<FcResponse> SendOnceAsync(FcRequest request, int attemptNumber, IFcLog log, CancellationToken token)
        {
            var credential = await Connection.Credentials.GetCredentialAsync(log, token).ConfigureAwait(false);
            using (var message = FcRequestBuilder.Build(request, Connection.Endpoint, credential, Connection.AccountId,
                                                        DateTimeOffset.UtcNow, FcRequestBuilder.NewNonce()))
            {
                if (log.IsDebugEnabled) log.Debug($"Attempt {attemptNumber}:{Environment.NewLine}{FcRequestBuilder.Describe(message)}");
                var started = Stopwatch.StartNew();
                HttpResponseMessage answer;
                try
                {
                    answer = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!token.IsCancellationRequested)
                {
                    // Cancelled by nobody we know: the handler's connect timeout.
                    throw new FcConnectTimeoutException("the connection could not be opened within the connect timeout", ex);
                }
                using (answer)
                {
                    var body = await ReadBodyAsync(answer, token).ConfigureAwait(false);
                    return new FcResponse((int)answer.StatusCode, FcResponse.CollectHeaders(answer), body, started.Elapsed, attemptNumber);
                }
            }
        }

        private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage answer, CancellationToken token)
        {
            if (answer.Content == null) return Array.Empty<byte>();
            var length = answer.Content.Headers.ContentLength;
            if (length == 0) return Array.Empty<byte>();
            using (var stream = await answer.Content.ReadAsStreamAsync().ConfigureAwait(false))
            {
                if (length.HasValue && length.Value <= int.MaxValue)
                {
                    // Known length: read straight into the final array, no intermediate copies.
                    var buffer = new byte[length.Value];
                    int read = 0;
                    while (read < buffer.Length)
                    {
                        int n = await stream.ReadAsync(buffer, read, buffer.Length - read, token).ConfigureAwait(false);
                        if (n == 0) throw new IOException($"The response ended after {read} of {buffer.Length} bytes.");
                        read += n;
                    }
                    return buffer;
                }
                using (var ms = new MemoryStream())
                {
                    await stream.CopyToAsync(ms, 81920, token).ConfigureAwait(false);
                    return ms.ToArray();
                }
            }
        }

        /// <summary>What abandoning a call means for the function: FC interrupts a synchronous invocation whose caller has gone.</summary>
        internal static string AbandonedCall(FcRequest request)
        {
            if (request.Kind != FcCallKind.Invocation) return "the call was abandoned.";
            var isAsync = request.Headers.Any(h => h.Key == FcHeaders.InvocationType && h.Value == "Async");
            return isAsync
                ? "FC may have queued the invocation before the call was abandoned."
                : "FC interrupts a synchronous invocation when its caller goes away, so the function was stopped and may have partly run.";
        }

        private static string Describe(Exception ex)
        {
            var innermost = ex;
            while (innermost.InnerException != null) innermost = innermost.InnerException;
            return innermost == ex ? ex.Message : $"{ex.Message} ({innermost.Message})";
        }
    }
}
