using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;

namespace FcInvoke.Core
{
    /// <summary>
    /// One FC API call before it is addressed and signed: the operation (action, method, version, path),
    /// its query, the x-fc-* headers and the body. Immutable once built by <see cref="FcOperations"/>.
    /// </summary>
    internal sealed class FcRequest
    {
        private readonly List<KeyValuePair<string, string>> _query = new List<KeyValuePair<string, string>>();
        private readonly List<KeyValuePair<string, string>> _headers = new List<KeyValuePair<string, string>>();

        public FcRequest(string action, HttpMethod method, FcApiVersion apiVersion, FcCallKind kind, params string[] pathSegments)
        {
            Action = action;
            Method = method;
            ApiVersion = apiVersion;
            Kind = kind;
            MaxResponseBytes = kind == FcCallKind.Read ? FcResponseLimits.Read : FcResponseLimits.Invocation;
            DefaultAttemptTimeout = kind == FcCallKind.Read ? FcRequestDefaults.AttemptTimeout : (TimeSpan?)null;
            PathSegments = pathSegments;
            Path = "/" + apiVersion.ToWire() + "/" + string.Join("/", pathSegments.Select(PercentEncoding.Encode));
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
