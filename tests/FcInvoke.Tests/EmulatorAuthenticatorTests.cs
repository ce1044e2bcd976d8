using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using FcInvoke.Core;
using FcInvoke.Emulator;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>The emulator's ACS3 checks, each refusal with its FC code (docs/emulator.md gives the sources).</summary>
    public class EmulatorAuthenticatorTests
    {
        private const string KeyId = "LTAIkey";
        private const string Secret = "the-secret-value";
        private const string StsKeyId = "STS.tempkey";
        private const string StsSecret = "sts-secret-value";
        private const string StsToken = "sts-token-value";
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        private const string Path = "/2023-03-30/functions/echo/invocations";

        private static EmulatorAuthenticator NewAuthenticator(int nonceCapacity = EmulatorNonceStore.DefaultCapacity)
        {
            var auth = new EmulatorAuthenticator(nonceCapacity);
            auth.Accept(KeyId, Secret);
            auth.Accept(StsKeyId, StsSecret, StsToken);
            return auth;
        }

        /// <summary>Headers as the official SDKs send them, signed; the options break one rule at a time.</summary>
        private static EmulatorHeaders Signed(byte[] body = null, string nonce = "nonce-1", DateTimeOffset? date = null,
                                             string keyId = KeyId, string secret = Secret, string token = null,
                                             string[] unsigned = null, string[] omit = null, string contentHash = null)
        {
            var all = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>("host", "127.0.0.1:9000"),
                new KeyValuePair<string, string>("x-acs-version", "2023-03-30"),
                new KeyValuePair<string, string>("x-acs-action", "InvokeFunction"),
                new KeyValuePair<string, string>("x-acs-date", (date ?? Now).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")),
                new KeyValuePair<string, string>("x-acs-signature-nonce", nonce),
                new KeyValuePair<string, string>("x-acs-content-sha256", contentHash ?? Acs3Signer.HexSha256(body ?? Array.Empty<byte>())),
            };
            if (body != null) all.Add(new KeyValuePair<string, string>("content-type", "application/octet-stream"));
            if (token != null) all.Add(new KeyValuePair<string, string>("x-acs-security-token", token));
            all.RemoveAll(h => omit != null && omit.Contains(h.Key));
            var toSign = all.Where(h => unsigned == null || !unsigned.Contains(h.Key)).ToList();
            var headers = new EmulatorHeaders();
            foreach (var h in all) headers.Add(h.Key, h.Value);
            headers.Add("Authorization", Acs3Signer.BuildAuthorization("POST", Path, null, toSign,
                contentHash ?? Acs3Signer.HexSha256(body ?? Array.Empty<byte>()), keyId, secret));
            return headers;
        }

        private static EmulatorError Verify(EmulatorAuthenticator auth, EmulatorHeaders headers, byte[] body = null, DateTimeOffset? now = null) =>
            auth.Verify("POST", Path, "", headers, body, now ?? Now);

        [Fact]
        public void Accepts_a_signed_request_and_refuses_it_when_replayed()
        {
            var auth = NewAuthenticator();
            var body = Encoding.UTF8.GetBytes("{\"k\":1}");
            var headers = Signed(body);
            Assert.Null(Verify(auth, headers, body));
            var replay = Verify(auth, headers, body, Now.AddMinutes(10));
            Assert.Equal((400, "SignatureNonceUsed"), (replay.Status, replay.Code));
        }

        [Fact]
        public void Refuses_a_fresh_signature_that_reuses_a_nonce_but_not_the_same_nonce_of_another_key()
        {
            var auth = NewAuthenticator();
            Assert.Null(Verify(auth, Signed(nonce: "shared")));
            Assert.Equal("SignatureNonceUsed", Verify(auth, Signed(nonce: "shared", date: Now.AddSeconds(30)), now: Now.AddSeconds(30)).Code);
            Assert.Null(Verify(auth, Signed(nonce: "shared", keyId: StsKeyId, secret: StsSecret, token: StsToken)));
        }

        [Fact]
        public void Forgets_a_nonce_once_its_date_is_out_of_the_window_where_the_date_check_refuses_it_anyway()
        {
            var auth = NewAuthenticator();
            Assert.Null(Verify(auth, Signed(nonce: "n")));
            Assert.Equal(1, auth.RememberedNonces);
            var later = Now.AddMinutes(16);
            Assert.Equal("InvalidTimeStamp", Verify(auth, Signed(nonce: "n"), now: later).Code);
            Assert.Null(Verify(auth, Signed(nonce: "other", date: later), now: later));
            Assert.Equal(1, auth.RememberedNonces); // "n" expired and was purged
        }

        [Fact]
        public void Refuses_with_429_when_the_nonce_store_is_full_and_remembers_nothing_more()
        {
            var auth = NewAuthenticator(nonceCapacity: 2);
            Assert.Null(Verify(auth, Signed(nonce: "a")));
            Assert.Null(Verify(auth, Signed(nonce: "b")));
            var full = Verify(auth, Signed(nonce: "c"));
            Assert.Equal((429, "ResourceExhausted"), (full.Status, full.Code));
            Assert.Equal(2, auth.RememberedNonces);
        }

        [Theory]
        [InlineData("x-acs-signature-nonce")]
        [InlineData("x-acs-date")]
        [InlineData("x-acs-content-sha256")]
        [InlineData("host")]
        public void Refuses_a_request_without_a_required_header(string header)
        {
            var error = Verify(NewAuthenticator(), Signed(omit: new[] { header }));
            Assert.Equal((400, "MissingRequiredHeader"), (error.Status, error.Code));
            Assert.Equal($"required HTTP header {header} was not specified", error.Message);
        }

        [Fact]
        public void Refuses_a_request_without_authorization()
        {
            var headers = new EmulatorHeaders();
            foreach (var h in Signed().Where(h => h.Key != "Authorization")) headers.Add(h.Key, h.Value);
            Assert.Equal("MissingRequiredHeader", Verify(NewAuthenticator(), headers).Code);
        }

        [Theory]
        [InlineData("x-acs-date")]
        [InlineData("x-acs-signature-nonce")]
        [InlineData("x-acs-content-sha256")]
        [InlineData("x-acs-action")]
        [InlineData("host")]
        [InlineData("content-type")]
        public void Refuses_a_request_that_leaves_a_header_the_v3_rules_require_unsigned(string header)
        {
            var body = Encoding.UTF8.GetBytes("x");
            var error = Verify(NewAuthenticator(), Signed(body, unsigned: new[] { header }), body);
            Assert.Equal((403, "SignatureNotMatch"), (error.Status, error.Code));
            Assert.Contains($"'{header}'", error.Message);
        }

        [Fact]
        public void Refuses_a_signature_that_names_a_header_the_request_does_not_carry()
        {
            var headers = new EmulatorHeaders();
            foreach (var h in Signed(omit: null))
            {
                if (h.Key == "Authorization") headers.Add(h.Key, h.Value.Replace("SignedHeaders=", "SignedHeaders=a-missing-one;"));
                else headers.Add(h.Key, h.Value);
            }
            var error = Verify(NewAuthenticator(), headers);
            Assert.Equal((403, "SignatureNotMatch"), (error.Status, error.Code));
            Assert.Contains("'a-missing-one' is missing", error.Message);
        }

        [Fact]
        public void Lets_content_type_go_unsigned_when_there_is_no_body()
        {
            var headers = Signed(unsigned: new[] { "content-type" });
            headers.Add("content-type", "application/json");
            Assert.Null(Verify(NewAuthenticator(), headers));
        }

        [Fact]
        public void Refuses_a_permanent_key_with_a_token_and_an_sts_key_without_one_as_unknown_keys()
        {
            var auth = NewAuthenticator();
            var withToken = Verify(auth, Signed(nonce: "1", token: "stray"));
            Assert.Equal((403, "InvalidAccessKeyID"), (withToken.Status, withToken.Code));
            var withoutToken = Verify(auth, Signed(nonce: "2", keyId: StsKeyId, secret: StsSecret));
            Assert.Equal((403, "InvalidAccessKeyID"), (withoutToken.Status, withoutToken.Code));
            var wrongToken = Verify(auth, Signed(nonce: "3", keyId: StsKeyId, secret: StsSecret, token: "not-it"));
            Assert.Equal((403, "InvalidSecurityToken"), (wrongToken.Status, wrongToken.Code));
            Assert.Null(Verify(auth, Signed(nonce: "4", keyId: StsKeyId, secret: StsSecret, token: StsToken)));
            foreach (var error in new[] { withToken, withoutToken, wrongToken })
            {
                Assert.DoesNotContain(StsToken, error.Message);
                Assert.DoesNotContain(StsSecret, error.Message);
                Assert.DoesNotContain("stray", error.Message);
            }
        }

        [Fact]
        public void Refuses_unknown_keys_wrong_secrets_bad_dates_and_tampered_bodies()
        {
            var auth = NewAuthenticator();
            Assert.Equal("InvalidAccessKeyID", Verify(auth, Signed(nonce: "1", keyId: "LTAInobody")).Code);
            var wrong = Verify(auth, Signed(nonce: "2", secret: "guess"));
            Assert.Equal((403, "SignatureNotMatch"), (wrong.Status, wrong.Code));
            Assert.DoesNotContain(Secret, wrong.Message);
            Assert.Equal("InvalidTimeStamp", Verify(auth, Signed(nonce: "3", date: Now.AddMinutes(-16))).Code);
            var headers = Signed(nonce: "4");
            var redated = new EmulatorHeaders();
            foreach (var h in headers) redated.Add(h.Key, h.Key == "x-acs-date" ? "Fri, 02 Jan 2026 03:04:05 GMT" : h.Value);
            Assert.Equal((400, "InvalidArgument"), (Verify(auth, redated).Status, Verify(auth, redated).Code));
            var body = Encoding.UTF8.GetBytes("paid=1");
            var tampered = Verify(auth, Signed(body, nonce: "5"), Encoding.UTF8.GetBytes("paid=9"));
            Assert.Equal((400, "InvalidArgument"), (tampered.Status, tampered.Code));
            Assert.Equal("InvalidArgument", Verify(auth, Signed(nonce: "6", contentHash: "not-a-hash")).Code);
        }

        [Fact]
        public void Authenticates_from_headers_alone_and_returns_the_hash_the_body_must_have()
        {
            var body = Encoding.UTF8.GetBytes("streamed later");
            var error = NewAuthenticator().Authenticate("POST", Path, "", Signed(body), hasBody: true, Now, out var signedHash);
            Assert.Null(error);
            Assert.Equal(Acs3Signer.HexSha256(body), signedHash);
            Assert.Null(EmulatorAuthenticator.CheckBody(signedHash, Acs3Signer.HexSha256(body)));
            Assert.Equal("InvalidArgument", EmulatorAuthenticator.CheckBody(signedHash, Acs3Signer.EmptyPayloadHash).Code);
        }
    }
}
