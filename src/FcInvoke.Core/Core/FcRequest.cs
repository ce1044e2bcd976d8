using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;

namespace FcInvoke.Core
{
    /// <summary>
    /// One FC call before it is addressed and signed: the operation (action, method, version, path), its query, the
    /// x-fc-* headers and the body. Immutable once built by <see cref="FcOperations"/> (or, for a call to an HTTP trigger,
    /// by <see cref="FcHttpTriggerCall"/>). How each attempt becomes an <see cref="HttpRequestMessage"/> (addressed,
    /// authenticated) is <see cref="Messages"/>: FC's API signature by default.
    /// </summary>
    internal sealed class FcRequest
    {
        private readonly List<KeyValuePair<string, string>> _query = new List<KeyValuePair<string, string>>();
        private readonly List<KeyValuePair<string, string>> _headers = new List<KeyValuePair<string, string>>();

        public FcRequest(string action, HttpMethod method, FcApiVersion apiVersion, FcCallKind kind, params string[] pathSegments)
            : this(action, method, apiVersion, kind, pathSegments, "/" + apiVersion.ToWire() + "/" + string.Join("/", pathSegments.Select(PercentEncoding.Encode)))
        {
        }

        private FcRequest(string action, HttpMethod method, FcApiVersion apiVersion, FcCallKind kind, string[] pathSegments, string path)
        {
            Action = action;
            Method = method;
            ApiVersion = apiVersion;
            Kind = kind;
            MaxResponseBytes = kind == FcCallKind.Read ? FcResponseLimits.Read : FcResponseLimits.Invocation;
            DefaultAttemptTimeout = kind == FcCallKind.Read ? FcRequestDefaults.AttemptTimeout : (TimeSpan?)null;
            PathSegments = pathSegments;
            Path = path;
        }

        /// <summary>
        /// A call to an HTTP trigger: <paramref name="origin"/> (scheme, host, port) and the path as it is sent
        /// (percent-encoded), authenticated by <paramref name="messages"/>. Its answer may be the function's own (any
        /// status), so every answer's body is read within the maximum, not only a success's.
        /// </summary>
        public static FcRequest ForTrigger(string action, HttpMethod method, Uri origin, string encodedPath, FcCallKind kind, IFcMessageFactory messages)
        {
            var request = new FcRequest(action, method, FcApiVersion.V20230330, kind, Array.Empty<string>(), encodedPath)
            {
                Origin = new Uri(origin.GetLeftPart(UriPartial.Authority)),
                Messages = messages ?? throw new ArgumentNullException(nameof(messages)),
                KeepsErrorBodies = true,
            };
            return request;
        }

        public string Action { get; }
        public HttpMethod Method { get; }
        public FcApiVersion ApiVersion { get; }
        /// <summary>Whether FC may have run the function when an attempt fails: decides what is safe to retry.</summary>
        public FcCallKind Kind { get; private set; }
        /// <summary>The most bytes the answer may have (<see cref="FcResponseLimits"/>).</summary>
        public long MaxResponseBytes { get; private set; }
        /// <summary>Each attempt's time limit when the call sets none: reads and async submissions have one, a sync invocation none.</summary>
        public TimeSpan? DefaultAttemptTimeout { get; private set; }
        public IReadOnlyList<string> PathSegments { get; }
        /// <summary>The percent-encoded path, as sent and as signed.</summary>
        public string Path { get; }
        public IReadOnlyList<KeyValuePair<string, string>> Query => _query;
        public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;
        public FcRequestBody Body { get; private set; }

        /// <summary>How each attempt is made into a message and authenticated: FC's API signature unless set.</summary>
        public IFcMessageFactory Messages { get; private set; } = FcApiMessages.Instance;
        /// <summary>For a call to an HTTP trigger: where it goes (scheme, host, port); null for API calls (the connection's endpoint).</summary>
        public Uri Origin { get; private set; }
        /// <summary>The absolute URI of a call to an HTTP trigger (its origin, path and query as sent); null for API calls.</summary>
        public Uri TargetUri => Origin == null ? null : new Uri(Origin.GetLeftPart(UriPartial.Authority) + PathAndQuery);
        /// <summary>
        /// True for a synchronous call to an HTTP trigger: the answer may be the function's own, whatever its status, so a 429
        /// or 503 is resent only when it is FC's own refusal (<see cref="FcRetryPolicy.IsRetryableAnswer"/>).
        /// </summary>
        public bool AnswerMayBeFunctions { get; private set; }
        /// <summary>Read the body of a 4xx/5xx answer whole (within the maximum), not only its first 64 KiB: it may be the function's answer.</summary>
        public bool KeepsErrorBodies { get; private set; }

        public FcRequest WithQuery(string name, string value)
        {
            if (!string.IsNullOrEmpty(value)) _query.Add(new KeyValuePair<string, string>(name, value));
            return this;
        }

        public FcRequest WithHeader(string name, string value)
        {
            if (!string.IsNullOrEmpty(value)) _headers.Add(new KeyValuePair<string, string>(name, value));
            return this;
        }

        public FcRequest WithKind(FcCallKind kind)
        {
            Kind = kind;
            return this;
        }

        public FcRequest WithResponseLimit(long maxBytes)
        {
            MaxResponseBytes = maxBytes;
            return this;
        }

        public FcRequest WithDefaultAttemptTimeout(TimeSpan? timeout)
        {
            DefaultAttemptTimeout = timeout;
            return this;
        }

        public FcRequest WithBody(FcRequestBody body)
        {
            Body = body;
            return this;
        }

        /// <summary>A query pair kept even when its value is empty ('?flag=' means something to an HTTP function).</summary>
        public FcRequest WithQueryPair(string name, string value)
        {
            _query.Add(new KeyValuePair<string, string>(name, value ?? string.Empty));
            return this;
        }

        /// <summary>A header kept even when its value is empty.</summary>
        public FcRequest WithHeaderPair(string name, string value)
        {
            _headers.Add(new KeyValuePair<string, string>(name, value ?? string.Empty));
            return this;
        }

        public FcRequest WithFunctionAnswers(bool answerMayBeFunctions)
        {
            AnswerMayBeFunctions = answerMayBeFunctions;
            return this;
        }

        public string PathAndQuery =>
            _query.Count == 0 ? Path : Path + "?" + string.Join("&", _query.Select(q => PercentEncoding.Encode(q.Key) + "=" + PercentEncoding.Encode(q.Value)));

        public override string ToString() => $"{Method} {PathAndQuery}";
    }

    internal enum FcCallKind
    {
        /// <summary>Runs user code (or queues it, without a task id): only retried when FC says it did not run it.</summary>
        Invocation,
        /// <summary>Reads or idempotent control calls: also retried on 5xx and dropped connections.</summary>
        Read,
        /// <summary>
        /// An async invocation with a caller-chosen task id: FC accepts an id once, so it is also retried on 5xx and dropped
        /// connections, and a 409 "already exists" after such a retry means an earlier attempt queued it.
        /// </summary>
        TaskSubmission,
    }

    /// <summary>Defaults every request shares.</summary>
    internal static class FcRequestDefaults
    {
        /// <summary>Each attempt of a read or an async submission gets this long when the call sets no -TimeoutSec.</summary>
        public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);
    }
}
