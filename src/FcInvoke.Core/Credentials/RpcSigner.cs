using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>
    /// Alibaba Cloud RPC signature V1 (HMAC-SHA1), used for STS AssumeRole and GetCallerIdentity:
    /// StringToSign = METHOD + "&amp;" + enc("/") + "&amp;" + enc(canonicalized parameters), where the parameters
    /// (query and form together, without Signature) are sorted by name and written name=value with RFC 3986
    /// percent-encoding; the key is the AccessKey secret followed by "&amp;"; the signature is base64.
    /// </summary>
    internal static class RpcSigner
    {
        public const string Method = "HMAC-SHA1";
        public const string Version = "1.0";

        public static string CanonicalizedQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
            string.Join("&", parameters
                .Where(p => p.Key != "Signature")
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => PercentEncoding.Encode(p.Key) + "=" + PercentEncoding.Encode(p.Value ?? string.Empty)));

        public static string StringToSign(string httpMethod, IEnumerable<KeyValuePair<string, string>> parameters) =>
            httpMethod.ToUpperInvariant() + "&" + PercentEncoding.Encode("/") + "&" + PercentEncoding.Encode(CanonicalizedQuery(parameters));

        public static string Sign(string stringToSign, string accessKeySecret)
        {
            using (var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(accessKeySecret + "&")))
            {
                return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
            }
        }

        public static string Sign(string httpMethod, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret) =>
            Sign(StringToSign(httpMethod, parameters), accessKeySecret);
    }
}
