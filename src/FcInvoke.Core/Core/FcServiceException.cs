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
