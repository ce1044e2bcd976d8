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
            PathSegments = pathSegments;
            Path = "/" + apiVersion.ToWire() + "/" + string.Join("/", pathSegments.Select(PercentEncoding.Encode));
        }

        public string Action { get; }
        public HttpMethod Method { get; }
        public FcApiVersion ApiVersion { get; }
        /// <summary>Whether FC may have run the function when an attempt fails: decides what is safe to retry.</summary>
        public FcCallKind Kind { get; }
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
        /// <summary>Runs user code: only retried when FC says it did not run it.</summary>
        Invocation,
        /// <summary>Reads or idempotent control calls: also retried on 5xx and dropped connections.</summary>
        Read,
    }
}
