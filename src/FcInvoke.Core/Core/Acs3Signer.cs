using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace FcInvoke.Core
{
    /// <summary>
    /// ACS3-HMAC-SHA256 (Alibaba Cloud signature V3), the scheme the official SDKs use for FC 2021-04-06 and 2023-03-30.
    /// Pure functions: the request builder signs with it and the emulator verifies with it.
    /// </summary>
    internal static class Acs3Signer
    {
        public const string Algorithm = "ACS3-HMAC-SHA256";
        public static readonly string EmptyPayloadHash = HexSha256(Array.Empty<byte>());

        public static string BuildAuthorization(
            string method, string canonicalUri,
            IEnumerable<KeyValuePair<string, string>> query,
            IEnumerable<KeyValuePair<string, string>> headers,
            string hashedPayload, string accessKeyId, string accessKeySecret)
        {
            var canonical = BuildCanonicalRequest(method, canonicalUri, query, headers, hashedPayload, out var signedHeaders);
            var signature = ComputeSignature(canonical, accessKeySecret);
            return $"{Algorithm} Credential={accessKeyId},SignedHeaders={signedHeaders},Signature={signature}";
        }

        public static string ComputeSignature(string canonicalRequest, string accessKeySecret)
        {
            var stringToSign = Algorithm + "\n" + HexSha256(Encoding.UTF8.GetBytes(canonicalRequest));
            using (var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(accessKeySecret)))
            {
                return ToHex(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
            }
        }

        public static string BuildCanonicalRequest(
            string method, string canonicalUri,
            IEnumerable<KeyValuePair<string, string>> query,
            IEnumerable<KeyValuePair<string, string>> headers,
            string hashedPayload, out string signedHeaders)
        {
            var signed = SelectSignedHeaders(headers);
            signedHeaders = string.Join(";", signed.Keys);
            var sb = new StringBuilder(512);
            sb.Append(method ?? string.Empty).Append('\n');
            sb.Append(CanonicalUri(canonicalUri)).Append('\n');
            sb.Append(CanonicalQuery(query)).Append('\n');
            foreach (var h in signed) sb.Append(h.Key).Append(':').Append(h.Value).Append('\n');
            sb.Append('\n');
            sb.Append(signedHeaders).Append('\n');
            sb.Append(hashedPayload);
            return sb.ToString();
        }

        /// <summary>Headers that take part in the signature: host, content-type and x-acs-*, lower-cased and sorted.</summary>
        public static SortedDictionary<string, string> SelectSignedHeaders(IEnumerable<KeyValuePair<string, string>> headers)
        {
            var grouped = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var h in headers)
            {
                var name = h.Key.Trim().ToLowerInvariant();
                if (!IsSignedHeader(name)) continue;
                if (!grouped.TryGetValue(name, out var values)) grouped[name] = values = new List<string>(1);
                values.Add((h.Value ?? string.Empty).Trim());
            }
            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var g in grouped)
            {
                if (g.Value.Count > 1) g.Value.Sort(StringComparer.Ordinal);
                result[g.Key] = string.Join(",", g.Value);
            }
            return result;
        }

        public static bool IsSignedHeader(string lowerName) =>
            lowerName == "host" || lowerName == "content-type" || lowerName.StartsWith("x-acs-", StringComparison.Ordinal);

        public static string CanonicalUri(string path)
        {
            if (string.IsNullOrEmpty(path)) return "/";
            return path.Replace("+", "%20").Replace("*", "%2A").Replace("%7E", "~");
        }

        /// <summary>
        /// The canonical query: pairs sorted by key, each "key=" + the percent-encoded value, joined with '&amp;'. The key is
        /// left as it is, as the official code does (npm @alicloud/openapi-util 0.3.3 getAuthorizationQueryString;
        /// alibabacloud-go/openapi-util service.go getCanonicalQueryString): only values are encoded.
        /// </summary>
        public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> query)
        {
            if (query == null) return string.Empty;
            var pairs = query.Select(q => new KeyValuePair<string, string>(q.Key ?? string.Empty, PercentEncoding.Encode(q.Value ?? string.Empty)))
                             .OrderBy(q => q.Key, StringComparer.Ordinal)
                             .ThenBy(q => q.Value, StringComparer.Ordinal);
            return string.Join("&", pairs.Select(p => p.Key + "=" + p.Value));
        }

        public static string HexSha256(byte[] data)
        {
            using (var sha = SHA256.Create()) return ToHex(sha.ComputeHash(data));
        }

        public static string ToHex(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            const string hex = "0123456789abcdef";
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[i * 2] = hex[bytes[i] >> 4];
                chars[i * 2 + 1] = hex[bytes[i] & 0xF];
            }
            return new string(chars);
        }

        /// <summary>Parses "ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..". Returns false on any other shape.</summary>
        public static bool TryParseAuthorization(string authorization, out string accessKeyId, out string[] signedHeaders, out string signature)
        {
            accessKeyId = null; signedHeaders = null; signature = null;
            if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal)) return false;
            foreach (var part in authorization.Substring(Algorithm.Length + 1).Split(','))
            {
                var eq = part.IndexOf('=');
                if (eq <= 0) return false;
                var key = part.Substring(0, eq).Trim();
                var value = part.Substring(eq + 1).Trim();
                switch (key)
                {
                    case "Credential": accessKeyId = value; break;
                    case "SignedHeaders": signedHeaders = value.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries); break;
                    case "Signature": signature = value; break;
                }
            }
            return accessKeyId != null && signedHeaders != null && signature != null;
        }
    }
}
