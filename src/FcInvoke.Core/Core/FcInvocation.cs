using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>What to invoke and how: the input of one InvokeFunction call.</summary>
    internal sealed class FcInvocationSpec
    {
        public FcFunctionRef Function { get; set; }
        public FcRequestBody Body { get; set; }
        public bool IsAsync { get; set; }
        public bool LogTail { get; set; }
        public string AsyncTaskId { get; set; }
        public bool EnableAsyncTask { get; set; }
        public string TraceId { get; set; }
        /// <summary>Seconds FC waits before it runs an asynchronous invocation (x-fc-async-delay); null sends none.</summary>
        public int? AsyncDelaySec { get; set; }
        /// <summary>Headers the caller adds, checked by <see cref="FcCustomHeaders"/>.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Headers { get; set; } = Array.Empty<KeyValuePair<string, string>>();

        public const int MaxAsyncDelaySec = 3600;

        /// <summary>
        /// Null when names and options fit together; otherwise why not. Checked before anything goes on the wire, as is
        /// the payload size (<see cref="FcNames.CheckPayloadSize"/>), which has an error of its own.
        /// </summary>
        public string Validate()
        {
            var problem = FcNames.CheckFunction(Function);
            if (problem != null) return problem;
            if (AsyncTaskId != null)
            {
                problem = FcNames.CheckTaskId(AsyncTaskId);
                if (problem != null) return problem;
                if (!IsAsync) return "An async task id applies to asynchronous invocations only (-InvocationType Async).";
            }
            if (EnableAsyncTask && !IsAsync) return "-EnableAsyncTask applies to asynchronous invocations only (-InvocationType Async).";
            if (LogTail && IsAsync)
                return "-LogType Tail asks for the log of a synchronous invocation; FC returns no log for an asynchronous one (its log goes to the function's " +
                       "Log Service project, and Get-FcAsyncTask shows how the task ended). Leave -LogType out, or invoke with -InvocationType Sync.";
            if (EnableAsyncTask && !Function.IsV2)
                return "-EnableAsyncTask is an FC 2.0 (-ServiceName) header; FC 3.0 functions enable async tasks in their async invoke configuration.";
            if (AsyncDelaySec.HasValue)
            {
                if (!IsAsync) return "-AsyncDelaySec delays asynchronous invocations only (-InvocationType Async).";
                if (AsyncDelaySec.Value < 0 || AsyncDelaySec.Value > MaxAsyncDelaySec) return $"-AsyncDelaySec is 0 to {MaxAsyncDelaySec} seconds.";
            }
            return FcCustomHeaders.Check(Headers);
        }
    }

    /// <summary>InvokeFunction for both API versions: the request it sends and the result it makes of the answer.</summary>
    internal static class FcInvocation
    {
        public static FcRequest BuildRequest(FcInvocationSpec spec)
        {
            var request = FcOperations.InvokeFunction(spec.Function)
                // With a task id FC accepts the submission once, so resending it is safe (FcRetryPolicy); without one it is not.
                .WithKind(spec.IsAsync && spec.AsyncTaskId != null ? FcCallKind.TaskSubmission : FcCallKind.Invocation)
                // An async invocation only queues the event: each attempt gets the read limit. A sync one may run for hours.
                .WithDefaultAttemptTimeout(spec.IsAsync ? FcRequestDefaults.AttemptTimeout : (TimeSpan?)null)
                .WithHeader(FcHeaders.InvocationType, spec.IsAsync ? "Async" : "Sync")
                .WithHeader(FcHeaders.LogType, spec.LogTail ? "Tail" : "None")
                .WithHeader(FcHeaders.TraceId, spec.TraceId)
                .WithHeader(FcHeaders.AsyncDelay, spec.AsyncDelaySec?.ToString(CultureInfo.InvariantCulture))
                .WithBody(spec.Body);
            foreach (var header in spec.Headers) request.WithHeader(header.Key, header.Value);
            if (spec.Function.IsV2)
            {
                request.WithHeader(FcHeaders.StatefulAsyncInvocationId, spec.AsyncTaskId);
                if (spec.EnableAsyncTask || spec.AsyncTaskId != null) request.WithHeader(FcHeaders.StatefulAsyncInvocationEnable, "true");
            }
            else
            {
                request.WithHeader(FcHeaders.AsyncTaskId, spec.AsyncTaskId);
            }
            return request;
        }

        /// <summary>Sends the invocation. A 2xx (function errors included) becomes a result; an API error throws <see cref="FcServiceException"/>.
        /// <paramref name="request"/> is <see cref="BuildRequest"/> of <paramref name="spec"/>, built once by the caller (which shows it first).</summary>
        public static async Task<FcInvocationResult> InvokeAsync(FcClient client, FcInvocationSpec spec, FcRequest request, FcCallOptions options,
                                                                 IFcLog log, CancellationToken cancellationToken)
        {
            var response = await client.SendAsync(request, options, log, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                var error = FcErrorParser.Parse(response, request.Action);
                if (!IsAcceptedEarlier(request, response, error)) throw Refusal(error, spec);
                log?.Verbose($"{request.Action}: task '{spec.AsyncTaskId}' already exists ({error.ErrorCode}, HTTP 409) after an earlier attempt's answer was lost: " +
                             "that attempt queued it, so it counts as accepted.");
                var accepted = ToResult(spec, response, client.Connection.Endpoint);
                accepted.AcceptedEarlier = true;
                accepted.RawResult = Array.Empty<byte>(); // an accepted async invocation has no result; the 409 body is not one
                return accepted;
            }
            return ToResult(spec, response, client.Connection.Endpoint);
        }

        /// <summary>
        /// A 409 "already exists" to a task submission, on a retry after an attempt that may have queued the task (a 5xx,
        /// a dropped connection, no answer in time): FC's task deduplication says the id is already taken, by that attempt.
        /// On the first attempt, or after attempts FC refused outright (429/503), a 409 stays an error: the id was used before.
        /// FC documents the 409 but no code; the codes seen are StatefulAsyncInvocationAlreadyExists (FC 2.0) and, in the
        /// emulator, AsyncTaskAlreadyExists, so any code containing "AlreadyExist", or none, is taken as this answer.
        /// </summary>
        internal static bool IsAcceptedEarlier(FcRequest request, FcResponse response, FcServiceException error) =>
            request.Kind == FcCallKind.TaskSubmission && response.StatusCode == 409 && response.EarlierAttemptMayHaveTakenEffect &&
            (error.ErrorCode.IndexOf("AlreadyExist", StringComparison.OrdinalIgnoreCase) >= 0 || error.ErrorCode == "HttpStatus409");

        /// <summary>FC's own "too large" answer says what FC's limits are, as the local check does.</summary>
        private static FcServiceException Refusal(FcServiceException error, FcInvocationSpec spec)
        {
            if (error.ErrorCode != FcServiceException.EntityTooLarge) return error;
            return new FcServiceException(error.ErrorCode,
                $"FC refused the {spec.Body?.Length ?? 0:N0}-byte payload of this {(spec.IsAsync ? "asynchronous" : "synchronous")} invocation as too large" +
                (string.IsNullOrEmpty(error.ErrorMessage) ? "." : $" ({error.ErrorMessage}).") + " " + FcNames.PayloadLimits,
                error.StatusCode, error.RequestId, error.Action, error.Attempts);
        }

        public static FcInvocationResult ToResult(FcInvocationSpec spec, FcResponse response, FcEndpoint endpoint)
        {
            var result = new FcInvocationResult
            {
                FunctionName = spec.Function.FunctionName,
                ServiceName = spec.Function.ServiceName ?? string.Empty,
                Qualifier = spec.Function.Qualifier ?? string.Empty,
                InvocationType = spec.IsAsync ? "Async" : "Sync",
                StatusCode = response.StatusCode,
                RequestId = response.RequestId,
                RawResult = response.Body ?? Array.Empty<byte>(),
                Logs = DecodeLog(response.Header(FcHeaders.LogResult)),
                ErrorType = response.Header(FcHeaders.ErrorType),
                AsyncTaskId = response.Header(FcHeaders.StatefulAsyncInvocationId) ?? response.Header(FcHeaders.AsyncTaskId) ?? spec.AsyncTaskId,
                InstanceId = response.Header(FcHeaders.InstanceId),
                ExecutedVersion = response.Header(FcHeaders.ServiceVersion),
                Duration = ParseDouble(response.Header(FcHeaders.InvocationDuration)) is double ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null,
                MaxMemoryUsageMB = ParseDouble(response.Header(FcHeaders.MaxMemoryUsage)),
                CodeChecksum = response.Header(FcHeaders.CodeChecksum),
                TraceId = spec.TraceId,
                Elapsed = response.Elapsed,
                Attempts = response.Attempts,
                ApiVersion = spec.Function.ApiVersion.ToWire(),
                Endpoint = endpoint.Host,
                Headers = new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(
                    ToDictionary(response.Headers)),
            };
            if (result.IsFunctionError) result.ErrorMessage = ReadFunctionErrorMessage(response.Body) ?? result.ErrorType;
            return result;
        }

        /// <summary>X-Fc-Log-Result: base64 of UTF-8 text. A value that is not base64 is returned as it came.</summary>
        public static string DecodeLog(string header)
        {
            if (string.IsNullOrEmpty(header)) return null;
            try { return Encoding.UTF8.GetString(Convert.FromBase64String(header.Trim())); }
            catch (FormatException) { return header; }
        }

        private static string ReadFunctionErrorMessage(byte[] body)
        {
            string code = null, message = null, requestId = null;
            FcErrorParser.TryReadFields(body, ref code, ref message, ref requestId);
            if (message != null) return message;
            // Not FC's error object: one line of it, markup removed.
            return FcResponseText.Summarize(body, FcErrorParser.MaxMessage);
        }

        private static Dictionary<string, string> ToDictionary(IReadOnlyDictionary<string, string> headers)
        {
            var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in headers) copy[h.Key] = h.Value;
            return copy;
        }

        private static double? ParseDouble(string value) =>
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (double?)null;
    }
}
