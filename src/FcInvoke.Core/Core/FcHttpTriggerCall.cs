using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Credentials;

namespace FcInvoke.Core
{
    /// <summary>How a call to an HTTP trigger is authenticated (the trigger's auth type decides what FC checks).</summary>
    internal enum FcTriggerAuth
    {
        /// <summary>authType anonymous: nothing is added.</summary>
        Anonymous,
        /// <summary>authType function: FC's trigger signature (ACS3; FC 2.0's "FC" signature on a /proxy/ path).</summary>
        Signature,
        /// <summary>authType jwt (or FC's bearer tokens): "Authorization: Bearer &lt;token&gt;".</summary>
        Jwt,
    }

    /// <summary>What to send to an HTTP trigger: one input of Invoke-FcHttpTrigger, before the trigger's URL is known.</summary>
    internal sealed class FcHttpCallSpec
    {
        /// <summary>The methods FC's HTTP triggers take (http-triggers.md §5).</summary>
        public static readonly string[] Methods = { "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS" };

        /// <summary>FC's limits on a trigger request (http-triggers.md §5): path with query 4 KB, all headers 8 KB.</summary>
        public const int MaxPathAndQueryBytes = 4 * 1024;
        public const int MaxHeaderBytes = 8 * 1024;

        private static readonly HashSet<string> ProtocolHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "expect", "proxy-authorization",
            "proxy-connection", "content-length", "date",
        };

        /// <summary>Upper case, one of <see cref="Methods"/>.</summary>
        public string Method { get; set; } = "GET";
        /// <summary>-Uri: an absolute http(s) URL (a trigger URL, or its base with -Path); null when the trigger is found by function.</summary>
        public Uri Uri { get; set; }
        /// <summary>The function whose trigger is found with ListTriggers; null with -Uri.</summary>
        public FcFunctionRef? Function { get; set; }
        /// <summary>Use the trigger's intranet URL (urlIntranet).</summary>
        public bool Intranet { get; set; }
        /// <summary>-Path: the path under the trigger URL, as text (encoded by the module); null for none.</summary>
        public string Path { get; set; }
        public IReadOnlyList<KeyValuePair<string, string>> Query { get; set; } = Array.Empty<KeyValuePair<string, string>>();
        public IReadOnlyList<KeyValuePair<string, string>> Headers { get; set; } = Array.Empty<KeyValuePair<string, string>>();
        /// <summary>The body (with its content type), or null for none.</summary>
        public FcRequestBody Body { get; set; }
        /// <summary>-Authentication; null: the trigger's auth type (with -FunctionName) or the default for a URL.</summary>
        public FcTriggerAuth? Authentication { get; set; }
        /// <summary>-Token: the JWT (or bearer token) sent as "Authorization: Bearer"; never shown.</summary>
        public SecureString Token { get; set; }
        /// <summary>The authentication the caller chose: -Authentication, else Jwt with -Token; null leaves it to the trigger (or a URL's default).</summary>
        public FcTriggerAuth? ChosenAuthentication => Authentication ?? (Token != null ? FcTriggerAuth.Jwt : (FcTriggerAuth?)null);
        public bool IsAsync { get; set; }
        public string AsyncTaskId { get; set; }

        /// <summary>
        /// Null when the call can be sent as far as can be told without the trigger; otherwise what is wrong and what to do.
        /// Checked before anything goes on the wire (the trigger's own methods and auth type are checked once it is found:
        /// <see cref="CheckAgainst"/>).
        /// </summary>
        public string Validate()
        {
            if (Array.IndexOf(Methods, Method) < 0)
                return $"-Method {Method} is not one FC's HTTP triggers take: use {string.Join(", ", Methods)}.";
            if (Uri != null)
            {
                if (!Uri.IsAbsoluteUri || (Uri.Scheme != Uri.UriSchemeHttp && Uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(Uri.Host))
                    return $"-Uri '{Uri.OriginalString}' is not an absolute http:// or https:// URL: give the trigger's URL, for example " +
                           "https://my-func-abcdefgh.cn-hangzhou.fcapp.run (an emulator's are in $emu.HttpTriggerUrls), or name the function with -FunctionName.";
                if (!string.IsNullOrEmpty(Uri.UserInfo))
                    return "-Uri carries a user name or password, which FcInvoke does not send: give the URL without it, and authenticate with -Authentication.";
                if (Intranet)
                    return "-Internal picks the intranet URL of a trigger found with -FunctionName; with -Uri, give the intranet URL itself (…-vpc.fcapp.run).";
            }
            if (Path != null)
            {
                if (Path.IndexOf('?') >= 0 || Path.IndexOf('#') >= 0)
                    return $"-Path '{Path}' contains '?' or '#': give the query as -Query @{{ name = 'value' }} (a fragment is never sent).";
                foreach (var segment in Path.Split('/'))
                    if (segment == "." || segment == "..")
                        return $"-Path '{Path}' has a '{segment}' segment, which HTTP clients resolve before sending: write the path without it.";
            }
            if (Body != null && !MediaTypeHeaderValue.TryParse(Body.ContentType, out _))
                return $"-ContentType '{Body.ContentType}' is not a media type: give one like 'application/json' or 'text/csv; charset=utf-8'.";
            if (Body != null && (Method == "GET" || Method == "HEAD"))
                return $"A {Method} request carries no body: use -Method POST (or PUT, PATCH), or send the values as -Query @{{ ... }}.";
            if (IsAsync && Method == "HEAD")
                return "A HEAD request cannot be asynchronous: FC answers an asynchronous call with 202 and no body, so there is nothing to ask HEAD for. Use -Method GET or POST.";
            if (AsyncTaskId != null)
            {
                var problem = FcNames.CheckTaskId(AsyncTaskId);
                if (problem != null) return problem;
                if (!IsAsync) return "An async task id applies to asynchronous calls only (-InvocationType Async).";
            }
            if (Token != null && Authentication.HasValue && Authentication.Value != FcTriggerAuth.Jwt)
                return $"-Token is sent as 'Authorization: Bearer <token>' with -Authentication Jwt, not with -Authentication {Authentication.Value}.";
            if (Authentication == FcTriggerAuth.Jwt && Token == null)
                return "-Authentication Jwt needs the token: give it with -Token (FcInvoke does not make JWTs; your identity provider does).";
            if (Token != null)
            {
                var text = new NetworkCredential(string.Empty, Token).Password;
                if (text.Length == 0 || text.Any(c => c < 0x21 || c > 0x7E))
                    return "-Token is empty or contains spaces, line breaks or characters HTTP headers cannot carry: give the token alone, without 'Bearer '.";
            }
            return CheckHeaders();
        }

        private string CheckHeaders()
        {
            int total = 0;
            foreach (var h in Headers)
            {
                var name = h.Key ?? string.Empty;
                if (name.Length == 0) return "-Header has an entry without a name.";
                foreach (var c in name)
                    if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".IndexOf(c) >= 0) return $"-Header '{name}' is not a valid HTTP header name.";
                foreach (var c in h.Value ?? string.Empty)
                    if (c == '\r' || c == '\n' || c == '\0') return $"The value of -Header '{name}' contains a line break or NUL.";
                if (name.StartsWith("x-fc-", StringComparison.OrdinalIgnoreCase))
                    return $"-Header '{name}': FC refuses custom x-fc-* headers on HTTP triggers; the module sets the ones it documents " +
                           "from -InvocationType (X-Fc-Invocation-Type) and -AsyncTaskId (X-Fc-Async-Task-Id).";
                if (name.StartsWith("x-acs-", StringComparison.OrdinalIgnoreCase))
                    return $"-Header '{name}': x-acs-* headers belong to the trigger signature, which the module makes (-Authentication Signature).";
                if (string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase))
                    return "-Header 'Content-Type': give the body's type with -ContentType.";
                if (ProtocolHeaders.Contains(name))
                    return $"-Header '{name}' is set by HTTP (or, for Date, by the module), not by a caller" +
                           (name.Equals("connection", StringComparison.OrdinalIgnoreCase) || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
                               ? "; FC refuses it on HTTP triggers." : ".");
                if (name.StartsWith("content-", StringComparison.OrdinalIgnoreCase) && Body == null)
                    return $"-Header '{name}' describes a body, and this call sends none: give the body with -Body or -InputFile.";
                if (string.Equals(name, "authorization", StringComparison.OrdinalIgnoreCase) && Authentication.HasValue && Authentication.Value != FcTriggerAuth.Anonymous)
                    return $"-Header 'Authorization': with -Authentication {Authentication.Value} the module sets it. To send your own (Basic, say), give -Authentication Anonymous.";
                total += name.Length + (h.Value ?? string.Empty).Length + 4;
            }
            if (total > MaxHeaderBytes)
                return $"The -Header values add up to {total:N0} bytes; FC refuses a trigger request whose headers pass 8 KB (400 InvalidArgument). Send less in headers (a body, say).";
            return null;
        }

        /// <summary>
        /// The checks that need the trigger: a method it does not take, an auth type FcInvoke cannot make, a JWT trigger
        /// without -Token, an Authorization header of the caller's with a trigger that the module authenticates.
        /// </summary>
        public string CheckAgainst(FcTriggerTarget target, FcTriggerAuth auth)
        {
            if (target.Methods.Count > 0 && !target.Methods.Contains(Method, StringComparer.OrdinalIgnoreCase))
                return $"The HTTP trigger of '{target.Function}' takes {string.Join(", ", target.Methods)}, not {Method}: use -Method {target.Methods[0]}" +
                       (Body != null && !target.Methods.Any(m => m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" || m == "OPTIONS")
                           ? ", without a body" : string.Empty) + ".";
            if (auth == FcTriggerAuth.Jwt && Token == null)
                return $"The HTTP trigger of '{target.Function}' checks a JWT (authType {target.AuthType ?? "jwt"}): give the token with -Token " +
                       "(FcInvoke sends it as 'Authorization: Bearer <token>'; it does not make JWTs).";
            if (auth != FcTriggerAuth.Anonymous && Headers.Any(h => string.Equals(h.Key, "authorization", StringComparison.OrdinalIgnoreCase)))
                return $"-Header 'Authorization': the trigger of '{target.Function}' is authenticated by the module ({auth}). To send your own, give -Authentication Anonymous.";
            return null;
        }

        /// <summary>The authentication a trigger's auth type asks for; null (with <paramref name="problem"/>) for one FcInvoke cannot make.</summary>
        public static FcTriggerAuth? AuthFor(string authType, string function, out string problem)
        {
            problem = null;
            switch ((authType ?? string.Empty).Trim().ToLowerInvariant())
            {
                case "anonymous": return FcTriggerAuth.Anonymous;
                case "": // FC3-GO documents "function" as the default
                case "function": return FcTriggerAuth.Signature;
                case "jwt":
                case "bearer": return FcTriggerAuth.Jwt;
                default:
                    problem = $"The HTTP trigger of '{function}' uses '{authType}' authentication, which FcInvoke does not make. " +
                              "Send the credential it expects yourself: -Authentication Anonymous -Header @{ Authorization = '...' }.";
                    return null;
            }
        }
    }

    /// <summary>
    /// A call to an HTTP trigger, for both ways of naming it (a URL, or a function whose trigger is found): the request it
    /// sends and the <see cref="FcHttpResponse"/> it makes of the answer. FC's own refusal (an error object with FC's
    /// request id) becomes <see cref="FcServiceException"/>; the function's own 4xx/5xx is returned as a response, which
    /// the caller may raise as <see cref="FcHttpException"/> (<see cref="Refusal"/>).
    /// </summary>
    internal static class FcHttpTriggerCall
    {
        /// <summary>The headers FC documents for asynchronous trigger calls (http-triggers.md §4).</summary>
        public const string InvocationTypeHeader = "X-Fc-Invocation-Type";
        public const string AsyncTaskIdHeader = "X-Fc-Async-Task-Id";
        /// <summary>On FC 2.0's /proxy/ path the task id goes as FC 2.0's InvokeFunction sends it (no source says which one the path reads).</summary>
        public const string ProxyAsyncTaskIdHeader = "X-Fc-Stateful-Async-Invocation-Id";

        /// <summary>The request for one call: <paramref name="baseUri"/> (the trigger URL) with the spec's path and query, authenticated as <paramref name="auth"/>.</summary>
        public static FcRequest BuildRequest(FcHttpCallSpec spec, Uri baseUri, FcTriggerAuth auth)
        {
            var path = JoinPath(baseUri.AbsolutePath, spec.Path);
            var proxy = FcProxySignature.IsProxyPath(path);
            var method = new HttpMethod(spec.Method);
            var kind = spec.IsAsync && spec.AsyncTaskId != null ? FcCallKind.TaskSubmission : FcCallKind.Invocation;
            var request = FcRequest.ForTrigger($"{spec.Method} {path}", method, baseUri, path, kind, new FcTriggerMessages(auth, spec.Token, proxy))
                // A synchronous call passes the function's own answer through, whatever its status; an asynchronous one only queues.
                .WithFunctionAnswers(!spec.IsAsync)
                .WithDefaultAttemptTimeout(spec.IsAsync ? FcRequestDefaults.AttemptTimeout : (TimeSpan?)null)
                .WithBody(spec.Body);
            // Uri.Query keeps its '?': the query proper starts after it.
            foreach (var q in PercentEncoding.ParseQuery(baseUri.Query.Length > 0 ? baseUri.Query.Substring(1) : baseUri.Query)) request.WithQueryPair(q.Key, q.Value);
            foreach (var q in spec.Query) request.WithQueryPair(q.Key, q.Value);
            foreach (var h in spec.Headers) request.WithHeaderPair(h.Key, h.Value);
            if (spec.IsAsync)
            {
                request.WithHeaderPair(InvocationTypeHeader, "Async");
                if (spec.AsyncTaskId != null) request.WithHeaderPair(proxy ? ProxyAsyncTaskIdHeader : AsyncTaskIdHeader, spec.AsyncTaskId);
            }
            return request;
        }

        /// <summary>Null when the built request fits FC's trigger limits; otherwise what is wrong (path and query over 4 KB).</summary>
        public static string CheckLimits(FcRequest request)
        {
            var length = Encoding.UTF8.GetByteCount(request.PathAndQuery);
            return length > FcHttpCallSpec.MaxPathAndQueryBytes
                ? $"The path and query come to {length:N0} bytes; FC refuses a trigger request whose path and query pass 4 KB (400 InvalidArgument). Send the values in a body instead (-Method POST -Body @{{ ... }})."
                : null;
        }

        /// <summary>
        /// The path as sent: the base URL's path in its canonical encoded form (each segment decoded, then percent-encoded
        /// as the SDKs encode), then -Path's segments percent-encoded as text. Only unreserved characters, '/' and %XX are
        /// ever sent, so the path signed is the path HTTP sends, whatever the gateway's own canonical form of other characters.
        /// </summary>
        public static string JoinPath(string basePath, string literalPath)
        {
            var head = string.Join("/", (string.IsNullOrEmpty(basePath) ? "/" : basePath).Split('/').Select(s => PercentEncoding.Encode(PercentEncoding.Decode(s))));
            if (!head.StartsWith("/", StringComparison.Ordinal)) head = "/" + head;
            if (literalPath == null) return head;
            var tail = literalPath.StartsWith("/", StringComparison.Ordinal) ? literalPath.Substring(1) : literalPath;
            var encoded = string.Join("/", tail.Split('/').Select(PercentEncoding.Encode));
            return head.TrimEnd('/') + "/" + encoded;
        }

        /// <summary>
        /// Sends the call and makes the response: a 2xx or 3xx (redirects are not followed), and, for a synchronous call, the
        /// function's own 4xx/5xx too (check <see cref="FcHttpResponse.StatusCode"/>, or raise it with <see cref="Refusal"/>).
        /// FC's own refusal throws <see cref="FcServiceException"/>, except a 409 to an asynchronous call resent with its task
        /// id after a lost answer, which means that attempt queued it (AcceptedEarlier).
        /// </summary>
        public static async Task<FcHttpResponse> SendAsync(FcClient client, FcHttpCallSpec spec, FcRequest request, FcCallOptions options,
                                                           IFcLog log, CancellationToken cancellationToken)
        {
            var response = await client.SendAsync(request, options, log, cancellationToken).ConfigureAwait(false);
            var auth = ((FcTriggerMessages)request.Messages).Auth;
            if (response.StatusCode >= 400 && (spec.IsAsync || FcErrorParser.IsFcOwnError(response)))
            {
                // An asynchronous call only queues: every refusal is FC's. A synchronous one: only FC's own error object.
                var error = FcErrorParser.Parse(response, request.Action);
                if (!FcInvocation.IsAcceptedEarlier(request, response, error)) throw Explain(error, auth);
                log?.Verbose($"{request.Action}: task '{spec.AsyncTaskId}' already exists ({error.ErrorCode}, HTTP 409) after an earlier attempt's answer was lost: " +
                             "that attempt queued it, so it counts as accepted.");
                var accepted = ToResponse(spec, request, response, auth);
                accepted.AcceptedEarlier = true;
                accepted.RawContent = Array.Empty<byte>(); // the 409's body is not an answer to the call
                return accepted;
            }
            return ToResponse(spec, request, response, auth);
        }

        /// <summary>FC's refusal of a trigger call, with what the trigger's authentication needs when that is what failed.</summary>
        private static FcServiceException Explain(FcServiceException error, FcTriggerAuth auth)
        {
            string hint = null;
            if (error.StatusCode == 401 || error.StatusCode == 403 || error.ErrorCode == "MissingRequiredHeader" ||
                (error.ErrorCode == "InvalidArgument" && (error.ErrorMessage ?? string.Empty).IndexOf("authorization", StringComparison.OrdinalIgnoreCase) >= 0))
            {
                switch (auth)
                {
                    case FcTriggerAuth.Anonymous:
                        hint = "The call was sent without authentication (-Authentication Anonymous); the trigger's auth type needs one: " +
                               "-Authentication Signature (with credentials) for 'function', -Token for 'jwt'.";
                        break;
                    case FcTriggerAuth.Jwt:
                        hint = "The trigger refused the token given with -Token: check its signature, its expiry (exp, nbf) and that the trigger's auth type is jwt.";
                        break;
                }
            }
            if (hint == null) return error;
            return new FcServiceException(error.ErrorCode, (string.IsNullOrEmpty(error.ErrorMessage) ? string.Empty : error.ErrorMessage.TrimEnd('.') + ". ") + hint,
                                          error.StatusCode, error.RequestId, error.Action, error.Attempts);
        }

        public static FcHttpResponse ToResponse(FcHttpCallSpec spec, FcRequest request, FcResponse response, FcTriggerAuth auth)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in response.Headers) headers[h.Key] = h.Value;
            return new FcHttpResponse
            {
                StatusCode = response.StatusCode,
                ReasonPhrase = response.ReasonPhrase ?? string.Empty,
                Headers = new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(headers),
                ContentType = response.Header("Content-Type"),
                RawContent = response.Body ?? Array.Empty<byte>(),
                RequestId = response.RequestId,
                ErrorType = response.Header(FcHeaders.ErrorType),
                Logs = FcInvocation.DecodeLog(response.Header(FcHeaders.LogResult)),
                AsyncTaskId = spec.IsAsync ? response.Header(FcHeaders.AsyncTaskId) ?? response.Header(FcHeaders.StatefulAsyncInvocationId) ?? spec.AsyncTaskId : null,
                InvocationType = spec.IsAsync ? "Async" : "Sync",
                Method = spec.Method,
                Uri = request.TargetUri,
                Function = spec.Function.HasValue ? spec.Function.Value.ToString() : string.Empty,
                Authentication = auth.ToString(),
                Elapsed = response.Elapsed,
                Attempts = response.Attempts,
            };
        }

        /// <summary>The error a function's 4xx/5xx answer is reported as: the whole response, and one line of what it said.</summary>
        public static FcHttpException Refusal(FcHttpResponse response)
        {
            string code = null, message = null, requestId = null;
            FcErrorParser.TryReadFields(response.RawContent, ref code, ref message, ref requestId);
            var detail = message != null
                ? FcResponseText.Summarize(message, FcErrorParser.MaxMessage)
                : FcResponseText.Summarize(response.RawContent, FcErrorParser.MaxMessage);
            if (detail != null && detail.Length > 0) detail = "\"" + detail + "\"";
            return new FcHttpException(response, detail);
        }
    }
}
