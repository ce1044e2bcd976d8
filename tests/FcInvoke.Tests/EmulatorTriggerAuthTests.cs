using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using FcInvoke.Core;
using FcInvoke.Emulator;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>
    /// HTTP trigger signatures (auth type "function") as FC verifies them, against the golden vectors of
    /// ../shared/reference/http-triggers.md §2 (made with the official openapi-util 0.3.3, key testAKID/testSecret).
    /// </summary>
    public class EmulatorTriggerSignatureTests
    {
        private static readonly DateTimeOffset SignedAt = new DateTimeOffset(2024, 1, 4, 1, 33, 13, TimeSpan.Zero);

        private static EmulatorHeaders Headers(params (string name, string value)[] headers)
        {
            var result = new EmulatorHeaders();
            foreach (var (name, value) in headers) result.Add(name, value);
            return result;
        }

        private static EmulatorAuthenticator Auth(string token = null)
        {
            var auth = new EmulatorAuthenticator();
            auth.Accept("testAKID", "testSecret", token);
            return auth;
        }

        [Fact]
        public void Verifies_the_doc_sample_vector()
        {
            var headers = Headers(("x-acs-date", "2024-01-04T01:33:13Z"), ("x-acs-security-token", ""),
                ("Authorization", "ACS3-HMAC-SHA256 Credential=testAKID,SignedHeaders=x-acs-date;x-acs-security-token,Signature=7fe17ae16b4c906bf2310e2aa2e31161c9b1c0cd978527b3dc69a8db2e56bea1"));
            Assert.Null(Auth().AuthenticateTrigger("POST", "/hello", "foo=bar", headers, SignedAt, out var bodyHash));
            Assert.Null(bodyHash); // the documented form signs an empty payload: the body is not checked
            Assert.Equal("SignatureNotMatch", Auth().AuthenticateTrigger("POST", "/hello", "foo=baz", headers, SignedAt, out _).Code);
            Assert.Equal("SignatureNotMatch", Auth().AuthenticateTrigger("GET", "/hello", "foo=bar", headers, SignedAt, out _).Code);
        }

        [Fact]
        public void Verifies_the_sts_and_query_vector_with_its_token_only()
        {
            var headers = Headers(("x-acs-date", "2024-01-04T01:33:13Z"), ("x-acs-security-token", "stsToken"),
                ("Authorization", "ACS3-HMAC-SHA256 Credential=testAKID,SignedHeaders=x-acs-date;x-acs-security-token,Signature=51a398816c6bd19aa61b78920e23239cae768a7613b1651c2d01f20689da04d6"));
            Assert.Null(Auth("stsToken").AuthenticateTrigger("GET", "/api/items", "q=a%20b%2Fc&page=2", headers, SignedAt, out _));
            Assert.Null(Auth("stsToken").AuthenticateTrigger("GET", "/api/items", "page=2&q=a%20b%2Fc&page=9", headers, SignedAt, out _)); // first value of each key
            Assert.Equal("InvalidAccessKeyID", Auth().AuthenticateTrigger("GET", "/api/items", "q=a%20b%2Fc&page=2", headers, SignedAt, out _).Code);
            Assert.Equal("InvalidSecurityToken", Auth("otherToken").AuthenticateTrigger("GET", "/api/items", "q=a%20b%2Fc&page=2", headers, SignedAt, out _).Code);
        }

        [Fact]
        public void Verifies_the_signed_body_hash_vector_and_then_the_body()
        {
            var hash = "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862";
            var headers = Headers(("host", "demo-abc.cn-hangzhou.fcapp.run"), ("content-type", "application/json"), ("x-acs-date", "2024-01-04T01:33:13Z"),
                ("x-acs-content-sha256", hash),
                ("Authorization", "ACS3-HMAC-SHA256 Credential=testAKID,SignedHeaders=content-type;host;x-acs-content-sha256;x-acs-date,Signature=476dd3cbe6ee5254ef4d01ab288607ac6a8cad29e50cf63c713d36c9a7436b44"));
            Assert.Null(Auth().AuthenticateTrigger("PUT", "/api/jobs/%24latest", "", headers, SignedAt, out var bodyHash));
            Assert.Null(Auth().AuthenticateTrigger("PUT", "/api/jobs/$latest", "", headers, SignedAt, out _)); // '$' is signed as %24
            Assert.Equal(hash, bodyHash);
            Assert.Null(EmulatorAuthenticator.CheckBody(bodyHash, Acs3Signer.HexSha256(Encoding.UTF8.GetBytes("{\"a\":1}"))));
            Assert.Equal("InvalidArgument", EmulatorAuthenticator.CheckBody(bodyHash, Acs3Signer.HexSha256(Encoding.UTF8.GetBytes("{\"a\":2}"))).Code);
        }

        [Fact]
        public void Refuses_missing_or_malformed_authorization_a_missing_date_stale_times_and_unsigned_acs_headers()
        {
            var missing = Auth().AuthenticateTrigger("GET", "/", "", Headers(("x-acs-date", "2024-01-04T01:33:13Z")), SignedAt, out _);
            Assert.Equal((400, "MissingRequiredHeader"), (missing.Status, missing.Code));
            Assert.Equal("InvalidArgument", Auth().AuthenticateTrigger("GET", "/", "", Headers(("Authorization", "Bearer x"), ("x-acs-date", "2024-01-04T01:33:13Z")), SignedAt, out _).Code);
            var sample = "ACS3-HMAC-SHA256 Credential=testAKID,SignedHeaders=x-acs-date;x-acs-security-token,Signature=7fe17ae16b4c906bf2310e2aa2e31161c9b1c0cd978527b3dc69a8db2e56bea1";
            var noDate = Auth().AuthenticateTrigger("POST", "/hello", "foo=bar", Headers(("Authorization", sample)), SignedAt, out _);
            Assert.Equal("required HTTP header Date was not specified", noDate.Message);
            var stale = Auth().AuthenticateTrigger("POST", "/hello", "foo=bar", Headers(("x-acs-date", "2024-01-04T01:33:13Z"), ("x-acs-security-token", ""), ("Authorization", sample)), SignedAt.AddMinutes(16), out _);
            Assert.Equal((403, "InvalidTimeStamp"), (stale.Status, stale.Code));
            Assert.Contains("is too large", stale.Message);
            var extra = Auth().AuthenticateTrigger("POST", "/hello", "foo=bar", Headers(("x-acs-date", "2024-01-04T01:33:13Z"), ("x-acs-security-token", ""), ("x-acs-extra", "1"), ("Authorization", sample)), SignedAt, out _);
            Assert.Equal("SignatureNotMatch", extra.Code);
            Assert.Contains("x-acs-extra", extra.Message);
        }
    }

    /// <summary>JWT triggers: HS256/384/512 with a shared secret, RS256/384/512 with a JWKS, exp and nbf.</summary>
    public class EmulatorJwtTests
    {
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

        private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        private static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

        private static string Hs(string secret, string payload, string alg = "HS256", string kid = null)
        {
            var header = kid == null ? $"{{\"alg\":\"{alg}\",\"typ\":\"JWT\"}}" : $"{{\"alg\":\"{alg}\",\"kid\":\"{kid}\"}}";
            var input = B64(header) + "." + B64(payload);
            HMAC hmac = alg == "HS512" ? new HMACSHA512(Encoding.UTF8.GetBytes(secret)) : alg == "HS384" ? new HMACSHA384(Encoding.UTF8.GetBytes(secret)) : (HMAC)new HMACSHA256(Encoding.UTF8.GetBytes(secret));
            using (hmac) return input + "." + B64(hmac.ComputeHash(Encoding.ASCII.GetBytes(input)));
        }

        private static string Rs(RSA rsa, string payload, string kid)
        {
            var input = B64($"{{\"alg\":\"RS256\",\"kid\":\"{kid}\"}}") + "." + B64(payload);
            return input + "." + B64(rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        private static long At(int minutes) => Now.AddMinutes(minutes).ToUnixTimeSeconds();

        [Fact]
        public void Verifies_an_hs256_token_with_the_shared_secret_and_hands_over_its_claims()
        {
            var jwks = EmulatorJwks.FromSecret("s3cret");
            Assert.Null(jwks.Verify(Hs("s3cret", $"{{\"sub\":\"ada\",\"exp\":{At(5)},\"roles\":[\"a\"]}}"), Now, out var claims));
            Assert.Equal("ada", claims["sub"]);
            Assert.Equal(At(5), claims["exp"]);
            Assert.Equal("[\"a\"]", claims["roles"]);
            Assert.Null(jwks.Verify(Hs("s3cret", "{}", "HS512"), Now, out _));
        }

        [Theory]
        [InlineData("wrong", "{}", "signature does not verify")]
        [InlineData("s3cret", "{\"exp\":EXP_PAST}", "expired")]
        [InlineData("s3cret", "{\"nbf\":NBF_FUTURE}", "not valid yet")]
        public void Refuses_bad_signatures_and_tokens_out_of_their_time(string secret, string payload, string reason)
        {
            payload = payload.Replace("EXP_PAST", At(-1).ToString()).Replace("NBF_FUTURE", At(1).ToString());
            Assert.Contains(reason, EmulatorJwks.FromSecret("s3cret").Verify(Hs(secret, payload), Now, out var claims));
            Assert.Null(claims);
        }

        [Fact]
        public void Refuses_unsigned_and_malformed_tokens_without_echoing_them()
        {
            var jwks = EmulatorJwks.FromSecret("s3cret");
            var none = B64("{\"alg\":\"none\"}") + "." + B64("{}") + ".";
            Assert.Contains("alg 'none'", jwks.Verify(none, Now, out _));
            Assert.Contains("not a JWS", jwks.Verify("only.two", Now, out _));
            var garbage = jwks.Verify("a.b.c", Now, out _);
            Assert.DoesNotContain("a.b.c", garbage);
        }

        [Fact]
        public void Picks_an_rsa_key_by_kid_from_a_jwks()
        {
            using (var signer = RSA.Create(2048))
            using (var other = RSA.Create(2048))
            {
                var p = signer.ExportParameters(false);
                var jwks = EmulatorJwks.Parse($"{{\"keys\":[{{\"kty\":\"RSA\",\"kid\":\"k1\",\"alg\":\"RS256\",\"n\":\"{B64(p.Modulus)}\",\"e\":\"{B64(p.Exponent)}\"}},{{\"kty\":\"oct\",\"kid\":\"k2\",\"k\":\"{B64("hmac-key")}\"}}]}}");
                Assert.Null(jwks.Verify(Rs(signer, $"{{\"exp\":{At(1)}}}", "k1"), Now, out _));
                Assert.Contains("does not verify", jwks.Verify(Rs(other, "{}", "k1"), Now, out _));
                Assert.Contains("kid 'k9'", jwks.Verify(Rs(signer, "{}", "k9"), Now, out _));
                Assert.Null(jwks.Verify(Hs("hmac-key", "{}", kid: "k2"), Now, out _));
                Assert.Contains("alg 'RS256' does not fit", jwks.Verify(Rs(signer, "{}", "k2"), Now, out _));
                Assert.Contains("no key without a kid", jwks.Verify(Hs("hmac-key", "{}"), Now, out _));
            }
        }

        [Theory]
        [InlineData("not json", "not JSON")]
        [InlineData("{\"keys\":[]}", "no key")]
        [InlineData("{\"keys\":[{\"kty\":\"oct\",\"k\":\"YQ\"},{\"kty\":\"oct\",\"k\":\"Yg\"}]}", "at most one key without a kid")]
        [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\"}]}", "kty")]
        [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\"}]}", "\"n\" and \"e\"")]
        [InlineData("{\"keys\":[{\"kty\":\"oct\",\"k\":\"YQ\",\"alg\":\"RS256\"}]}", "alg")]
        public void Refuses_jwks_the_emulator_cannot_verify(string json, string reason)
        {
            Assert.Contains(reason, Assert.Throws<ArgumentException>(() => EmulatorJwks.Parse(json)).Message);
        }

        [Fact]
        public void Publishes_keys_without_their_secrets()
        {
            var jwks = EmulatorJwks.Parse($"{{\"keys\":[{{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"{B64("top-secret")}\"}}]}}");
            var published = Encoding.UTF8.GetString(EmulatorJson.Write(jwks.WritePublic));
            Assert.Contains("\"kid\":\"k\"", published);
            Assert.DoesNotContain(B64("top-secret"), published);
            Assert.DoesNotContain("\"k\":", published);
        }
    }
}
