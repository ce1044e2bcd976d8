using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The keys a JWT trigger accepts, as FC configures them: a JWKS (docs: "为HTTP触发器配置JWT认证鉴权"), where a
    /// token's kid picks its key and at most one key has no kid. The emulator verifies HS256/384/512 (kty "oct") and
    /// RS256/384/512 (kty "RSA"); FC also takes PS*, ES* and EdDSA, which the emulator refuses at start.
    /// </summary>
    internal sealed class EmulatorJwks
    {
        private readonly List<Key> _keys;

        private EmulatorJwks(List<Key> keys) { _keys = keys; }

        public int Count => _keys.Count;

        /// <summary>One HMAC key without kid, from a shared secret (its UTF-8 bytes, as jwt.io and most libraries take it).</summary>
        public static EmulatorJwks FromSecret(string secret)
        {
            if (string.IsNullOrEmpty(secret)) throw new ArgumentException("JwtSecret is empty.");
            return new EmulatorJwks(new List<Key> { new Key { Kty = "oct", Secret = Encoding.UTF8.GetBytes(secret) } });
        }

        /// <summary>Reads a JWKS ({"keys": [...]}); throws ArgumentException naming what is wrong.</summary>
        public static EmulatorJwks Parse(string json)
        {
            JsonDocument doc;
            try { doc = JsonDocument.Parse(json ?? string.Empty); }
            catch (JsonException ex) { throw new ArgumentException("Jwks is not JSON: " + ex.Message); }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
                    throw new ArgumentException("Jwks must be a JSON object with a \"keys\" array.");
                var parsed = keys.EnumerateArray().Select(ParseKey).ToList();
                if (parsed.Count == 0) throw new ArgumentException("Jwks has no key.");
                if (parsed.Count(k => string.IsNullOrEmpty(k.Kid)) > 1) throw new ArgumentException("Jwks may have at most one key without a kid (FC's rule).");
                if (parsed.Where(k => !string.IsNullOrEmpty(k.Kid)).GroupBy(k => k.Kid).Any(g => g.Count() > 1)) throw new ArgumentException("Jwks has two keys with the same kid.");
                return new EmulatorJwks(parsed);
            }
        }

        private static Key ParseKey(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Object) throw new ArgumentException("Each Jwks key must be a JSON object.");
            var key = new Key { Kty = Text(e, "kty"), Kid = Text(e, "kid"), Alg = Text(e, "alg") };
            switch (key.Kty)
            {
                case "oct":
                    key.Secret = Base64Url(Text(e, "k"), "k");
                    if (key.Secret.Length == 0) throw new ArgumentException("A Jwks \"oct\" key needs its secret in \"k\".");
                    break;
                case "RSA":
                    key.Rsa = new RSAParameters { Modulus = Base64Url(Text(e, "n"), "n"), Exponent = Base64Url(Text(e, "e"), "e") };
                    if (key.Rsa.Modulus.Length == 0 || key.Rsa.Exponent.Length == 0) throw new ArgumentException("A Jwks \"RSA\" key needs \"n\" and \"e\".");
                    break;
                default:
                    throw new ArgumentException($"The emulator verifies Jwks keys of kty \"oct\" (HS256/384/512) and \"RSA\" (RS256/384/512), not \"{key.Kty}\".");
            }
            if (key.Alg != null && HashFor(key.Alg, key.Kty) == null) throw new ArgumentException($"The Jwks key alg \"{key.Alg}\" is not one the emulator verifies for kty \"{key.Kty}\".");
            return key;
        }

        /// <summary>
        /// Null when the token's signature verifies with one of the keys and it is within exp and nbf; otherwise why not,
        /// in words that never contain the token. <paramref name="claims"/> are the payload's claims when it verifies.
        /// </summary>
        public string Verify(string token, DateTimeOffset now, out IDictionary<string, object> claims)
        {
            claims = null;
            var parts = (token ?? string.Empty).Split('.');
            if (parts.Length != 3) return "the token is not a JWS compact serialization (header.payload.signature)";
            JsonElement header, payload;
            byte[] signature;
            try
            {
                header = ParseJson(Base64Url(parts[0], "header"));
                payload = ParseJson(Base64Url(parts[1], "payload"));
                signature = Base64Url(parts[2], "signature");
            }
            catch (ArgumentException ex) { return ex.Message; }
            if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object) return "the token's header or payload is not a JSON object";
            var alg = Text(header, "alg");
            var kid = Text(header, "kid");
            var key = string.IsNullOrEmpty(kid) ? _keys.FirstOrDefault(k => string.IsNullOrEmpty(k.Kid)) : _keys.FirstOrDefault(k => k.Kid == kid);
            if (key == null) return string.IsNullOrEmpty(kid) ? "no key without a kid verifies the token" : $"no key has the token's kid '{kid}'";
            var hash = HashFor(alg, key.Kty);
            if (hash == null || (key.Alg != null && key.Alg != alg)) return $"the token's alg '{alg}' does not fit its key";
            var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!Verifies(key, hash.Value, signingInput, signature)) return "the token's signature does not verify";

            var seconds = now.ToUnixTimeSeconds();
            if (Number(payload, "exp") is double exp && seconds >= exp) return "the token has expired (exp)";
            if (Number(payload, "nbf") is double nbf && seconds < nbf) return "the token is not valid yet (nbf)";
            claims = payload.EnumerateObject().ToDictionary(p => p.Name, p => Claim(p.Value), StringComparer.Ordinal);
            return null;
        }

        /// <summary>The keys without their secrets, for GetTrigger's authConfig: an RSA key's public parts, an oct key's kid only.</summary>
        public void WritePublic(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteStartArray("keys");
            foreach (var key in _keys)
            {
                w.WriteStartObject();
                w.WriteString("kty", key.Kty);
                if (key.Kid != null) w.WriteString("kid", key.Kid);
                if (key.Alg != null) w.WriteString("alg", key.Alg);
                if (key.Kty == "RSA")
                {
                    w.WriteString("n", ToBase64Url(key.Rsa.Modulus));
                    w.WriteString("e", ToBase64Url(key.Rsa.Exponent));
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static bool Verifies(Key key, HashAlgorithmName hash, byte[] signingInput, byte[] signature)
        {
            if (key.Kty == "oct")
            {
                using (var hmac = Hmac(hash, key.Secret))
                {
                    var expected = hmac.ComputeHash(signingInput);
                    if (expected.Length != signature.Length) return false;
                    int diff = 0;
                    for (int i = 0; i < expected.Length; i++) diff |= expected[i] ^ signature[i];
                    return diff == 0;
                }
            }
            using (var rsa = RSA.Create())
            {
                rsa.ImportParameters(key.Rsa);
                try { return rsa.VerifyData(signingInput, signature, hash, RSASignaturePadding.Pkcs1); }
                catch (CryptographicException) { return false; } // a signature of the wrong length for the key
            }
        }

        private static HMAC Hmac(HashAlgorithmName hash, byte[] secret) =>
            hash == HashAlgorithmName.SHA512 ? new HMACSHA512(secret) : hash == HashAlgorithmName.SHA384 ? (HMAC)new HMACSHA384(secret) : new HMACSHA256(secret);

        private static HashAlgorithmName? HashFor(string alg, string kty)
        {
            var family = kty == "oct" ? "HS" : "RS";
            switch (alg)
            {
                case var a when a == family + "256": return HashAlgorithmName.SHA256;
                case var a when a == family + "384": return HashAlgorithmName.SHA384;
                case var a when a == family + "512": return HashAlgorithmName.SHA512;
                default: return null;
            }
        }

        private static object Claim(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: return value.GetString();
                case JsonValueKind.Number: return value.TryGetInt64(out var l) ? (object)l : value.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Null: return null;
                default: return value.GetRawText(); // objects and arrays stay JSON text
            }
        }

        private static JsonElement ParseJson(byte[] utf8)
        {
            try
            {
                using (var doc = JsonDocument.Parse(utf8)) return doc.RootElement.Clone();
            }
            catch (JsonException) { throw new ArgumentException("the token's header or payload is not JSON"); }
        }

        private static string Text(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static double? Number(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null;

        private static byte[] Base64Url(string text, string what)
        {
            if (text == null) return Array.Empty<byte>();
            var s = text.Replace('-', '+').Replace('_', '/');
            switch (s.Length % 4)
            {
                case 2: s += "=="; break;
                case 3: s += "="; break;
                case 1: throw new ArgumentException($"the {what} is not base64url");
            }
            try { return Convert.FromBase64String(s); }
            catch (FormatException) { throw new ArgumentException($"the {what} is not base64url"); }
        }

        private static string ToBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private sealed class Key
        {
            public string Kty, Kid, Alg;
            public byte[] Secret;
            public RSAParameters Rsa;
        }
    }
}
