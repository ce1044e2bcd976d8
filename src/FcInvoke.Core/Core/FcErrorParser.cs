using System;
using System.Text;
using System.Text.Json;

namespace FcInvoke.Core
{
    /// <summary>Reads FC error bodies of both shapes: ErrorCode/ErrorMessage (FC 2.0) and Code/Message (FC 3.0), any casing.</summary>
    internal static class FcErrorParser
    {
        /// <summary>Longest error message kept from an error object (FC's own are one sentence).</summary>
        public const int MaxMessage = 512;

        public static FcServiceException Parse(FcResponse response, string action)
        {
            string code = null, message = null, bodyRequestId = null;
            TryReadFields(response.Body, ref code, ref message, ref bodyRequestId);
            if (string.IsNullOrEmpty(code)) code = "HttpStatus" + response.StatusCode;
            if (!string.IsNullOrEmpty(message))
            {
                // FC's message, kept as one line; markup (a page wrapped in JSON by a proxy) removed.
                message = FcResponseText.Summarize(message, MaxMessage);
            }
            else
            {
                // No error object: the status and its reason, and one short line of a gateway's page or a proxy's text,
                // markup removed.
                var reason = string.IsNullOrWhiteSpace(response.ReasonPhrase) ? null : FcResponseText.Summarize(response.ReasonPhrase, 60);
                var excerpt = response.Body != null && response.Body.Length > 0 && !LooksLikeJson(response.Body) ? FcResponseText.Summarize(response.Body) : null;
                // A page that only repeats the status line ("502 Bad Gateway") adds nothing.
                if (excerpt != null && (excerpt == reason || excerpt == $"{response.StatusCode} {reason}" || excerpt == response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    excerpt = null;
                message = $"FC answered HTTP {response.StatusCode}{(reason != null ? " " + reason : string.Empty)} without an error object" +
                          (excerpt != null ? $": \"{excerpt}\"" : ".");
            }
            var requestId = response.RequestId ?? bodyRequestId;
            return new FcServiceException(code, message, response.StatusCode, requestId, action, response.Attempts);
        }

        /// <summary>
        /// Whether an answer is FC's own error rather than something a function returned: FC 3.0's error object (a JSON
        /// object with a Code, a Message and a RequestId) whose RequestId is the X-Fc-Request-Id of the answer. A function
        /// cannot set x-fc-* headers (its answer's request id is always FC's), and its own error bodies do not repeat FC's
        /// request id, so this tells FC's gateway (throttling, authentication, an unknown trigger) from a function's own
        /// 4xx/5xx. An error object without a request id (FC 2.0's shape) is not taken as FC's: the cautious reading,
        /// since a resend of what may have run must never happen.
        /// </summary>
        public static bool IsFcOwnError(FcResponse response)
        {
            var headerId = response.RequestId;
            if (string.IsNullOrEmpty(headerId)) return false;
            string code = null, message = null, bodyId = null;
            TryReadFields(response.Body, ref code, ref message, ref bodyId);
            return !string.IsNullOrEmpty(code) && message != null && string.Equals(bodyId, headerId, StringComparison.Ordinal);
        }

        internal static void TryReadFields(byte[] body, ref string code, ref string message, ref string requestId)
        {
            if (body == null || body.Length == 0 || !LooksLikeJson(body)) return;
            try
            {
                using (var doc = JsonDocument.Parse(body))
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object) return;
                    foreach (var p in doc.RootElement.EnumerateObject())
                    {
                        if (p.Value.ValueKind != JsonValueKind.String) continue;
                        var name = p.Name.ToLowerInvariant();
                        if ((name == "errorcode" || name == "code") && code == null) code = p.Value.GetString();
                        else if ((name == "errormessage" || name == "message") && message == null) message = p.Value.GetString();
                        else if (name == "requestid" && requestId == null) requestId = p.Value.GetString();
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: the caller falls back to the raw text.
            }
        }

        private static bool LooksLikeJson(byte[] body)
        {
            foreach (var b in body)
            {
                if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
                return b == '{';
            }
            return false;
        }
    }
}
