using System;
using System.Collections.Generic;
using System.Text;

namespace FcInvoke
{
    /// <summary>One call to a function's HTTP trigger, as Invoke-FcHttpTrigger returns it: the HTTP answer and what it was for.</summary>
    public sealed class FcHttpResponse
    {
        private string _content;
        private object _parsed;
        private bool _isParsed;

        /// <summary>Made by the module only (and never by PowerShell's type conversion from a piped hashtable or row).</summary>
        internal FcHttpResponse() { }

        /// <summary>The HTTP status of the answer (202 for an accepted asynchronous call; 409 when <see cref="AcceptedEarlier"/>).</summary>
        public int StatusCode { get; internal set; }
        /// <summary>The status line's reason phrase as sent, e.g. "Not Found"; may be empty.</summary>
        public string ReasonPhrase { get; internal set; }
        /// <summary>Every response header, read-only and case-insensitive; repeated headers joined with ",".</summary>
        public IReadOnlyDictionary<string, string> Headers { get; internal set; }
        /// <summary>The Content-Type of the answer, as sent; null when it has none.</summary>
        public string ContentType { get; internal set; }
        /// <summary>The body as it came, byte for byte.</summary>
        public byte[] RawContent { get; internal set; }

        /// <summary>The body as text, decoded with the charset of <see cref="ContentType"/> (UTF-8 when it names none, or one this system lacks); made on first use.</summary>
        public string Content => _content ?? (_content = Decode(RawContent, ContentType));

        /// <summary>
        /// The body parsed as JSON (objects, arrays, numbers, as ConvertFrom-Json gives them), once, when the content type
        /// is JSON (application/json, text/json, or a +json type); null otherwise, or when the body is empty.
        /// </summary>
        public object ContentObject
        {
            get
            {
                if (!_isParsed)
                {
                    var parse = FcInvocationResult.JsonParser;
                    _parsed = !IsJson(ContentType) || string.IsNullOrWhiteSpace(Content) ? null : parse != null ? parse(Content) : Content;
                    _isParsed = true;
                }
                return _parsed;
            }
        }

        /// <summary>FC's request id (X-Fc-Request-Id).</summary>
        public string RequestId { get; internal set; }
        /// <summary>Set when the function failed and FC says how (X-Fc-Error-Type, e.g. UnhandledInvocationError).</summary>
        public string ErrorType { get; internal set; }
        /// <summary>The function's log tail, decoded, when FC returns one (X-Fc-Log-Result); FC returns none to trigger calls unless the trigger is set up to.</summary>
        public string Logs { get; internal set; }
        /// <summary>Sync, or Async for a call made with -InvocationType Async (X-Fc-Invocation-Type: Async): FC queued it and answered 202.</summary>
        public string InvocationType { get; internal set; }
        /// <summary>The async task id of an asynchronous call (X-Fc-Async-Task-Id, or the -AsyncTaskId given).</summary>
        public string AsyncTaskId { get; internal set; }
        /// <summary>
        /// True when this asynchronous call with -AsyncTaskId was sent again after its answer was lost and FC then answered 409
        /// "already exists": the lost attempt had queued the task, exactly once. StatusCode and RequestId are those of the 409.
        /// </summary>
        public bool AcceptedEarlier { get; internal set; }
        /// <summary>The HTTP method sent, e.g. GET.</summary>
        public string Method { get; internal set; }
        /// <summary>The URL called: the trigger URL, the path and the query, as sent.</summary>
        public Uri Uri { get; internal set; }
        /// <summary>The function whose trigger was found with -FunctionName ('service/function:qualifier'); empty for a call made with -Uri.</summary>
        public string Function { get; internal set; }
        /// <summary>How the call was authenticated: Anonymous, Signature or Jwt.</summary>
        public string Authentication { get; internal set; }
        /// <summary>Round-trip time seen by the client, retries included.</summary>
        public TimeSpan Elapsed { get; internal set; }
        /// <summary>How many HTTP attempts the call took (more than 1 after FC throttled it).</summary>
        public int Attempts { get; internal set; }
        /// <summary>
        /// The input this response answers: the piped object, else -Body, else the -InputFile path, else the URL or function
        /// named. An error's TargetObject is the response itself (for a function's 4xx/5xx) or this input.
        /// </summary>
        public object InputObject { get; internal set; }
        /// <summary>The connection the call used when it needed one (discovery, signature); null for an anonymous or JWT call to a URL.</summary>
        public FcContext Context { get; internal set; }

        public override string ToString() => Content;

        internal static bool IsJson(string contentType)
        {
            if (string.IsNullOrEmpty(contentType)) return false;
            var semicolon = contentType.IndexOf(';');
            var media = (semicolon < 0 ? contentType : contentType.Substring(0, semicolon)).Trim();
            return media.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
                   media.Equals("text/json", StringComparison.OrdinalIgnoreCase) ||
                   media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The charset parameter of a content type, or null.</summary>
        internal static string Charset(string contentType)
        {
            if (string.IsNullOrEmpty(contentType)) return null;
            foreach (var part in contentType.Split(';'))
            {
                var p = part.Trim();
                if (p.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))
                    return p.Substring(8).Trim().Trim('"');
            }
            return null;
        }

        internal static string Decode(byte[] body, string contentType)
        {
            if (body == null || body.Length == 0) return string.Empty;
            var encoding = Encoding.UTF8;
            var charset = Charset(contentType);
            if (!string.IsNullOrEmpty(charset))
            {
                try { encoding = Encoding.GetEncoding(charset); }
                catch (ArgumentException) { encoding = Encoding.UTF8; } // unknown here: UTF-8, FC's own default
            }
            // A byte order mark that agrees with the encoding is not part of the text.
            var preamble = encoding.GetPreamble();
            var skip = preamble.Length > 0 && body.Length >= preamble.Length && StartsWith(body, preamble) ? preamble.Length : 0;
            return encoding.GetString(body, skip, body.Length - skip);
        }

        private static bool StartsWith(byte[] body, byte[] prefix)
        {
            for (int i = 0; i < prefix.Length; i++) if (body[i] != prefix[i]) return false;
            return true;
        }
    }

    /// <summary>
    /// The function answered its HTTP trigger call with a 4xx or 5xx status (its own answer, not FC's refusal, which is an
    /// <see cref="FcServiceException"/>). The whole answer is in <see cref="Response"/>, which is also the error record's
    /// TargetObject; its InputObject is the input.
    /// </summary>
    public class FcHttpException : Exception
    {
        internal FcHttpException(FcHttpResponse response, string detail)
            : base(Compose(response, detail))
        {
            Response = response;
        }

        public FcHttpResponse Response { get; }
        public int StatusCode => Response.StatusCode;
        public string RequestId => Response.RequestId;
        /// <summary>X-Fc-Error-Type when FC says the function failed (e.g. UnhandledInvocationError); null for an answer the function chose.</summary>
        public string ErrorType => Response.ErrorType;

        private static string Compose(FcHttpResponse response, string detail)
        {
            var what = string.IsNullOrEmpty(response.Function) ? "The function" : $"Function '{response.Function}'";
            var status = response.StatusCode + (string.IsNullOrWhiteSpace(response.ReasonPhrase) ? string.Empty : " " + response.ReasonPhrase);
            var to = $"{response.Method} {response.Uri?.AbsolutePath}";
            var head = string.IsNullOrEmpty(response.ErrorType)
                ? $"{what} answered HTTP {status} to {to}"
                : $"{what} failed ({response.ErrorType}) and FC answered HTTP {status} to {to}";
            return head + (string.IsNullOrEmpty(detail) ? "." : $": {detail}") +
                   (string.IsNullOrEmpty(response.RequestId) ? string.Empty : $" (RequestId {response.RequestId})");
        }
    }
}
