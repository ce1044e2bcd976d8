using System;
using System.Collections.Generic;
using System.Net.Http;

namespace FcInvoke.Core
{
    /// <summary>An FC answer read once into memory: status, headers (case-insensitive) and body.</summary>
    internal sealed class FcResponse
    {
        public FcResponse(int statusCode, Dictionary<string, string> headers, byte[] body, TimeSpan elapsed, int attempts,
                          string reasonPhrase = null, bool earlierAttemptMayHaveTakenEffect = false)
        {
            StatusCode = statusCode;
            Headers = headers;
            Body = body;
            Elapsed = elapsed;
            Attempts = attempts;
            ReasonPhrase = reasonPhrase;
            EarlierAttemptMayHaveTakenEffect = earlierAttemptMayHaveTakenEffect;
        }

        public int StatusCode { get; }
        public IReadOnlyDictionary<string, string> Headers { get; }
        public byte[] Body { get; }
        public TimeSpan Elapsed { get; }
        public int Attempts { get; }
        /// <summary>The status line's reason phrase as sent (e.g. "Bad Gateway"); may be empty.</summary>
        public string ReasonPhrase { get; }
        /// <summary>
        /// True when an earlier attempt of this call failed in a way that may have taken effect (a 5xx other than 503, a dropped
        /// connection, no answer in time): a 409 "already exists" to a task submission then means that attempt queued it.
        /// </summary>
        public bool EarlierAttemptMayHaveTakenEffect { get; }
        public bool IsSuccess => StatusCode >= 200 && StatusCode < 300;
        public string RequestId => Header(FcHeaders.RequestId);

        /// <summary>The same answer, timed over the whole call (all attempts).</summary>
        public FcResponse WithTotals(TimeSpan elapsed, int attempts, bool earlierAttemptMayHaveTakenEffect) =>
            new FcResponse(StatusCode, (Dictionary<string, string>)Headers, Body, elapsed, attempts, ReasonPhrase, earlierAttemptMayHaveTakenEffect);

        public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

        public static Dictionary<string, string> CollectHeaders(HttpResponseMessage message)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in message.Headers) headers[h.Key] = string.Join(",", h.Value);
            if (message.Content != null)
                foreach (var h in message.Content.Headers) headers[h.Key] = string.Join(",", h.Value);
            return headers;
        }
    }

    /// <summary>FC header names, in one place.</summary>
    internal static class FcHeaders
    {
        public const string RequestId = "x-fc-request-id";
        public const string InvocationType = "x-fc-invocation-type";
        public const string LogType = "x-fc-log-type";
        public const string LogResult = "x-fc-log-result";
        public const string ErrorType = "x-fc-error-type";
        public const string TraceId = "x-fc-trace-id";
        public const string AccountId = "x-fc-account-id";
        public const string StatefulAsyncInvocationId = "x-fc-stateful-async-invocation-id";
        public const string StatefulAsyncInvocationEnable = "x-fc-stateful-async-invocation-enable";
        public const string AsyncTaskId = "x-fc-async-task-id";
        public const string InstanceId = "x-fc-instance-id";
        public const string CodeChecksum = "x-fc-code-checksum";
        public const string InvocationDuration = "x-fc-invocation-duration";
        public const string MaxMemoryUsage = "x-fc-max-memory-usage";
        public const string ServiceVersion = "x-fc-invocation-service-version";
        public const string AsyncDelay = "x-fc-async-delay";
    }
}
