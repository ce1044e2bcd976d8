using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>Verifies ACS3-HMAC-SHA256 signatures the way FC does, from the request exactly as received.</summary>
    internal sealed class EmulatorAuthenticator
    {
        private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);
        private readonly ConcurrentDictionary<string, (string secret, string token)> _keys =
            new ConcurrentDictionary<string, (string, string)>(StringComparer.Ordinal);

        /// <summary>Accepts a key pair; with a token, requests must carry that STS token too.</summary>
        public void Accept(string accessKeyId, string secret, string securityToken = null) =>
            _keys[accessKeyId] = (secret, securityToken);

        /// <summary>Null when the request is authentic, otherwise (status, code, message) to answer with.</summary>
        public EmulatorError Verify(string method, string rawPath, string rawQuery, NameValueCollection headers, byte[] body, DateTimeOffset now)
        {
            var authorization = headers["Authorization"];
            if (string.IsNullOrEmpty(authorization))
                return new EmulatorError(400, "MissingRequiredHeader", "required HTTP header Authorization was not specified");
            if (!Acs3Signer.TryParseAuthorization(authorization, out var keyId, out var signedHeaders, out var signature))
                return new EmulatorError(403, "SignatureNotMatch", "The Authorization header is not an ACS3-HMAC-SHA256 signature.");
            if (!_keys.TryGetValue(keyId, out var key))
                return new EmulatorError(403, "InvalidAccessKeyID", $"invalid access key ID '{keyId}'");

            var date = headers["x-acs-date"];
            if (!DateTimeOffset.TryParseExact(date, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
                return new EmulatorError(400, "MissingRequiredHeader", "required HTTP header x-acs-date was not specified or is not yyyy-MM-ddTHH:mm:ssZ");
            if ((now - signedAt).Duration() > MaxClockSkew)
                return new EmulatorError(403, "InvalidTimeStamp", $"the request time {date} is more than 15 minutes away from the server time");

            var contentHash = headers["x-acs-content-sha256"];
            var actualHash = Acs3Signer.HexSha256(body ?? Array.Empty<byte>());
            if (contentHash != null && !string.Equals(contentHash, actualHash, StringComparison.OrdinalIgnoreCase))
                return new EmulatorError(400, "InvalidArgument", "x-acs-content-sha256 does not match the request body");

            var signed = new List<KeyValuePair<string, string>>();
            foreach (var name in signedHeaders)
            {
                var value = headers[name];
                if (value == null) return new EmulatorError(403, "SignatureNotMatch", $"the signed header '{name}' is missing");
                signed.Add(new KeyValuePair<string, string>(name, value));
            }
            if (Array.IndexOf(signedHeaders, "host") < 0)
                return new EmulatorError(403, "SignatureNotMatch", "the host header must be signed");

            var canonical = Acs3Signer.BuildCanonicalRequest(method, rawPath, ParseQuery(rawQuery), signed,
                contentHash ?? actualHash, out _);
            var expected = Acs3Signer.ComputeSignature(canonical, key.secret);
            if (!FixedTimeEquals(expected, signature))
                return new EmulatorError(403, "SignatureNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your access key and signing method.");

            if (key.token != null && !FixedTimeEquals(key.token, headers["x-acs-security-token"] ?? string.Empty))
                return new EmulatorError(403, "InvalidSecurityToken", "the security token is missing or does not belong to this access key");
            return null;
        }

        public static List<KeyValuePair<string, string>> ParseQuery(string rawQuery)
        {
            var result = new List<KeyValuePair<string, string>>();
            if (string.IsNullOrEmpty(rawQuery)) return result;
            foreach (var part in rawQuery.Split('&'))
            {
                if (part.Length == 0) continue;
                var eq = part.IndexOf('=');
                var name = eq < 0 ? part : part.Substring(0, eq);
                var value = eq < 0 ? string.Empty : part.Substring(eq + 1);
                result.Add(new KeyValuePair<string, string>(PercentEncoding.Decode(name, true), PercentEncoding.Decode(value, true)));
            }
            return result;
        }

        private static bool FixedTimeEquals(string a, string b)
        {
            if (a == null || b == null || a.Length != b.Length) return false;
            int diff = 0;
            for (int i = 0; i < a.Length; i++) diff |= a[i] ^ b[i];
            return diff == 0;
        }
    }

    internal sealed class EmulatorError
    {
        public EmulatorError(int status, string code, string message)
        {
            Status = status; Code = code; Message = message;
        }
        public int Status { get; }
        public string Code { get; }
        public string Message { get; }
    }
}
