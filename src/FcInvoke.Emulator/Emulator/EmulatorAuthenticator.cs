using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// Verifies ACS3-HMAC-SHA256 requests as FC does, from the headers alone, before any body byte is read: required
    /// headers, the date window, which headers must be signed, the key and its STS token, the signature, and the nonce.
    /// The body is checked afterwards, while it streams in, against the signed x-acs-content-sha256
    /// (<see cref="CheckBody"/>). Codes and their sources: docs/emulator.md.
    /// </summary>
    internal sealed class EmulatorAuthenticator
    {
        public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);
        private static readonly string[] RequiredHeaders = { "host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256" };

        private readonly ConcurrentDictionary<string, AcceptedKey> _keys = new ConcurrentDictionary<string, AcceptedKey>(StringComparer.Ordinal);
        private readonly EmulatorNonceStore _nonces;

        public EmulatorAuthenticator(int nonceCapacity = EmulatorNonceStore.DefaultCapacity)
        {
            _nonces = new EmulatorNonceStore(MaxClockSkew, nonceCapacity);
        }

        /// <summary>How many nonces are remembered now (bounded by the store's capacity).</summary>
        public int RememberedNonces => _nonces.Count;

        /// <summary>Accepts a key pair: a permanent key without a token, or an STS key whose requests must carry that token.</summary>
        public void Accept(string accessKeyId, string secret, string securityToken = null) =>
            _keys[accessKeyId] = new AcceptedKey(secret, string.IsNullOrEmpty(securityToken) ? null : securityToken);

        /// <summary>
        /// Null when the request's headers are authentic, otherwise FC's refusal. <paramref name="hasBody"/> says whether a
        /// body follows (content-type must then be signed); <paramref name="signedContentSha256"/> is the hash the body must have.
        /// </summary>
        public EmulatorError Authenticate(string method, string rawPath, string rawQuery, EmulatorHeaders headers, bool hasBody,
                                          DateTimeOffset now, out string signedContentSha256)
        {
            signedContentSha256 = null;
            var authorization = headers["authorization"];
            if (string.IsNullOrEmpty(authorization)) return MissingHeader("Authorization");
            if (!Acs3Signer.TryParseAuthorization(authorization, out var keyId, out var signedNames, out var signature))
                return new EmulatorError(403, "SignatureNotMatch", "The Authorization header is not an ACS3-HMAC-SHA256 signature (Credential, SignedHeaders, Signature).");
            foreach (var name in RequiredHeaders)
                if (string.IsNullOrEmpty(headers[name])) return MissingHeader(name);

            var date = headers["x-acs-date"];
            if (!DateTimeOffset.TryParseExact(date, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
                return new EmulatorError(400, "InvalidArgument", $"x-acs-date '{date}' is not a UTC time in the form yyyy-MM-ddTHH:mm:ssZ");
            if ((now - signedAt).Duration() > MaxClockSkew)
                return new EmulatorError(403, "InvalidTimeStamp", $"the request time {date} is more than 15 minutes away from the server time");
            var contentHash = headers["x-acs-content-sha256"];
            if (contentHash.Length != 64 || !contentHash.All(Uri.IsHexDigit))
                return new EmulatorError(400, "InvalidArgument", "x-acs-content-sha256 is not a hex SHA-256 digest");

            var unsigned = UnsignedButRequired(headers, signedNames, hasBody);
            if (unsigned != null)
                return new EmulatorError(403, "SignatureNotMatch", $"the header '{unsigned}' is present but not signed; host, every x-acs-* header and, with a body, content-type must be in SignedHeaders");
            var refused = CheckSignature(method, rawPath, PercentEncoding.ParseQuery(rawQuery), headers, keyId, signedNames, signature, contentHash);
            if (refused != null) return refused;

            switch (_nonces.TryRemember(keyId, headers["x-acs-signature-nonce"], signedAt, now))
            {
                case EmulatorNonceStore.Outcome.Replayed:
                    return new EmulatorError(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
                case EmulatorNonceStore.Outcome.Full:
                    return new EmulatorError(429, "ResourceExhausted",
                        $"the emulator remembers at most {_nonces.Capacity} signature nonces of the last 15 minutes; retry later");
            }
            signedContentSha256 = contentHash.ToLowerInvariant();
            return null;
        }

        /// <summary>
        /// Verifies an HTTP trigger request of auth type "function" as FC's trigger gateway does (http-triggers.md §2):
        /// ACS3 over the path as sent (with '$' as %24), the decoded query (first value of each key), the signed headers
        /// and an empty payload hash, unless the client signed an x-acs-content-sha256 (then that, and the body must
        /// match it: <paramref name="signedContentSha256"/>). No nonce: FC's trigger signature has none.
        /// </summary>
        public EmulatorError AuthenticateTrigger(string method, string rawPath, string rawQuery, EmulatorHeaders headers, DateTimeOffset now,
                                                 out string signedContentSha256)
        {
            signedContentSha256 = null;
            var authorization = headers["authorization"];
            if (string.IsNullOrEmpty(authorization)) return MissingHeader("Authorization");
            if (!Acs3Signer.TryParseAuthorization(authorization, out var keyId, out var signedNames, out var signature))
                return new EmulatorError(400, "InvalidArgument", "invalid authorization: it is not ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...");
            var date = headers["x-acs-date"];
            if (string.IsNullOrEmpty(date)) return MissingHeader("Date");
            if (!DateTimeOffset.TryParseExact(date, new[] { "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFF'Z'" }, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
                return new EmulatorError(400, "InvalidArgument", $"x-acs-date '{date}' is not a UTC time in ISO 8601 form");
            if ((now - signedAt).Duration() > MaxClockSkew)
                return new EmulatorError(403, "InvalidTimeStamp", string.Format(CultureInfo.InvariantCulture,
                    "the difference between the request time '{0:r}' and the current time '{1:r}' is too large", signedAt, now));
            var unsigned = headers.LowerCaseNames.FirstOrDefault(n => n.StartsWith("x-acs-", StringComparison.Ordinal) && Array.IndexOf(signedNames, n) < 0);
            if (unsigned != null) return new EmulatorError(403, "SignatureNotMatch", $"the header '{unsigned}' is present but not signed; every x-acs-* header must be in SignedHeaders");
            var payloadHash = Array.IndexOf(signedNames, "x-acs-content-sha256") >= 0 ? headers["x-acs-content-sha256"] : string.Empty;
            var query = PercentEncoding.ParseQuery(rawQuery).GroupBy(q => q.Key, StringComparer.Ordinal).Select(g => g.First());
            var refused = CheckSignature(method, rawPath.Replace("$", "%24"), query, headers, keyId, signedNames, signature, payloadHash);
            if (refused != null) return refused;
            signedContentSha256 = payloadHash.Length == 0 ? null : payloadHash.ToLowerInvariant();
            return null;
        }

        /// <summary>
        /// What both signatures share once the request's form is checked: every signed header present, the key known, the
        /// signature over the canonical request right, and the STS token the key's (a token marks an STS request: a
        /// permanent key is then not found among STS keys, and an STS key without its token is not found among permanent
        /// ones; Alibaba Cloud answers both as an unknown AccessKey ID).
        /// </summary>
        private EmulatorError CheckSignature(string method, string canonicalPath, IEnumerable<KeyValuePair<string, string>> query, EmulatorHeaders headers,
                                             string keyId, string[] signedNames, string signature, string payloadHash)
        {
            var signedValues = new List<KeyValuePair<string, string>>();
            foreach (var name in signedNames)
            {
                var values = headers.Values(name).ToList();
                if (values.Count == 0) return new EmulatorError(403, "SignatureNotMatch", $"the signed header '{name}' is missing");
                foreach (var value in values) signedValues.Add(new KeyValuePair<string, string>(name, value));
            }
            if (!_keys.TryGetValue(keyId, out var key)) return InvalidKey(keyId);
            var canonical = Acs3Signer.BuildCanonicalRequest(method, canonicalPath, query, signedValues, payloadHash, out _);
            if (!FixedTimeEquals(Acs3Signer.ComputeSignature(canonical, key.Secret), signature))
                return new EmulatorError(403, "SignatureNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your access key and signing method");
            var token = headers["x-acs-security-token"];
            if (string.IsNullOrEmpty(token) != (key.Token == null)) return InvalidKey(keyId);
            if (key.Token != null && !FixedTimeEquals(key.Token, token))
                return new EmulatorError(403, "InvalidSecurityToken", "the security token is not valid for this AccessKey ID");
            return null;
        }

        /// <summary>The body check that completes <see cref="Authenticate"/>: the body's SHA-256 against the signed one.</summary>
        public static EmulatorError CheckBody(string signedContentSha256, string actualSha256) =>
            string.Equals(signedContentSha256, actualSha256, StringComparison.OrdinalIgnoreCase)
                ? null
                : new EmulatorError(400, "InvalidArgument", "x-acs-content-sha256 does not match the request body");

        /// <summary>Headers and body together, for callers that hold the whole request (tests, golden vectors).</summary>
        public EmulatorError Verify(string method, string rawPath, string rawQuery, EmulatorHeaders headers, byte[] body, DateTimeOffset now)
        {
            body = body ?? Array.Empty<byte>();
            return Authenticate(method, rawPath, rawQuery, headers, body.Length > 0, now, out var signedHash)
                   ?? CheckBody(signedHash, Acs3Signer.HexSha256(body));
        }

        /// <summary>The V3 rule: every x-acs-* header sent, host, and content-type when a body follows must be signed.</summary>
        private static string UnsignedButRequired(EmulatorHeaders headers, string[] signedNames, bool hasBody)
        {
            var signed = new HashSet<string>(signedNames, StringComparer.Ordinal);
            if (!signed.Contains("host")) return "host";
            foreach (var name in headers.LowerCaseNames)
                if (name.StartsWith("x-acs-", StringComparison.Ordinal) && !signed.Contains(name)) return name;
            if (hasBody && headers.Contains("content-type") && !signed.Contains("content-type")) return "content-type";
            return null;
        }

        private static EmulatorError MissingHeader(string name) =>
            new EmulatorError(400, "MissingRequiredHeader", $"required HTTP header {name} was not specified");

        private static EmulatorError InvalidKey(string keyId) =>
            new EmulatorError(403, "InvalidAccessKeyID", $"invalid access key ID '{keyId}'");

        private static bool FixedTimeEquals(string a, string b)
        {
            if (a == null || b == null || a.Length != b.Length) return false;
            int diff = 0;
            for (int i = 0; i < a.Length; i++) diff |= a[i] ^ b[i];
            return diff == 0;
        }

        private sealed class AcceptedKey
        {
            public AcceptedKey(string secret, string token) { Secret = secret; Token = token; }
            public string Secret { get; }
            public string Token { get; }
        }
    }

    /// <summary>An answer the emulator refuses a request with: HTTP status, FC error code and message.</summary>
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
