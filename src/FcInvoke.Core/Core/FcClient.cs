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

        private FcConnection(FcEndpoint endpoint, ICredentialProvider credentials)
        {
            Endpoint = endpoint;
            Credentials = credentials;
        }

        /// <summary>
        /// Where calls to an HTTP trigger go: the trigger URL's origin, and the credential source when the trigger's
        /// authentication signs with one (null for anonymous and JWT calls, which need no credentials at all).
        /// </summary>
        public static FcConnection ForTrigger(Uri origin, ICredentialProvider credentials) =>
            new FcConnection(FcEndpoint.FromUri(new Uri(origin.GetLeftPart(UriPartial.Authority))), credentials);

        public FcEndpoint Endpoint { get; }
        public string AccountId { get; }
        public string Region { get; }
        /// <summary>The credential source; null only for a trigger connection that needs none.</summary>
        public ICredentialProvider Credentials { get; }
    }

    internal sealed class FcCallOptions
    {
        public static readonly FcCallOptions Default = new FcCallOptions();

        /// <summary>Bound for the whole call, retries included; 0 means none.</summary>
        public int TimeoutSec { get; set; }

        /// <summary>
        /// Bound for each attempt (sending, waiting, reading the answer). Null: the request's own default
        /// (<see cref="FcRequest.DefaultAttemptTimeout"/>) when <see cref="TimeoutSec"/> is 0, none otherwise. Zero: none.
        /// </summary>
        public TimeSpan? AttemptTimeout { get; set; }

        public FcRetryPolicy Retry { get; set; } = FcRetryPolicy.Default;

        internal TimeSpan? AttemptTimeoutFor(FcRequest request)
        {
            if (AttemptTimeout.HasValue) return AttemptTimeout.Value > TimeSpan.Zero ? AttemptTimeout : null;
            return TimeoutSec > 0 ? null : request.DefaultAttemptTimeout;
        }
    }

    /// <summary>
    /// Sends FC requests over the shared HttpClient: signs each attempt afresh, applies the retry policy (the only place
    /// that decides a resend), the call's and each attempt's time limits, reads the answer once within the operation's
    /// size limit, and reports what it does through <see cref="IFcLog"/>.
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
        /// one too, once retries are spent); throws <see cref="FcTimeoutException"/> (-TimeoutSec, an attempt's limit or the
        /// connect timeout, named), <see cref="FcTransportException"/> for a connection failure or broken framing,
        /// <see cref="FcResponseTooLargeException"/> past the operation's size limit, and OperationCanceledException when the caller cancels.
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
                    return await SendWithRetriesAsync(request, options.Retry ?? FcRetryPolicy.Default, options.AttemptTimeoutFor(request), log,
                                                      linked?.Token ?? cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && timeout != null && timeout.IsCancellationRequested)
                {
                    throw new FcTimeoutException(
                        $"{request.Action} did not complete within {options.TimeoutSec} s (-TimeoutSec); " + AfterTimeout(request), ex);
                }
            }
        }

        private static string AfterTimeout(FcRequest request)
        {
            switch (request.Kind)
            {
                case FcCallKind.Invocation:
                    return IsAsync(request)
                        ? "FC may have queued the invocation before the call was abandoned."
                        : request.Origin != null
                            ? "the function may have run, and may still be running (no source says whether FC stops an HTTP-triggered function whose caller goes away)."
                            : "FC interrupts a synchronous invocation when its caller goes away, so the function was stopped and may have partly run.";
                case FcCallKind.TaskSubmission:
                    return "FC may have queued the task; submitting it again with the same -AsyncTaskId is safe.";
                default:
                    return "the call was abandoned.";
            }
        }

        private static bool IsAsync(FcRequest request)
        {
            foreach (var h in request.Headers)
                if (string.Equals(h.Key, FcHeaders.InvocationType, StringComparison.OrdinalIgnoreCase)) return string.Equals(h.Value, "Async", StringComparison.OrdinalIgnoreCase);
            return false;
        }

        private async Task<FcResponse> SendWithRetriesAsync(FcRequest request, FcRetryPolicy policy, TimeSpan? attemptTimeout, IFcLog log, CancellationToken token)
        {
            var total = Stopwatch.StartNew();
            bool mayHaveTakenEffect = false;
            for (int retries = 0; ; retries++)
            {
                var attempt = Stopwatch.StartNew();
                FcResponse response;
                try
                {
                    response = await SendOnceAsync(request, retries + 1, attemptTimeout, log, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException || ex is IOException || ex is FcConnectTimeoutException || ex is FcAttemptTimeoutException)
                {
                    var reason = Describe(ex);
                    if (policy.IsRetryableException(request.Kind, ex) && policy.CanRetry(retries, total.Elapsed))
                    {
                        mayHaveTakenEffect |= FcRetryPolicy.MayHaveTakenEffect(ex);
                        var delay = policy.NextDelay(retries + 1, null);
                        log.Verbose($"{request.Action} {request.Path}: {reason}; retrying in {delay.TotalMilliseconds:0} ms (retry {retries + 1} of {policy.MaxRetries}).");
                        await Task.Delay(delay, token).ConfigureAwait(false);
                        continue;
                    }
                    var tries = retries == 0 ? string.Empty : $" (after {retries + 1} attempts)";
                    if (ex is FcConnectTimeoutException)
                        throw new FcTimeoutException($"Could not connect to {Connection.Endpoint.Host} within {FcHttp.DefaultConnectTimeout.TotalSeconds:0} s (connect timeout){tries}.", ex);
                    var notResent = NotResent(request, ex);
                    if (ex is FcAttemptTimeoutException at)
                        throw new FcTimeoutException($"{request.Action} to {Connection.Endpoint.Host} got no answer within {at.Limit.TotalSeconds:0.#} s (the limit for each attempt; -TimeoutSec sets another){tries}{notResent}.", ex);
                    throw new FcTransportException($"{request.Action} to {Connection.Endpoint.Host} failed: {reason}{tries}{notResent}.", ex);
                }

                if (log.IsVerboseEnabled)
                    log.Verbose($"{request.Method} {request.Path} -> {response.StatusCode} (RequestId {response.RequestId ?? "none"}, {attempt.ElapsedMilliseconds} ms)");
                if (!response.IsSuccess && policy.IsRetryableAnswer(request, response) && policy.CanRetry(retries, total.Elapsed))
                {
                    mayHaveTakenEffect |= FcRetryPolicy.MayHaveTakenEffect(response.StatusCode);
                    var retryAfter = FcRetryPolicy.ParseRetryAfter(response.Header("Retry-After"), DateTimeOffset.UtcNow);
                    var delay = policy.NextDelay(retries + 1, retryAfter);
                    string code = null, message = null, rid = null;
                    FcErrorParser.TryReadFields(response.Body, ref code, ref message, ref rid);
                    log.Verbose($"{request.Action} answered {response.StatusCode} {code}; retrying in {delay.TotalMilliseconds:0} ms (retry {retries + 1} of {policy.MaxRetries}).");
                    await Task.Delay(delay, token).ConfigureAwait(false);
                    continue;
                }
                return response.WithTotals(total.Elapsed, retries + 1, mayHaveTakenEffect);
            }
        }

        /// <summary>Why a failed attempt that may have taken effect was not sent again, for the error message.</summary>
        private static string NotResent(FcRequest request, Exception ex)
        {
            if (request.Kind != FcCallKind.Invocation || FcRetryPolicy.NeverReachedServer(ex)) return string.Empty;
            return IsAsync(request)
                ? "; not retried, because FC may have queued it (give -AsyncTaskId to make resending safe)"
                : "; not retried, because the function may have run";
        }

        private async Task<FcResponse> SendOnceAsync(FcRequest request, int attemptNumber, TimeSpan? attemptTimeout, IFcLog log, CancellationToken callToken)
        {
            var messages = request.Messages;
            FcCredential credential = null;
            if (messages.NeedsCredential)
            {
                if (Connection.Credentials == null) throw new InvalidOperationException($"{request.Action} is signed, but its connection has no credential source.");
                credential = await Connection.Credentials.GetCredentialAsync(log, callToken).ConfigureAwait(false);
            }
            using (var attemptLimit = attemptTimeout.HasValue ? CancellationTokenSource.CreateLinkedTokenSource(callToken) : null)
            using (var message = messages.Create(request, Connection, credential, DateTimeOffset.UtcNow))
            {
                attemptLimit?.CancelAfter(attemptTimeout.Value);
                var token = attemptLimit?.Token ?? callToken;
                if (log.IsDebugEnabled) log.Debug($"Attempt {attemptNumber}:{Environment.NewLine}{FcRequestBuilder.Describe(message)}");
                var started = Stopwatch.StartNew();
                try
                {
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
                        var declared = FcResponseBody.DeclaredLength(answer);
                        var status = (int)answer.StatusCode;
                        // A HEAD answer, a 204 and a 304 have no body, whatever length they declare (RFC 9110).
                        byte[] body = answer.Content == null || request.Method == HttpMethod.Head || status == 204 || status == 304
                            ? Array.Empty<byte>()
                            : await ReadBodyAsync(answer, declared, request, (status >= 200 && status < 300) || request.KeepsErrorBodies, token).ConfigureAwait(false);
                        return new FcResponse(status, FcResponse.CollectHeaders(answer), body, started.Elapsed, attemptNumber, answer.ReasonPhrase);
                    }
                }
                catch (OperationCanceledException ex) when (!callToken.IsCancellationRequested && attemptLimit != null && attemptLimit.IsCancellationRequested)
                {
                    throw new FcAttemptTimeoutException(attemptTimeout.Value, ex);
                }
            }
        }

        private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage answer, long? declared, FcRequest request, bool isSuccess, CancellationToken token)
        {
            using (var stream = await answer.Content.ReadAsStreamAsync().ConfigureAwait(false))
                return await FcResponseBody.ReadAsync(stream, declared, request.MaxResponseBytes, isSuccess, request, token).ConfigureAwait(false);
        }

        private static string Describe(Exception ex)
        {
            var innermost = ex;
            while (innermost.InnerException != null) innermost = innermost.InnerException;
            return innermost == ex ? ex.Message : $"{ex.Message} ({innermost.Message})";
        }
    }
}
