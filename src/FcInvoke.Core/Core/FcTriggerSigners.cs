using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using FcInvoke.Credentials;

namespace FcInvoke.Core
{
    /// <summary>
    /// The signature FC checks on HTTP triggers of auth type "function" (FC 3.0), exactly as the samples of FC's
    /// documentation make it (../shared/reference/http-triggers.md §2, DOC-SIG): headers x-acs-date (UTC, ISO 8601) and
    /// x-acs-security-token (the STS token, or empty for a permanent key, as the samples send it), and an Authorization made
    /// by the ACS3-HMAC-SHA256 algorithm (openapi-util getAuthorization) over the method, the path as sent with '$' as %24,
    /// the decoded query (the first value of each key), those two headers only, and an EMPTY hashed payload: the body is
    /// not signed. A Date header (RFC 1123) goes along unsigned, because FC's FAQ says a request without one is refused.
    /// Pure functions: <see cref="FcTriggerMessages"/> signs every attempt with them.
    /// </summary>
    internal static class FcTriggerSignature
    {
        public const string DateHeader = "x-acs-date";
        public const string TokenHeader = "x-acs-security-token";

        /// <summary>The headers a signed trigger call carries, Authorization last: x-acs-date, x-acs-security-token, Date, Authorization.</summary>
        public static List<KeyValuePair<string, string>> Headers(string method, string pathAsSent, IEnumerable<KeyValuePair<string, string>> decodedQuery,
                                                                FcCredential credential, DateTimeOffset now)
        {
            var signed = new List<KeyValuePair<string, string>>(2)
            {
                new KeyValuePair<string, string>(DateHeader, FcRequestBuilder.FormatDate(now)),
                new KeyValuePair<string, string>(TokenHeader, credential.SecurityToken ?? string.Empty),
            };
            var authorization = Authorization(method, pathAsSent, decodedQuery, signed, string.Empty, credential.AccessKeyId, credential.AccessKeySecret);
            var headers = new List<KeyValuePair<string, string>>(signed)
            {
                new KeyValuePair<string, string>("Date", FormatHttpDate(now)),
                new KeyValuePair<string, string>("Authorization", authorization),
            };
            return headers;
        }

        /// <summary>
        /// getAuthorization as DOC-SIG's samples call it: <paramref name="pathAsSent"/> is the URL's path as it goes on the
        /// wire ('$' is signed as %24), <paramref name="decodedQuery"/> every decoded pair of the query (only the first value
        /// of each key is signed), <paramref name="signedHeaders"/> the x-acs-* headers (and, in the V3 API form, host and
        /// content-type), <paramref name="hashedPayload"/> empty in the documented form.
        /// </summary>
        public static string Authorization(string method, string pathAsSent, IEnumerable<KeyValuePair<string, string>> decodedQuery,
                                           IEnumerable<KeyValuePair<string, string>> signedHeaders, string hashedPayload, string accessKeyId, string accessKeySecret) =>
            Acs3Signer.BuildAuthorization((method ?? string.Empty).ToUpperInvariant(), CanonicalPath(pathAsSent), FirstValues(decodedQuery),
                                          signedHeaders, hashedPayload ?? string.Empty, accessKeyId, accessKeySecret);

        /// <summary>The path as sent, with '$' as %24 (the samples' replace), "/" when empty.</summary>
        public static string CanonicalPath(string pathAsSent) => string.IsNullOrEmpty(pathAsSent) ? "/" : pathAsSent.Replace("$", "%24");

        /// <summary>The first value of each key, in the order the keys first appear (the samples read a parsed query this way).</summary>
        public static List<KeyValuePair<string, string>> FirstValues(IEnumerable<KeyValuePair<string, string>> decodedQuery)
        {
            var result = new List<KeyValuePair<string, string>>();
            if (decodedQuery == null) return result;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var q in decodedQuery)
                if (seen.Add(q.Key ?? string.Empty)) result.Add(new KeyValuePair<string, string>(q.Key ?? string.Empty, q.Value ?? string.Empty));
            return result;
        }

        /// <summary>RFC 1123 in GMT, e.g. "Thu, 04 Jan 2024 01:33:13 GMT".</summary>
        public static string FormatHttpDate(DateTimeOffset now) => now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// FC 2.0's "FC" signature for the documented /2016-08-15/proxy/{service}.{qualifier}/{function}/... path on the account
    /// endpoint (fc-protocol.md §2; the official helper is alibabacloud-gateway-fc-util's SignRequest, GWUTIL):
    /// Authorization "FC &lt;AccessKeyId&gt;:&lt;base64 HMAC-SHA256&gt;" over
    /// METHOD \n Content-MD5 \n Content-Type \n Date \n the x-fc-* headers (lower-cased, sorted, "name:value\n") and the
    /// resource: the decoded path, "\n", and the sorted "key=value" lines of the decoded query (a key with several values
    /// gives a line for each, a key without a value the bare key). Content-MD5 is the hex MD5 of the body, as GWUTIL sends
    /// it; an STS credential adds x-fc-security-token, signed like every x-fc-* header. Pure functions, checked against the
    /// golden vectors V1 to V8 of fc-protocol.md §2.7.
    /// </summary>
    internal static class FcProxySignature
    {
        public const string ApiVersion = "2016-08-15";
        public const string SecurityTokenHeader = "x-fc-security-token";

        /// <summary>Whether a path is FC 2.0's /2016-08-15/proxy/ path, which takes this signature.</summary>
        public static bool IsProxyPath(string path) =>
            path != null && path.StartsWith("/" + ApiVersion + "/proxy/", StringComparison.Ordinal);

        /// <summary>The path (encoded, as sent) of a function's /proxy/ base: /2016-08-15/proxy/{service}.{qualifier}/{function}.</summary>
        public static string BasePath(string service, string qualifier, string function) =>
            $"/{ApiVersion}/proxy/{PercentEncoding.Encode(service)}.{PercentEncoding.Encode(string.IsNullOrEmpty(qualifier) ? "LATEST" : qualifier)}/{PercentEncoding.Encode(function)}";

        /// <summary>The headers a signed /proxy/ call carries: Date, Content-MD5 (with a body), x-fc-security-token (STS), Authorization.</summary>
        public static List<KeyValuePair<string, string>> Headers(string method, string decodedPath, IEnumerable<KeyValuePair<string, string>> decodedQuery,
                                                                string contentMd5, string contentType, IEnumerable<KeyValuePair<string, string>> fcHeaders,
                                                                FcCredential credential, DateTimeOffset now)
        {
            var date = FcTriggerSignature.FormatHttpDate(now);
            var headers = new List<KeyValuePair<string, string>>(fcHeaders ?? Enumerable.Empty<KeyValuePair<string, string>>());
            var result = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("Date", date) };
            if (!string.IsNullOrEmpty(contentMd5)) result.Add(new KeyValuePair<string, string>("Content-MD5", contentMd5));
            var token = credential.SecurityToken;
            if (!string.IsNullOrEmpty(token))
            {
                headers.Add(new KeyValuePair<string, string>(SecurityTokenHeader, token));
                result.Add(new KeyValuePair<string, string>(SecurityTokenHeader, token));
            }
            var toSign = StringToSign(method, contentMd5, contentType, date, headers, Resource(decodedPath, decodedQuery));
            result.Add(new KeyValuePair<string, string>("Authorization", "FC " + credential.AccessKeyId + ":" + Sign(credential.AccessKeySecret, toSign)));
            return result;
        }

        /// <summary>
        /// METHOD \n CONTENT-MD5 \n CONTENT-TYPE \n DATE \n CanonicalizedFCHeaders CanonicalizedResource (fc-protocol.md §2.2):
        /// only headers whose lower-cased name starts with "x-fc-" are canonicalized, lower-cased and sorted by byte order.
        /// </summary>
        public static string StringToSign(string method, string contentMd5, string contentType, string date,
                                          IEnumerable<KeyValuePair<string, string>> headers, string resource)
        {
            var sb = new StringBuilder(256);
            sb.Append(method ?? string.Empty).Append('\n')
              .Append(contentMd5 ?? string.Empty).Append('\n')
              .Append(contentType ?? string.Empty).Append('\n')
              .Append(date ?? string.Empty).Append('\n');
            var fc = new List<KeyValuePair<string, string>>();
            if (headers != null)
                foreach (var h in headers)
                {
                    var name = (h.Key ?? string.Empty).ToLowerInvariant();
                    if (name.StartsWith("x-fc-", StringComparison.Ordinal)) fc.Add(new KeyValuePair<string, string>(name, h.Value ?? string.Empty));
                }
            foreach (var h in fc.OrderBy(h => h.Key, Utf8Order.Instance)) sb.Append(h.Key).Append(':').Append(h.Value).Append('\n');
            sb.Append(resource);
            return sb.ToString();
        }

        /// <summary>
        /// The decoded path, "\n", and the query's "key=value" lines sorted as whole strings by byte order (fc-protocol.md
        /// §2.4): one line per value, the bare key for a key without one (a null value). With no query: the path and "\n".
        /// </summary>
        public static string Resource(string decodedPath, IEnumerable<KeyValuePair<string, string>> decodedQuery)
        {
            var lines = new List<string>();
            if (decodedQuery != null)
                foreach (var q in decodedQuery) lines.Add(q.Value == null ? q.Key : q.Key + "=" + q.Value);
            lines.Sort(Utf8Order.Instance);
            return (string.IsNullOrEmpty(decodedPath) ? "/" : decodedPath) + "\n" + string.Join("\n", lines);
        }

        /// <summary>base64(HMAC-SHA256(secret, stringToSign)), both UTF-8.</summary>
        public static string Sign(string accessKeySecret, string stringToSign)
        {
            using (var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(accessKeySecret)))
                return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
        }

        /// <summary>Byte order of the UTF-8 forms, as Go's sort.Strings and bytes.Compare order them.</summary>
        private sealed class Utf8Order : IComparer<string>
        {
            public static readonly Utf8Order Instance = new Utf8Order();

            public int Compare(string x, string y)
            {
                var a = Encoding.UTF8.GetBytes(x ?? string.Empty);
                var b = Encoding.UTF8.GetBytes(y ?? string.Empty);
                var n = Math.Min(a.Length, b.Length);
                for (int i = 0; i < n; i++)
                    if (a[i] != b[i]) return a[i].CompareTo(b[i]);
                return a.Length.CompareTo(b.Length);
            }
        }
    }
}
