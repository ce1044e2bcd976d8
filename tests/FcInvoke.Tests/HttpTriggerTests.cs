// Invoke-FcHttpTrigger's core: both trigger signers against their golden vectors, URL building and refusals, discovery,
// response mapping and the wire. Long on purpose: the cases share the scripted handler and builders below.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;
using FcInvoke.Emulator;
using FcInvoke.TestFixtures;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>
    /// The client's HTTP trigger signature (auth type "function") against the golden vectors of
    /// ../shared/reference/http-triggers.md §2, made with the official openapi-util 0.3.3 getAuthorization (key testAKID/testSecret).
    /// </summary>
    public class TriggerSignatureTests
    {
        private static readonly DateTimeOffset SignedAt = new DateTimeOffset(2024, 1, 4, 1, 33, 13, TimeSpan.Zero);
        private static KeyValuePair<string, string> KV(string k, string v) => new KeyValuePair<string, string>(k, v);

        private static string Header(List<KeyValuePair<string, string>> headers, string name) =>
            headers.Single(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

        [Fact]
        public void Signs_the_doc_sample_as_the_official_code_does_with_a_permanent_key()
        {
            var headers = FcTriggerSignature.Headers("POST", "/hello", new[] { KV("foo", "bar") },
                new FcCredential("testAKID", "testSecret", null, null, "Test"), SignedAt);
            Assert.Equal("ACS3-HMAC-SHA256 Credential=testAKID,SignedHeaders=x-acs-date;x-acs-security-token,Signature=7fe17ae16b4c906bf2310e2aa2e31161c9b1c0cd978527b3dc69a8db2e56bea1",
                         Header(headers, "Authorization"));
            Assert.Equal("2024-01-04T01:33:13Z", Header(headers, "x-acs-date"));
            Assert.Equal(string.Empty, Header(headers, "x-acs-security-token")); // sent empty, as the samples send it
            Assert.Equal("Thu, 04 Jan 2024 01:33:13 GMT", Header(headers, "Date")); // unsigned, for gateways that want it
        }

        [Fact]
        public void Signs_the_sts_and_query_vector_with_its_token_and_only_the_first_value_of_a_key()
        {
            var sts = new FcCredential("testAKID", "testSecret", "stsToken", null, "Test");
            const string expected = "ACS3-HMAC-SHA256 Credential=testAKID,SignedHeaders=x-acs-date;x-acs-security-token,Signature=51a398816c6bd19aa61b78920e23239cae768a7613b1651c2d01f20689da04d6";
            var headers = FcTriggerSignature.Headers("GET", "/api/items", new[] { KV("q", "a b/c"), KV("page", "2") }, sts, SignedAt);
            Assert.Equal(expected, Header(headers, "Authorization"));
            Assert.Equal("stsToken", Header(headers, "x-acs-security-token"));
            var repeated = FcTriggerSignature.Headers("get", "/api/items", new[] { KV("page", "2"), KV("q", "a b/c"), KV("page", "9") }, sts, SignedAt);
            Assert.Equal(expected, Header(repeated, "Authorization"));
        }

        [Fact]
        public void Reproduces_the_signed_body_hash_vector_and_signs_a_dollar_as_percent_24()
        {
            var signed = new[]
            {
                KV("host", "demo-abc.cn-hangzhou.fcapp.run"), KV("content-type", "application/json"), KV("x-acs-date", "2024-01-04T01:33:13Z"),
                KV("x-acs-content-sha256", "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"),
            };
            const string expected = "ACS3-HMAC-SHA256 Credential=testAKID,SignedHeaders=content-type;host;x-acs-content-sha256;x-acs-date,Signature=476dd3cbe6ee5254ef4d01ab288607ac6a8cad29e50cf63c713d36c9a7436b44";
            Assert.Equal(expected, FcTriggerSignature.Authorization("PUT", "/api/jobs/%24latest", null, signed, Acs3Signer.HexSha256(Encoding.UTF8.GetBytes("{\"a\":1}")), "testAKID", "testSecret"));
            Assert.Equal(expected, FcTriggerSignature.Authorization("PUT", "/api/jobs/$latest", null, signed, "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862", "testAKID", "testSecret"));
        }

        [Fact]
        public void The_canonical_query_leaves_keys_as_they_are_and_encodes_values_as_the_official_code_does()
        {
            // openapi-util getAuthorizationQueryString / alibabacloud-go openapi-util getCanonicalQueryString: only values are encoded.
            Assert.Equal("a b=c%2Bd&z=1", Acs3Signer.CanonicalQuery(new[] { KV("z", "1"), KV("a b", "c+d") }));
            Assert.Equal("k/é=%E4%B8%AD", Acs3Signer.CanonicalQuery(new[] { KV("k/é", "中") }));
        }

        [Fact]
        public void A_request_the_client_signs_with_a_key_that_needs_encoding_verifies_on_the_emulator()
        {
            var credential = new FcCredential("testAKID", "testSecret", null, null, "Test");
            var spec = new FcHttpCallSpec { Method = "GET", Path = "/a b/$x", Query = new[] { KV("a b", "c+d"), KV("z", "1") } };
            var request = FcHttpTriggerCall.BuildRequest(spec, new Uri("https://fn-abc.cn-hangzhou.fcapp.run"), FcTriggerAuth.Signature);
            var now = DateTimeOffset.UtcNow;
            using var message = request.Messages.Create(request, FcConnection.ForTrigger(request.Origin, null), credential, now);
            var uri = message.RequestUri;
            Assert.Equal("/a%20b/%24x", uri.AbsolutePath);
            Assert.Equal("?a%20b=c%2Bd&z=1", uri.Query);
            var headers = new EmulatorHeaders();
            foreach (var h in message.Headers) headers.Add(h.Key, string.Join(",", h.Value));
            var auth = new EmulatorAuthenticator();
            auth.Accept("testAKID", "testSecret", null);
            Assert.Null(auth.AuthenticateTrigger("GET", uri.AbsolutePath, uri.Query.TrimStart('?'), headers, now, out _));
            Assert.Equal("SignatureNotMatch", auth.AuthenticateTrigger("GET", uri.AbsolutePath, "a%20b=c%2Bd&z=2", headers, now, out _).Code);
        }
    }

    /// <summary>FC 2.0's "FC" signature for /proxy/ paths against the golden vectors V1 to V8 of ../shared/reference/fc-protocol.md §2.7.</summary>
    public class ProxySignatureTests
    {
        private static KeyValuePair<string, string> KV(string k, string v) => new KeyValuePair<string, string>(k, v);

        [Fact]
        public void V1_go_signed_url_string_to_sign_and_signature()
        {
            var resource = FcProxySignature.Resource("/2016-08-15/proxy/service.LATEST/func/abc 123",
                new[] { KV("x", "456"), KV("a", "123 45"), KV("x-fc-expires", "1583221068"), KV("x", "xyz"), KV("x-fc-access-key-id", "akID"), KV("x-fc-security-token", "stsToken") });
            var toSign = FcProxySignature.StringToSign("GET", "ef5b43a0fe1d5b401b62c3ba33a7a3d6", "text/json", "1583221068",
                new[] { KV("X-Fc-Trace-Id", "trace-id"), KV("Content-Type", "text/json") }, resource);
            Assert.Equal("GET\nef5b43a0fe1d5b401b62c3ba33a7a3d6\ntext/json\n1583221068\nx-fc-trace-id:trace-id\n/2016-08-15/proxy/service.LATEST/func/abc 123\na=123 45\n" +
                         "x-fc-access-key-id=akID\nx-fc-expires=1583221068\nx-fc-security-token=stsToken\nx=456\nx=xyz", toSign);
            Assert.Equal("QFdNhz0Dl+onUM/MvpX940WFH3H8OHayZHbby1c01aI=", FcProxySignature.Sign("S9MWOBG0AOWHSO9HPASP216QOPHT5YR4NLH3A", toSign));
        }

        [Fact]
        public void V2_V3_resources_sort_whole_lines_keep_every_value_and_bare_keys()
        {
            Assert.Equal("/path/action with space\nfoo=bar\nkey1=abc\nkey1=xyz\nkey2=123\nkey3/~x-y_z.a#b=value/~x-y_z.a#b\nxyz",
                FcProxySignature.Resource("/path/action with space",
                    new[] { KV("xyz", null), KV("foo", "bar"), KV("key2", "123"), KV("key1", "xyz"), KV("key1", "abc"), KV("key3/~x-y_z.a#b", "value/~x-y_z.a#b") }));
            Assert.Equal("/path/action with-escaped~chars_here.ext\nfoo=bar\nkey1=abc\nkey1=xyz\nkey2=123\nkey3\nkey4-with /escaped~chars_here.ext=value-with /escaped~chars_here.ext",
                FcProxySignature.Resource("/path/action with-escaped~chars_here.ext",
                    new[] { KV("foo", "bar"), KV("key1", "xyz"), KV("key1", "abc"), KV("key2", "123"), KV("key3", null), KV("key4-with /escaped~chars_here.ext", "value-with /escaped~chars_here.ext") }));
            Assert.Equal("/path/action with-escaped~chars_here.ext\n", FcProxySignature.Resource("/path/action with-escaped~chars_here.ext", null));
        }

        [Fact]
        public void V4_V5_only_x_fc_headers_are_canonicalized_lower_cased_and_sorted()
        {
            var resource = FcProxySignature.Resource("/path/action with-escaped~chars_here.ext",
                new[] { KV("foo", "bar"), KV("key1", "xyz"), KV("key1", "abc"), KV("key2", "123"), KV("key3 with-escaped~chars_here.ext", "value with-escaped~chars_here.ext") });
            Assert.Equal("GET\n1bca714f406993b309bb87fabeb30a6b\ntext/json\ntoday\nx-fc-bar:xyz\nx-fc-foo:123\n/path/action with-escaped~chars_here.ext\nfoo=bar\n" +
                         "key1=abc\nkey1=xyz\nkey2=123\nkey3 with-escaped~chars_here.ext=value with-escaped~chars_here.ext",
                FcProxySignature.StringToSign("GET", "1bca714f406993b309bb87fabeb30a6b", "text/json", "today",
                    new[] { KV("content-md5", "1bca714f406993b309bb87fabeb30a6b"), KV("content-type", "text/json"), KV("date", "today"), KV("x-fc-foo", "123"),
                            KV("x-fc-bar", "xyz"), KV("x-fcdummy", "dummy"), KV("test", "foo") }, resource));
            var javaHeaders = new[] { KV("X-FC-H6", "k6"), KV("x-fc-h2", "k2"), KV("X-Fc-h1", "k1"), KV("x-fc-h4", "k4"), KV("h3", "k3"), KV("x-fc-h5", "k5") };
            Assert.Equal("GET\n1bca714f406993b309bb87fabeb30a6b\napplication/json\ntoday\nx-fc-h1:k1\nx-fc-h2:k2\nx-fc-h4:k4\nx-fc-h5:k5\nx-fc-h6:k6\naa",
                FcProxySignature.StringToSign("GET", "1bca714f406993b309bb87fabeb30a6b", "application/json", "today", javaHeaders, "aa"));
            Assert.Equal("aa\nh1=k1\nh1=k4\nh2=k2\nh3=k3\nh4=k4\nh4=k4\nh4=k44\nh5=k5\nh6=k6",
                FcProxySignature.Resource("aa", new[] { KV("h4", "k44"), KV("h1", "k4"), KV("h6", "k6"), KV("h2", "k2"), KV("h4", "k4"), KV("h3", "k3"), KV("h1", "k1"), KV("h5", "k5"), KV("h4", "k4") }));
        }

        [Fact]
        public void V6_fc_util_signatures()
        {
            Assert.Equal("tvvm2KiUDmXlQiuwz21CtN59JcKTT5QzIcrc122DKVo=", FcProxySignature.Sign("accessKeySecret", FcProxySignature.StringToSign("GET", "", "", "", null, "/test")));
            var header = new[] { KV("x-fc-test", "test") };
            Assert.Equal("lP6dXPCXlQNI7VY+f0brnZ4bwluNvGqcwdDf5GoM9ag=", FcProxySignature.Sign("accessKeySecret", FcProxySignature.StringToSign("GET", "", "", "", header, "/test")));
            Assert.Equal("aCD88kzuMQYKQGo7kq7DeqhT72nVrNSEqAJtiHNj9L0=", FcProxySignature.Sign("accessKeySecret",
                FcProxySignature.StringToSign("GET", "", "", "", header, FcProxySignature.Resource("/version/proxy/", new[] { KV("testQuery", "test") }))));
            Assert.Equal("kLwSLdTyh317hUm7lChbT3FHVfB3MsQgaXINQNnUgZ0=", FcProxySignature.Sign("accessKeySecret",
                FcProxySignature.StringToSign("", "", "", "", new[] { KV("x-fc-value", "value"), KV("x-fc-key", "key") }, string.Empty)));
        }

        [Fact]
        public void V7_go_signed_url_with_and_without_a_token()
        {
            var withToken = FcProxySignature.Resource("/2016-08-15/proxy/service/func/",
                new[] { KV("x-fc-security-token", "stsToken"), KV("x-fc-expires", "1583339600"), KV("x-fc-access-key-id", "akid") });
            Assert.Equal("Yi0jCBQ6cTZc+tN8wtYUz9FbYNijx5jDiE3sVNW6XwA=", FcProxySignature.Sign("akSec", FcProxySignature.StringToSign("GET", "", "", "1583339600", null, withToken)));
            var without = FcProxySignature.Resource("/2016-08-15/proxy/service/func/", new[] { KV("x-fc-expires", "1583339600"), KV("x-fc-access-key-id", "akid") });
            Assert.Equal("6Rc4KxEAv3+lHpbNQWceIUqWVWq3ewxhadlJBRzZ0XQ=", FcProxySignature.Sign("akSec", FcProxySignature.StringToSign("GET", "", "", "1583339600", null, without)));
        }

        [Fact]
        public void V8_java_signed_url_with_a_utf8_path()
        {
            var query = new[] { KV("x", "b"), KV("a", "1"), KV("x-fc-security-token", "stsToken"), KV("x", "a"), KV("x-fc-expires", "1583844558"), KV("x-fc-access-key-id", "akID") };
            var trace = new[] { KV("x-fc-trace-id", "trace-id") };
            string Sig(string md5, IEnumerable<KeyValuePair<string, string>> headers, string path) =>
                FcProxySignature.Sign("akSec", FcProxySignature.StringToSign("POST", md5, "application/json", "1583844558", headers, FcProxySignature.Resource(path, query)));
            Assert.Equal("PoEmPVmMfNAhQGYUsQhDD+qj+rv4YRCjybLgjtRMJ1U=", Sig("dummy-md5", trace, "/2016-08-15/proxy/service.LATEST/funcName/test/path/中文"));
            Assert.Equal("q6nscsHhckwZh3oIa7fP+E3JlY8NBOjVHtGMJqvlfbA=", Sig("dummy-md5", trace, "/test/path/中文"));
            Assert.Equal("f+Sz9uZUtt6bpYO1iuH2BpU26FWu/ovTpbGBR0Tn+7s=", Sig("", trace, "/test/path/中文"));
            Assert.Equal("IalihG51KQhTiwbwrBoFDodjTUTQv9AaAjILPbgoPEU=", Sig("", null, "/test/path/中文"));
        }

        [Fact]
        public void A_proxy_call_is_signed_over_the_decoded_path_with_hex_md5_the_sts_token_and_the_async_headers()
        {
            var spec = new FcHttpCallSpec
            {
                Method = "POST", Path = "/jobs/中 文", Query = new[] { KV("b", "2"), KV("a", "x y") }, IsAsync = true, AsyncTaskId = "job_1",
                Body = FcRequestBody.FromBytes(Encoding.UTF8.GetBytes("test"), "text/plain"),
            };
            var baseUri = FcEndpoint.ForAccount("123", "cn-hangzhou", false).Resolve(FcProxySignature.BasePath("svc", null, "fn"));
            Assert.Equal("https://123.cn-hangzhou.fc.aliyuncs.com/2016-08-15/proxy/svc.LATEST/fn", baseUri.AbsoluteUri);
            var request = FcHttpTriggerCall.BuildRequest(spec, baseUri, FcTriggerAuth.Signature);
            var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
            var credential = new FcCredential("STS.id", "secret", "token-1", null, "Test");
            using var message = request.Messages.Create(request, FcConnection.ForTrigger(request.Origin, null), credential, now);
            Assert.Equal("/2016-08-15/proxy/svc.LATEST/fn/jobs/%E4%B8%AD%20%E6%96%87", message.RequestUri.AbsolutePath);
            Assert.Equal("098f6bcd4621d373cade4e832627b4f6", message.Content.Headers.GetValues("Content-MD5").Single()); // hex MD5 of "test", as GWUTIL sends it
            Assert.Equal("token-1", message.Headers.GetValues("x-fc-security-token").Single());
            Assert.Equal("job_1", message.Headers.GetValues("X-Fc-Stateful-Async-Invocation-Id").Single());
            var toSign = "POST\n098f6bcd4621d373cade4e832627b4f6\ntext/plain\nFri, 02 Jan 2026 03:04:05 GMT\nx-fc-invocation-type:Async\n" +
                         "x-fc-security-token:token-1\nx-fc-stateful-async-invocation-id:job_1\n/2016-08-15/proxy/svc.LATEST/fn/jobs/中 文\na=x y\nb=2";
            Assert.Equal("FC STS.id:" + FcProxySignature.Sign("secret", toSign), message.Headers.GetValues("Authorization").Single());
            Assert.Equal("Fri, 02 Jan 2026 03:04:05 GMT", message.Headers.GetValues("Date").Single());
        }
    }

    /// <summary>The URL a trigger call goes to, what is refused before sending, and the request it makes.</summary>
    public class TriggerRequestTests
    {
        private static KeyValuePair<string, string> KV(string k, string v) => new KeyValuePair<string, string>(k, v);

        [Theory]
        [InlineData("/", null, "/")]
        [InlineData("/", "/health", "/health")]
        [InlineData("/http-trigger/web-1a2b3c4d", "/api/items/", "/http-trigger/web-1a2b3c4d/api/items/")]
        [InlineData("/base/", "jobs", "/base/jobs")]
        [InlineData("/a%20b/$x+y", null, "/a%20b/%24x%2By")]
        [InlineData("/", "/files/my report (1).pdf", "/files/my%20report%20%281%29.pdf")]
        [InlineData("/", "/100%", "/100%25")]
        [InlineData("/", "/中", "/%E4%B8%AD")]
        public void Joins_the_base_path_and_the_path_as_text_into_one_canonical_encoded_path(string basePath, string path, string expected)
        {
            Assert.Equal(expected, FcHttpTriggerCall.JoinPath(basePath, path));
        }

        [Fact]
        public void Reads_a_urls_query_decoded_with_plus_as_space_and_keeps_the_urls_query_before_Query()
        {
            Assert.Equal(new[] { KV("a", "1 2"), KV("b c", "x+y"), KV("flag", "") }, PercentEncoding.ParseQuery("a=1+2&b%20c=x%2By&flag"));
            var spec = new FcHttpCallSpec { Query = new[] { KV("z", ""), KV("a", "3") } };
            var request = FcHttpTriggerCall.BuildRequest(spec, new Uri("http://127.0.0.1:9/t?a=1"), FcTriggerAuth.Anonymous);
            Assert.Equal("http://127.0.0.1:9/t?a=1&z=&a=3", request.TargetUri.AbsoluteUri);
            Assert.Equal("GET /t", request.Action);
            Assert.True(request.AnswerMayBeFunctions);
            Assert.True(request.KeepsErrorBodies);
            Assert.False(request.Messages.NeedsCredential);
        }

        [Fact]
        public void An_async_call_carries_FCs_documented_headers_and_is_a_task_submission_only_with_a_task_id()
        {
            var plain = FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec { Method = "POST", IsAsync = true }, new Uri("http://h/"), FcTriggerAuth.Anonymous);
            Assert.Equal(FcCallKind.Invocation, plain.Kind);
            Assert.False(plain.AnswerMayBeFunctions);
            Assert.Equal(FcRequestDefaults.AttemptTimeout, plain.DefaultAttemptTimeout);
            Assert.Contains(KV("X-Fc-Invocation-Type", "Async"), plain.Headers);
            var task = FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec { Method = "POST", IsAsync = true, AsyncTaskId = "t-1" }, new Uri("http://h/"), FcTriggerAuth.Anonymous);
            Assert.Equal(FcCallKind.TaskSubmission, task.Kind);
            Assert.Contains(KV("X-Fc-Async-Task-Id", "t-1"), task.Headers);
            var sync = FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec(), new Uri("http://h/"), FcTriggerAuth.Anonymous);
            Assert.Null(sync.DefaultAttemptTimeout);
            Assert.Empty(sync.Headers);
        }

        [Fact]
        public void A_jwt_call_sends_the_token_as_a_bearer_and_needs_no_credential()
        {
            var token = Secure("eyJhbGciOiJIUzI1NiJ9.e30.c2ln");
            var request = FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec { Token = token, Authentication = FcTriggerAuth.Jwt }, new Uri("http://h/x"), FcTriggerAuth.Jwt);
            Assert.False(request.Messages.NeedsCredential);
            using var message = request.Messages.Create(request, FcConnection.ForTrigger(request.Origin, null), null, DateTimeOffset.UtcNow);
            Assert.Equal("Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln", message.Headers.GetValues("Authorization").Single());
            Assert.DoesNotContain("eyJ", FcRequestBuilder.Describe(message));
            Assert.Contains("authorization: Bearer <redacted>", FcRequestBuilder.Describe(message));
        }

        private static readonly object[][] RefusalCases =
        {
            new object[] { new FcHttpCallSpec { Method = "TRACE" }, "not one FC's HTTP triggers take" },
            new object[] { new FcHttpCallSpec { Uri = new Uri("ftp://h/x") }, "not an absolute http:// or https:// URL" },
            new object[] { new FcHttpCallSpec { Uri = new Uri("/relative", UriKind.Relative) }, "not an absolute http:// or https:// URL" },
            new object[] { new FcHttpCallSpec { Uri = new Uri("https://user:pw@h/") }, "user name or password" },
            new object[] { new FcHttpCallSpec { Uri = new Uri("https://h/"), Intranet = true }, "-Internal" },
            new object[] { new FcHttpCallSpec { Path = "/a?b=1" }, "-Query" },
            new object[] { new FcHttpCallSpec { Path = "/a/../b" }, "'..' segment" },
            new object[] { new FcHttpCallSpec { Method = "GET", Body = FcRequestBody.FromBytes(new byte[] { 1 }) }, "carries no body" },
            new object[] { new FcHttpCallSpec { Method = "POST", Body = FcRequestBody.FromBytes(new byte[] { 1 }, "not a type") }, "not a media type" },
            new object[] { new FcHttpCallSpec { Method = "HEAD", IsAsync = true }, "HEAD request cannot be asynchronous" },
            new object[] { new FcHttpCallSpec { AsyncTaskId = "t" }, "asynchronous calls only" },
            new object[] { new FcHttpCallSpec { AsyncTaskId = "9bad", IsAsync = true }, "not a valid async task id" },
            new object[] { new FcHttpCallSpec { Authentication = FcTriggerAuth.Jwt }, "-Token" },
            new object[] { new FcHttpCallSpec { Authentication = FcTriggerAuth.Signature, Token = Secure("t") }, "with -Authentication Jwt" },
            new object[] { new FcHttpCallSpec { Token = Secure("Bearer abc") }, "without 'Bearer '" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("X-Fc-Log-Type", "Tail") } }, "custom x-fc-* headers" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("Connection", "close") } }, "FC refuses it" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("Keep-Alive", "5") } }, "FC refuses it" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("x-acs-date", "x") } }, "trigger signature" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("Content-Type", "a/b") } }, "-ContentType" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("Content-Encoding", "gzip") } }, "describes a body" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("Authorization", "Basic x") }, Authentication = FcTriggerAuth.Signature }, "Anonymous" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("X-A", "a\nb") } }, "line break" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("X Bad", "a") } }, "not a valid HTTP header name" },
            new object[] { new FcHttpCallSpec { Headers = new[] { KV("X-Big", new string('b', 8200)) } }, "8 KB" },
        };

        public static IEnumerable<object[]> Refusals => RefusalCases.Select((c, i) => new object[] { i, (string)c[1] });

        [Theory]
        [MemberData(nameof(Refusals))]
        public void Refuses_before_sending_saying_what_to_do(int index, string says)
        {
            Assert.Contains(says, ((FcHttpCallSpec)RefusalCases[index][0]).Validate());
        }

        [Fact]
        public void Accepts_what_FC_takes()
        {
            Assert.Null(new FcHttpCallSpec { Method = "POST", Body = FcRequestBody.FromBytes(new byte[] { 1 }), Headers = new[] { KV("Content-Encoding", "gzip"), KV("X-Trace", "") } }.Validate());
            Assert.Null(new FcHttpCallSpec { Headers = new[] { KV("Authorization", "Basic x") }, Authentication = FcTriggerAuth.Anonymous }.Validate());
            Assert.Null(new FcHttpCallSpec { Method = "DELETE", IsAsync = true, AsyncTaskId = "job_1", Uri = new Uri("https://h/") }.Validate());
        }

        [Fact]
        public void Refuses_a_path_and_query_over_4_KB_after_building()
        {
            var request = FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec { Query = new[] { KV("q", new string('a', 4100)) } }, new Uri("http://h/"), FcTriggerAuth.Anonymous);
            Assert.Contains("4 KB", FcHttpTriggerCall.CheckLimits(request));
            Assert.Null(FcHttpTriggerCall.CheckLimits(FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec(), new Uri("http://h/"), FcTriggerAuth.Anonymous)));
        }

        [Theory]
        [InlineData("anonymous", "Anonymous")]
        [InlineData("function", "Signature")]
        [InlineData(null, "Signature")]
        [InlineData("JWT", "Jwt")]
        [InlineData("bearer", "Jwt")]
        public void Takes_the_default_authentication_from_the_triggers_auth_type(string authType, string expected)
        {
            Assert.Equal(expected, FcHttpCallSpec.AuthFor(authType, "f", out var problem).ToString());
            Assert.Null(problem);
        }

        [Fact]
        public void Says_what_to_do_for_an_auth_type_it_cannot_make_and_for_a_method_or_token_the_trigger_refuses()
        {
            Assert.Null(FcHttpCallSpec.AuthFor("basic", "f", out var problem));
            Assert.Contains("-Authentication Anonymous -Header", problem);
            var target = new FcTriggerTarget { Function = new FcFunctionRef("f", null, "LATEST"), Methods = new[] { "GET" }, AuthType = "jwt", BaseUri = new Uri("http://h/") };
            Assert.Contains("takes GET, not POST", new FcHttpCallSpec { Method = "POST" }.CheckAgainst(target, FcTriggerAuth.Anonymous));
            Assert.Contains("give the token with -Token", new FcHttpCallSpec().CheckAgainst(target, FcTriggerAuth.Jwt));
            Assert.Contains("-Authentication Anonymous", new FcHttpCallSpec { Headers = new[] { KV("authorization", "x") } }.CheckAgainst(target, FcTriggerAuth.Signature));
            Assert.Null(new FcHttpCallSpec().CheckAgainst(target, FcTriggerAuth.Anonymous));
        }

        internal static SecureString Secure(string text)
        {
            var s = new SecureString();
            foreach (var c in text) s.AppendChar(c);
            s.MakeReadOnly();
            return s;
        }
    }

    /// <summary>Finding a function's trigger with ListTriggers: both JSON shapes, the qualifier rules, the URL kinds, FC 2.0's /proxy/ path.</summary>
    public class TriggerDiscoveryTests
    {
        private static FcResponse Page(string json) =>
            new FcResponse(200, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-fc-request-id"] = "r" }, Encoding.UTF8.GetBytes(json), TimeSpan.Zero, 1);

        private static readonly FcEndpoint Account = FcEndpoint.ForAccount("123", "cn-hangzhou", false);

        private static FcTriggerInfo Http(string qualifier, string internet = "https://f-abc.cn-hangzhou.fcapp.run", string intranet = "https://f-abc.cn-hangzhou-vpc.fcapp.run") =>
            new FcTriggerInfo { TriggerName = "t-" + qualifier, TriggerType = "http", Qualifier = qualifier, UrlInternet = internet, UrlIntranet = intranet, AuthType = "anonymous" };

        [Fact]
        public void Reads_an_FC3_page_with_the_urls_under_httpTrigger_and_the_config_as_a_json_string()
        {
            var triggers = FcTriggerDiscovery.ParsePage(Page(@"{""triggers"":[
                {""triggerName"":""http1"",""triggerType"":""http"",""qualifier"":""prod"",
                 ""triggerConfig"":""{\""authType\"":\""function\"",\""methods\"":[\""get\"",\""POST\""],\""disableURLInternet\"":true}"",
                 ""httpTrigger"":{""urlInternet"":""https://a.fcapp.run"",""urlIntranet"":""https://a-vpc.fcapp.run""}},
                {""triggerName"":""timer"",""triggerType"":""timer"",""triggerConfig"":""not json""},
                ""junk"", 42],""nextToken"":""n2""}"), "ListTriggers", out var next);
            Assert.Equal("n2", next);
            Assert.Equal(2, triggers.Count);
            var http = triggers[0];
            Assert.True(http.IsHttp);
            Assert.Equal(("prod", "function", "https://a.fcapp.run", "https://a-vpc.fcapp.run", true), (http.Qualifier, http.AuthType, http.UrlInternet, http.UrlIntranet, http.DisableUrlInternet));
            Assert.Equal(new[] { "GET", "POST" }, http.Methods);
            Assert.False(triggers[1].IsHttp);
            Assert.Null(triggers[1].AuthType);
        }

        [Fact]
        public void Reads_an_FC2_page_with_the_urls_at_the_top_level()
        {
            var t = FcTriggerDiscovery.ParsePage(Page(@"{""triggers"":[{""triggerName"":""h"",""triggerType"":""http"",""urlInternet"":""https://b.fcapp.run"",""urlIntranet"":""""}]}"),
                "ListTriggers", out var next).Single();
            Assert.Null(next);
            Assert.Equal("https://b.fcapp.run", t.UrlInternet);
            Assert.Null(t.UrlIntranet);
            Assert.Equal("LATEST", t.EffectiveQualifier);
        }

        [Fact]
        public void An_answer_that_is_not_an_object_is_an_unexpected_response()
        {
            Assert.Throws<FcUnexpectedResponseException>(() => FcTriggerDiscovery.ParsePage(Page("[]"), "ListTriggers", out _));
            Assert.Empty(FcTriggerDiscovery.ParsePage(Page("{}"), "ListTriggers", out _));
        }

        [Fact]
        public void Picks_the_qualifier_asked_for_else_LATEST_else_the_only_one()
        {
            var fn = new FcFunctionRef("f", null, null);
            var all = new[] { Http("prod", "https://prod.fcapp.run"), Http("LATEST", "https://latest.fcapp.run"), new FcTriggerInfo { TriggerType = "oss", TriggerName = "o" } };
            Assert.Equal("https://latest.fcapp.run/", FcTriggerDiscovery.Pick(fn, all, false, Account).BaseUri.AbsoluteUri);
            var prod = FcTriggerDiscovery.Pick(new FcFunctionRef("f", null, "prod"), all, false, Account);
            Assert.Equal(("https://prod.fcapp.run/", "prod", "anonymous"), (prod.BaseUri.AbsoluteUri, prod.Function.Qualifier, prod.AuthType));
            Assert.Equal("https://prod.fcapp.run/", FcTriggerDiscovery.Pick(fn, new[] { Http("prod", "https://prod.fcapp.run") }, false, Account).BaseUri.AbsoluteUri);
            Assert.Equal("https://f-abc.cn-hangzhou-vpc.fcapp.run/", FcTriggerDiscovery.Pick(fn, all.Skip(1).ToArray(), true, Account).BaseUri.AbsoluteUri);
        }

        [Fact]
        public void Says_what_there_is_when_no_trigger_fits()
        {
            var fn = new FcFunctionRef("f", null, null);
            string Refusal(FcFunctionRef f, FcTriggerInfo[] triggers, bool intranet = false)
            {
                var ex = Assert.Throws<FcInputException>(() => FcTriggerDiscovery.Pick(f, triggers, intranet, Account));
                Assert.Equal(FcErrorIds.HttpTriggerNotFound, ex.ErrorId);
                return ex.Message;
            }
            Assert.Contains("has no HTTP trigger (its triggers: timer 'nightly')", Refusal(fn, new[] { new FcTriggerInfo { TriggerType = "timer", TriggerName = "nightly" } }));
            Assert.Contains("Invoke-FcFunction", Refusal(fn, new FcTriggerInfo[0]));
            Assert.Contains("its HTTP triggers are for prod, beta", Refusal(new FcFunctionRef("f", null, "canary"), new[] { Http("prod"), Http("beta") }));
            Assert.Contains("several qualifiers (prod, beta) and none for LATEST", Refusal(fn, new[] { Http("prod"), Http("beta") }));
            Assert.Contains("no intranet URL", Refusal(fn, new[] { Http("LATEST", intranet: null) }, intranet: true));
            var disabled = Http("LATEST");
            disabled.DisableUrlInternet = true;
            Assert.Contains("disableURLInternet", Refusal(fn, new[] { disabled }));
            Assert.Contains("not an http(s) URL", Refusal(fn, new[] { Http("LATEST", "ftp://x") }));
        }

        [Fact]
        public void An_FC2_trigger_without_a_url_is_reached_on_the_documented_proxy_path_of_the_account_endpoint()
        {
            var target = FcTriggerDiscovery.Pick(new FcFunctionRef("fn", "svc", "prod"), new[] { Http("prod", null, null) }, false, Account);
            Assert.Equal("https://123.cn-hangzhou.fc.aliyuncs.com/2016-08-15/proxy/svc.prod/fn", target.BaseUri.AbsoluteUri);
            Assert.True(target.IsProxyPath);
            var internalEndpoint = FcEndpoint.ForAccount("123", "cn-hangzhou", true);
            Assert.Equal("https://123.cn-hangzhou-internal.fc.aliyuncs.com/2016-08-15/proxy/svc.LATEST/fn",
                FcTriggerDiscovery.Pick(new FcFunctionRef("fn", "svc", null), new[] { Http(null, null, null) }, true, internalEndpoint).BaseUri.AbsoluteUri);
        }
    }

    /// <summary>From FC's answer to an FcHttpResponse, and FC's own refusals told from a function's answers (for resends and errors).</summary>
    public class TriggerResponseTests
    {
        private static FcResponse Answer(int status, string body, string contentType = null, string requestId = "rid-1", params (string, string)[] headers)
        {
            var h = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (requestId != null) h["X-Fc-Request-Id"] = requestId;
            if (contentType != null) h["Content-Type"] = contentType;
            foreach (var (k, v) in headers) h[k] = v;
            return new FcResponse(status, h, Encoding.UTF8.GetBytes(body), TimeSpan.FromMilliseconds(12), 2, "Reason");
        }

        private static FcRequest Sync() => FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec(), new Uri("http://h/t"), FcTriggerAuth.Anonymous);

        [Theory]
        [InlineData(@"{""Code"":""ResourceExhausted"",""Message"":""too many"",""RequestId"":""rid-1""}", "rid-1", true)]
        [InlineData(@"{""code"":""Throttled"",""message"":"""",""requestId"":""rid-1""}", "rid-1", true)]
        [InlineData(@"{""Code"":""ResourceExhausted"",""Message"":""too many"",""RequestId"":""other""}", "rid-1", false)]
        [InlineData(@"{""Code"":""ResourceExhausted"",""Message"":""too many""}", "rid-1", false)]
        [InlineData(@"{""ErrorCode"":""ResourceThrottled"",""ErrorMessage"":""x""}", "rid-1", false)]
        [InlineData(@"busy", "rid-1", false)]
        [InlineData(@"{""Code"":""X"",""Message"":""m"",""RequestId"":""rid-1""}", null, false)]
        public void FCs_own_error_is_its_error_object_with_the_request_id_of_the_answer(string body, string requestId, bool isFcs)
        {
            Assert.Equal(isFcs, FcErrorParser.IsFcOwnError(Answer(503, body, "application/json", requestId)));
        }

        [Fact]
        public void A_sync_trigger_resends_429_and_503_only_when_they_are_FCs_own_an_async_one_always()
        {
            var policy = FcRetryPolicy.Default;
            var fcs = Answer(503, @"{""Code"":""ResourceThrottled"",""Message"":""m"",""RequestId"":""rid-1""}");
            var functions = Answer(503, "busy");
            Assert.True(policy.IsRetryableAnswer(Sync(), fcs));
            Assert.False(policy.IsRetryableAnswer(Sync(), functions));
            Assert.False(policy.IsRetryableAnswer(Sync(), Answer(502, @"{""Code"":""BadResponse"",""Message"":""m"",""RequestId"":""rid-1""}")));
            var async = FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec { Method = "POST", IsAsync = true }, new Uri("http://h/t"), FcTriggerAuth.Anonymous);
            Assert.True(policy.IsRetryableAnswer(async, functions));
            var task = FcHttpTriggerCall.BuildRequest(new FcHttpCallSpec { Method = "POST", IsAsync = true, AsyncTaskId = "t" }, new Uri("http://h/t"), FcTriggerAuth.Anonymous);
            Assert.True(policy.IsRetryableAnswer(task, Answer(500, "oops")));
            Assert.True(policy.IsRetryableAnswer(FcOperations.InvokeFunction(new FcFunctionRef("f", null, null)), functions)); // InvokeFunction unchanged
        }

        [Fact]
        public void Maps_status_headers_content_and_FCs_headers()
        {
            var spec = new FcHttpCallSpec { Method = "POST", Function = new FcFunctionRef("f", "svc", "prod") };
            var log = Convert.ToBase64String(Encoding.UTF8.GetBytes("line 1\n"));
            var response = FcHttpTriggerCall.ToResponse(spec, Sync(), Answer(201, "{\"a\":1}", "application/json; charset=utf-8", "rid-9",
                ("X-Fc-Error-Type", "HandledInvocationError"), ("X-Fc-Log-Result", log), ("X-Custom", "v")), FcTriggerAuth.Signature);
            Assert.Equal((201, "Reason", "rid-9", "HandledInvocationError", "line 1\n"), (response.StatusCode, response.ReasonPhrase, response.RequestId, response.ErrorType, response.Logs));
            Assert.Equal("v", response.Headers["x-custom"]);
            Assert.Throws<NotSupportedException>(() => ((IDictionary<string, string>)response.Headers)["x"] = "y");
            Assert.Equal("{\"a\":1}", response.Content);
            Assert.Equal(("POST", "svc/f:prod", "Signature", "Sync", 2), (response.Method, response.Function, response.Authentication, response.InvocationType, response.Attempts));
            Assert.Equal("http://h/t", response.Uri.AbsoluteUri);
            Assert.Null(response.AsyncTaskId);
            Assert.Equal("{\"a\":1}", response.ToString());
        }

        [Theory]
        [InlineData("text/plain; charset=iso-8859-1", new byte[] { 0x63, 0x61, 0x66, 0xE9 }, "café")]
        [InlineData("text/plain; charset=\"utf-16\"", new byte[] { 0xFF, 0xFE, 0x68, 0x00, 0x69, 0x00 }, "hi")]
        [InlineData("text/plain", new byte[] { 0xE4, 0xB8, 0xAD }, "中")]
        [InlineData(null, new byte[] { 0xEF, 0xBB, 0xBF, 0x78 }, "x")]
        [InlineData("text/plain; charset=no-such-charset", new byte[] { 0x78 }, "x")]
        public void Decodes_the_content_by_its_charset_with_UTF8_by_default(string contentType, byte[] body, string expected)
        {
            Assert.Equal(expected, FcHttpResponse.Decode(body, contentType));
        }

        [Theory]
        [InlineData("application/json", true)]
        [InlineData("Application/JSON; charset=utf-8", true)]
        [InlineData("application/problem+json", true)]
        [InlineData("text/json", true)]
        [InlineData("text/plain", false)]
        [InlineData(null, false)]
        public void Parses_the_content_only_when_its_type_is_JSON(string contentType, bool json)
        {
            Assert.Equal(json, FcHttpResponse.IsJson(contentType));
            var response = FcHttpTriggerCall.ToResponse(new FcHttpCallSpec(), Sync(), Answer(200, "{\"a\":1}", contentType), FcTriggerAuth.Anonymous);
            if (json) Assert.NotNull(response.ContentObject); else Assert.Null(response.ContentObject);
        }

        [Fact]
        public void A_functions_error_answer_says_what_it_said_in_one_line()
        {
            var spec = new FcHttpCallSpec { Function = new FcFunctionRef("f", null, "LATEST") };
            var notFound = FcHttpTriggerCall.Refusal(FcHttpTriggerCall.ToResponse(spec, Sync(), Answer(404, "<html><title>No such order</title></html>", "text/html"), FcTriggerAuth.Anonymous));
            Assert.Equal("Function 'f' answered HTTP 404 Reason to GET /t: \"No such order\" (RequestId rid-1)", notFound.Message);
            Assert.Equal(404, notFound.StatusCode);
            var crashed = FcHttpTriggerCall.Refusal(FcHttpTriggerCall.ToResponse(new FcHttpCallSpec(), Sync(),
                Answer(502, "{\"errorMessage\":\"kaput\",\"errorType\":\"Error\"}", "application/json", "rid-2", ("X-Fc-Error-Type", "UnhandledInvocationError")), FcTriggerAuth.Anonymous));
            Assert.Equal("The function failed (UnhandledInvocationError) and FC answered HTTP 502 Reason to GET /t: \"kaput\" (RequestId rid-2)", crashed.Message);
            Assert.Equal("UnhandledInvocationError", crashed.ErrorType);
        }
    }

    /// <summary>Trigger calls over the module's own HttpClient against a server that answers with chosen bytes.</summary>
    [Collection(nameof(WireEdgeTests))]
    public class TriggerWireTests
    {
        private static FcCallOptions Retries(int max) => new FcCallOptions { Retry = new FcRetryPolicy(max, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)) };

        private sealed class CountingProvider : ICredentialProvider
        {
            public int Calls;
            public string Name => "Counting";
            public FcCredential LastCredential => null;
            public string KnownAccountId => null;
            public string AccountCacheKey => "counting";
            public Task<FcCredential> GetCredentialAsync(IFcLog log, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref Calls);
                return Task.FromResult(new FcCredential("AK", "SECRET", null, null, "Counting"));
            }
        }

        private static async Task<FcHttpResponse> Call(RawHttpFixture fixture, FcHttpCallSpec spec, FcTriggerAuth auth, ICredentialProvider credentials, int retries = 3)
        {
            var request = FcHttpTriggerCall.BuildRequest(spec, fixture.Endpoint, auth);
            var client = new FcClient(FcConnection.ForTrigger(request.Origin, credentials));
            return await FcHttpTriggerCall.SendAsync(client, spec, request, Retries(retries), null, CancellationToken.None);
        }

        [Fact]
        public async Task An_anonymous_call_needs_no_credential_source_at_all()
        {
            using var fixture = new RawHttpFixture(RawReply.Http(200, "hi", "text/plain"));
            var response = await Call(fixture, new FcHttpCallSpec(), FcTriggerAuth.Anonymous, null);
            Assert.Equal("hi", response.Content);
            Assert.Null(fixture.Requests[0].Header("authorization"));
        }

        [Fact]
        public async Task A_signed_call_asks_for_a_fresh_credential_on_every_attempt_and_resends_FCs_throttling()
        {
            using var fixture = new RawHttpFixture(
                RawReply.Http(429, "{\"Code\":\"ResourceExhausted\",\"Message\":\"slow down\",\"RequestId\":\"raw-{n}\"}"),
                RawReply.Http(200, "ok", "text/plain"));
            var provider = new CountingProvider();
            var response = await Call(fixture, new FcHttpCallSpec(), FcTriggerAuth.Signature, provider);
            Assert.Equal((200, 2), (response.StatusCode, response.Attempts));
            Assert.Equal(2, provider.Calls);
            Assert.Equal(2, fixture.RequestCount);
            Assert.StartsWith("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=x-acs-date;x-acs-security-token,", fixture.Requests[1].Header("authorization"));
            Assert.NotNull(fixture.Requests[1].Header("date"));
        }

        [Fact]
        public async Task A_functions_own_503_is_never_resent_and_its_whole_body_is_kept()
        {
            var page = new string('x', 100 * 1024);
            using var fixture = new RawHttpFixture(RawReply.Http(503, page, "text/plain"), RawReply.Http(200, "again"));
            var response = await Call(fixture, new FcHttpCallSpec(), FcTriggerAuth.Anonymous, null);
            Assert.Equal(1, fixture.RequestCount);
            Assert.Equal(503, response.StatusCode);
            Assert.Equal(page.Length, response.RawContent.Length); // more than the 64 KiB an API error keeps
        }

        [Fact]
        public async Task FCs_own_refusal_of_a_sync_call_is_a_service_exception_with_its_code()
        {
            using var fixture = new RawHttpFixture(RawReply.Http(403, "{\"Code\":\"SignatureNotMatch\",\"Message\":\"no\",\"RequestId\":\"raw-{n}\"}"));
            var ex = await Assert.ThrowsAsync<FcServiceException>(() => Call(fixture, new FcHttpCallSpec(), FcTriggerAuth.Signature, new CountingProvider()));
            Assert.Equal(("SignatureNotMatch", 403, "raw-1"), (ex.ErrorCode, ex.StatusCode, ex.RequestId));
        }

        [Fact]
        public async Task An_anonymous_call_refused_for_authentication_says_which_authentication_the_trigger_needs()
        {
            using var fixture = new RawHttpFixture(RawReply.Http(400, "{\"Code\":\"MissingRequiredHeader\",\"Message\":\"required HTTP header Authorization was not specified\",\"RequestId\":\"raw-{n}\"}"));
            var ex = await Assert.ThrowsAsync<FcServiceException>(() => Call(fixture, new FcHttpCallSpec(), FcTriggerAuth.Anonymous, null));
            Assert.Contains("-Authentication Signature", ex.Message);
        }

        [Fact]
        public async Task A_lost_answer_to_an_async_call_with_a_task_id_is_resent_and_a_409_then_means_accepted()
        {
            using var fixture = new RawHttpFixture(RawReply.Drop(),
                RawReply.Http(409, "{\"Code\":\"AsyncTaskAlreadyExists\",\"Message\":\"exists\",\"RequestId\":\"raw-{n}\"}"));
            var spec = new FcHttpCallSpec { Method = "POST", IsAsync = true, AsyncTaskId = "job_7", Body = FcRequestBody.FromBytes(new byte[] { 1 }, "application/octet-stream") };
            var response = await Call(fixture, spec, FcTriggerAuth.Anonymous, null);
            Assert.True(response.AcceptedEarlier);
            Assert.Equal((409, "job_7", "Async", 2), (response.StatusCode, response.AsyncTaskId, response.InvocationType, fixture.RequestCount));
            Assert.Equal("job_7", fixture.Requests[1].Header("x-fc-async-task-id"));
        }

        [Fact]
        public async Task A_sync_call_whose_connection_drops_is_not_resent()
        {
            using var fixture = new RawHttpFixture(RawReply.Drop(), RawReply.Http(200, "again"));
            var ex = await Assert.ThrowsAsync<FcTransportException>(() => Call(fixture, new FcHttpCallSpec(), FcTriggerAuth.Anonymous, null));
            Assert.Contains("the function may have run", ex.Message);
            Assert.Equal(1, fixture.RequestCount);
        }

        [Fact]
        public async Task A_HEAD_answer_declares_a_length_and_has_no_body()
        {
            using var fixture = new RawHttpFixture(RawReply.Raw("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/html\r\nx-fc-request-id: h\r\n\r\n", RawAfter.KeepAlive));
            var response = await Call(fixture, new FcHttpCallSpec { Method = "HEAD" }, FcTriggerAuth.Anonymous, null);
            Assert.Equal((200, 0, "1234"), (response.StatusCode, response.RawContent.Length, response.Headers["Content-Length"]));
            Assert.Equal("HEAD", fixture.Requests[0].Method);
        }

        [Fact]
        public async Task A_redirect_is_returned_as_it_is_not_followed()
        {
            using var fixture = new RawHttpFixture(RawReply.Http(302, "", "text/plain", "Location: http://127.0.0.1:1/elsewhere"));
            var response = await Call(fixture, new FcHttpCallSpec(), FcTriggerAuth.Anonymous, null);
            Assert.Equal(302, response.StatusCode);
            Assert.Equal("http://127.0.0.1:1/elsewhere", response.Headers["Location"]);
            Assert.Equal(1, fixture.RequestCount);
        }
    }
}
