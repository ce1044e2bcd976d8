using System;

namespace FcInvoke
{
    /// <summary>
    /// FC answered with an API error (4xx/5xx): the function was not invoked, or the call itself was refused.
    /// Message: "ErrorCode: message (RequestId …)".
    /// </summary>
    public class FcServiceException : Exception
    {
        public FcServiceException(string errorCode, string errorMessage, int statusCode, string requestId, string action, int attempts = 1)
            : base(Compose(errorCode, errorMessage, statusCode, requestId, attempts))
        {
            Attempts = attempts;
            ErrorCode = errorCode;
            ErrorMessage = errorMessage;
            StatusCode = statusCode;
            RequestId = requestId;
            Action = action;
        }

        /// <summary>FC's error code, e.g. FunctionNotFound; "HttpStatus{n}" when the body carried none.</summary>
        public string ErrorCode { get; }
        public string ErrorMessage { get; }
        public int StatusCode { get; }
        public string RequestId { get; }
        /// <summary>The API action that failed, e.g. InvokeFunction.</summary>
        public string Action { get; }
        /// <summary>How many attempts were made before giving up (more than 1 when retries were spent).</summary>
        public int Attempts { get; }
        /// <summary>FC's code for a payload over its limit (fc-protocol.md §5.2); reported with the id FcPayloadTooLarge.</summary>
        public const string EntityTooLarge = "EntityTooLarge";

        /// <summary>True for 429/503 throttling: FC did not run the function.</summary>
        public bool IsThrottling => StatusCode == 429 || StatusCode == 503;

        private static string Compose(string code, string message, int status, string requestId, int attempts)
        {
            var text = string.IsNullOrEmpty(message) ? $"FC answered HTTP {status}." : message;
            return $"{code}: {text}" + (string.IsNullOrEmpty(requestId) ? string.Empty : $" (RequestId {requestId})") +
                   (attempts > 1 ? $" (after {attempts} attempts)" : string.Empty);
        }
    }

    /// <summary>The request did not complete within its time limit; which limit is named in the message.</summary>
    public class FcTimeoutException : TimeoutException
    {
        public FcTimeoutException(string message, Exception inner = null) : base(message, inner) { }
    }

    /// <summary>The request could not be sent or its answer could not be read (connection refused, dropped, DNS).</summary>
    public class FcTransportException : Exception
    {
        public FcTransportException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>
    /// FC (or something in between) answered 2xx with a body that is not what the operation returns: empty, not JSON,
    /// or JSON of another shape. The message names the operation, the status, the request id and a short, tag-free excerpt.
    /// </summary>
    public class FcUnexpectedResponseException : Exception
    {
        internal FcUnexpectedResponseException(string action, int statusCode, string requestId, string problem, byte[] body)
            : base($"{action} answered HTTP {statusCode} with {problem}" +
                   (Core.FcResponseText.Summarize(body) is string excerpt ? $": \"{excerpt}\"" : string.Empty) +
                   (string.IsNullOrEmpty(requestId) ? "." : $" (RequestId {requestId})."))
        {
            Action = action;
            StatusCode = statusCode;
            RequestId = requestId;
        }

        /// <summary>The API action whose answer could not be read, e.g. GetAsyncTask.</summary>
        public string Action { get; }
        public int StatusCode { get; }
        public string RequestId { get; }
    }

    /// <summary>
    /// FC (or something in between) answered with more bytes than the operation's documented maximum
    /// (docs/reliability.md); the answer was not kept, and no more than the maximum was ever held in memory.
    /// </summary>
    public class FcResponseTooLargeException : Exception
    {
        internal FcResponseTooLargeException(string action, Core.FcCallKind kind, long limit, long? declaredLength, long received)
            : base(Compose(action, kind, limit, declaredLength))
        {
            Action = action;
            Limit = limit;
            DeclaredLength = declaredLength;
            Received = received;
        }

        /// <summary>The API action whose answer was too large, e.g. ListAsyncTasks.</summary>
        public string Action { get; }
        /// <summary>The most bytes this operation's answer may have.</summary>
        public long Limit { get; }
        /// <summary>The Content-Length the answer declared, when it declared one.</summary>
        public long? DeclaredLength { get; }
        /// <summary>How many bytes were read before giving up (0 when the declared length alone was over the limit).</summary>
        public long Received { get; }

        private static string Compose(string action, Core.FcCallKind kind, long limit, long? declared)
        {
            var what = declared.HasValue ? $"declared {declared.Value:N0} bytes" : "sent more";
            var size = limit % (1024 * 1024) == 0 ? $"{limit / (1024 * 1024)} MiB" : $"{limit:N0} bytes";
            var text = $"{action} answered with more than the {size} this operation allows ({what}); the answer was not kept.";
            switch (kind)
            {
                case Core.FcCallKind.Invocation:
                    return text + " The function may have run; it was not invoked again.";
                case Core.FcCallKind.TaskSubmission:
                    return text + " The task may have been queued; it was not submitted again.";
                default:
                    return text + (action == "ListAsyncTasks" || action == "ListStatefulAsyncInvocations"
                        ? " List fewer tasks at a time (-First) or without -IncludePayload." : string.Empty);
            }
        }
    }

    /// <summary>
    /// A listing did not progress: FC (or something in between) returned a nextToken it had already returned, or too
    /// many empty pages in a row. The listing was stopped; what was written before is complete up to that point.
    /// </summary>
    public class FcPagingException : Exception
    {
        internal FcPagingException(string action, string message) : base(message)
        {
            Action = action;
        }

        /// <summary>The list action that did not progress, e.g. ListAsyncTasks.</summary>
        public string Action { get; }
    }

    /// <summary>FCINVOKE_LOOPBACK_ONLY is set and a request was aimed at a non-loopback address; nothing was sent.</summary>
    public class FcLoopbackViolationException : FcTransportException
    {
        public FcLoopbackViolationException(Uri destination)
            : base($"FCINVOKE_LOOPBACK_ONLY is set: refusing to send a request to {destination.GetLeftPart(UriPartial.Authority)}, which is not a loopback address. Nothing was sent.", null)
        {
            Destination = destination;
        }

        public Uri Destination { get; }
    }
}
