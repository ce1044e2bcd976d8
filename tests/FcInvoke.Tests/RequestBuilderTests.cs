using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using FcInvoke.Core;
using FcInvoke.Credentials;
using FcInvoke.Emulator;
using Xunit;

namespace FcInvoke.Tests
{
    public class RequestBuilderTests
    {
        private static readonly FcFunctionRef V2 = new FcFunctionRef("fn", "svc", "prod");
        private static readonly FcFunctionRef V3 = new FcFunctionRef("fn", null, null);
        private static readonly FcEndpoint Endpoint = FcEndpoint.ForAccount("123456", "cn-hangzhou", false);
        private static readonly FcCredential Key = new FcCredential("AKID1234", "secret-value", null, null, "Test");

        public static IEnumerable<object[]> Operations() => new List<object[]>
        {
            new object[] { "InvokeFunction V2", "POST", "/2021-04-06/services/svc/functions/fn/invocations?qualifier=prod", "InvokeFunction", "2021-04-06" },
            new object[] { "InvokeFunction V3", "POST", "/2023-03-30/functions/fn/invocations", "InvokeFunction", "2023-03-30" },
            new object[] { "GetAsyncTask V2", "GET", "/2021-04-06/services/svc/functions/fn/stateful-async-invocations/t-1?qualifier=prod", "GetStatefulAsyncInvocation", "2021-04-06" },
            new object[] { "GetAsyncTask V3", "GET", "/2023-03-30/functions/fn/async-tasks/t-1", "GetAsyncTask", "2023-03-30" },
            new object[] { "ListAsyncTasks V2", "GET", "/2021-04-06/services/svc/functions/fn/stateful-async-invocations?qualifier=prod", "ListStatefulAsyncInvocations", "2021-04-06" },
            new object[] { "ListAsyncTasks V3", "GET", "/2023-03-30/functions/fn/async-tasks", "ListAsyncTasks", "2023-03-30" },
            new object[] { "StopAsyncTask V2", "PUT", "/2021-04-06/services/svc/functions/fn/stateful-async-invocations/t-1?qualifier=prod", "StopStatefulAsyncInvocation", "2021-04-06" },
            new object[] { "StopAsyncTask V3", "PUT", "/2023-03-30/functions/fn/async-tasks/t-1/stop", "StopAsyncTask", "2023-03-30" },
        };

        [Theory]
        [MemberData(nameof(Operations))]
        public void Each_operation_has_its_fc_path_method_action_and_version(string operation, string method, string pathAndQuery, string action, string version)
        {
            using var message = FcRequestBuilder.Build(Create(operation), Endpoint, Key, "123456", DateTimeOffset.UtcNow, "n1");
            Assert.Equal(method, message.Method.Method);
            Assert.Equal("https://123456.cn-hangzhou.fc.aliyuncs.com" + pathAndQuery, message.RequestUri.AbsoluteUri);
            Assert.Equal(action, Header(message, "x-acs-action"));
            Assert.Equal(version, Header(message, "x-acs-version"));
            Assert.Equal("123456", Header(message, "x-fc-account-id"));
            Assert.StartsWith("ACS3-HMAC-SHA256 Credential=AKID1234,", Header(message, "authorization"));
        }

        private static FcRequest Create(string operation)
        {
            var parts = operation.Split(' ');
            var fn = parts[1] == "V2" ? V2 : V3;
            switch (parts[0])
            {
                case "InvokeFunction": return FcOperations.InvokeFunction(fn);
                case "GetAsyncTask": return FcOperations.GetAsyncTask(fn, "t-1");
                case "ListAsyncTasks": return FcOperations.ListAsyncTasks(fn);
                case "StopAsyncTask": return FcOperations.StopAsyncTask(fn, "t-1");
                default: throw new ArgumentException(operation);
            }
        }

        [Fact]
        public void Path_segments_and_query_values_are_percent_encoded()
        {
            var request = FcOperations.ListAsyncTasks(V3).WithQuery("nextToken", "a+b/c=d e");
            Assert.Equal("/2023-03-30/functions/fn/async-tasks?nextToken=a%2Bb%2Fc%3Dd%20e", request.PathAndQuery);
        }

        [Fact]
        public void Invocation_headers_follow_the_api_version()
        {
            var v2 = FcInvocation.BuildRequest(new FcInvocationSpec { Function = V2, IsAsync = true, AsyncTaskId = "job-1", TraceId = "tr", LogTail = true });
            Assert.Contains(v2.Headers, h => h.Key == "x-fc-stateful-async-invocation-id" && h.Value == "job-1");
            Assert.Contains(v2.Headers, h => h.Key == "x-fc-stateful-async-invocation-enable" && h.Value == "true");
            Assert.Contains(v2.Headers, h => h.Key == "x-fc-invocation-type" && h.Value == "Async");
            Assert.Contains(v2.Headers, h => h.Key == "x-fc-log-type" && h.Value == "Tail");
            Assert.Contains(v2.Headers, h => h.Key == "x-fc-trace-id" && h.Value == "tr");
            Assert.DoesNotContain(v2.Headers, h => h.Key == "x-fc-async-task-id");

            var v3 = FcInvocation.BuildRequest(new FcInvocationSpec { Function = V3, IsAsync = true, AsyncTaskId = "job-1" });
            Assert.Contains(v3.Headers, h => h.Key == "x-fc-async-task-id" && h.Value == "job-1");
            Assert.DoesNotContain(v3.Headers, h => h.Key.StartsWith("x-fc-stateful"));
            Assert.Contains(v3.Headers, h => h.Key == "x-fc-log-type" && h.Value == "None");
        }

        [Fact]
        public void Sts_credentials_add_signed_token_headers()
        {
            var sts = new FcCredential("STS.abc", "s", "token-value", DateTimeOffset.UtcNow.AddHours(1), "Test");
            using var message = FcRequestBuilder.Build(FcOperations.InvokeFunction(V3), Endpoint, sts, null, DateTimeOffset.UtcNow, "n");
            Assert.Equal("token-value", Header(message, "x-acs-security-token"));
            Assert.Contains("x-acs-security-token", Header(message, "authorization"));
            Assert.Null(Header(message, "x-fc-account-id"));
        }

        [Fact]
        public void Each_attempt_gets_a_fresh_nonce()
        {
            Assert.NotEqual(FcRequestBuilder.NewNonce(), FcRequestBuilder.NewNonce());
        }

        [Fact]
        public void Describe_redacts_signature_token_and_key_id()
        {
            var sts = new FcCredential("STS.abcdefgh", "the-secret", "the-token", null, "Test");
            var request = FcOperations.InvokeFunction(V3).WithBody(FcRequestBody.FromBytes(Encoding.UTF8.GetBytes("{}")));
            using var message = FcRequestBuilder.Build(request, Endpoint, sts, "1", DateTimeOffset.UtcNow, "n");
            var text = FcRequestBuilder.Describe(message);
            var signature = Header(message, "authorization").Split("Signature=")[1];
            Assert.DoesNotContain(signature, text);
            Assert.DoesNotContain("the-token", text);
            Assert.DoesNotContain("the-secret", text);
            Assert.DoesNotContain("STS.abcdefgh", text);
            Assert.Contains("efgh", text);
            Assert.Contains("Signature=<redacted>", text);
        }

        [Fact]
        public void A_built_request_verifies_against_the_emulator_authenticator()
        {
            var auth = new EmulatorAuthenticator();
            auth.Accept("AKID1234", "secret-value");
            var request = FcOperations.ListAsyncTasks(V2).WithQuery("nextToken", "x y+z").WithQuery("limit", "5");
            using var message = FcRequestBuilder.Build(request, Endpoint, Key, "123456", DateTimeOffset.UtcNow, "n");
            var headers = new EmulatorHeaders();
            foreach (var h in message.Headers) headers.Add(h.Key, string.Join(",", h.Value));
            var uri = message.RequestUri;
            Assert.Null(auth.Verify("GET", uri.AbsolutePath, uri.Query.TrimStart('?'), headers, Array.Empty<byte>(), DateTimeOffset.UtcNow));

            auth = new EmulatorAuthenticator();
            auth.Accept("AKID1234", "another-secret");
            var error = auth.Verify("GET", uri.AbsolutePath, uri.Query.TrimStart('?'), headers, Array.Empty<byte>(), DateTimeOffset.UtcNow);
            Assert.Equal("SignatureNotMatch", error.Code);
            Assert.Equal(403, error.Status);
        }

        [Fact]
        public void Emulator_authenticator_rejects_tampered_bodies_and_stale_dates()
        {
            var auth = new EmulatorAuthenticator();
            auth.Accept("AKID1234", "secret-value");
            var request = FcOperations.InvokeFunction(V3).WithBody(FcRequestBody.FromBytes(Encoding.UTF8.GetBytes("hello")));
            var old = DateTimeOffset.UtcNow.AddMinutes(-20);
            EmulatorHeaders Signed(string nonce)
            {
                using var message = FcRequestBuilder.Build(request, Endpoint, Key, null, old, nonce);
                var headers = new EmulatorHeaders();
                foreach (var h in message.Headers) headers.Add(h.Key, string.Join(",", h.Value));
                headers.Add("content-type", "application/octet-stream");
                return headers;
            }
            var path = FcOperations.InvokeFunction(V3).Path;
            Assert.Equal("InvalidArgument", auth.Verify("POST", path, "", Signed("n1"), Encoding.UTF8.GetBytes("hellO"), old).Code);
            Assert.Null(auth.Verify("POST", path, "", Signed("n2"), Encoding.UTF8.GetBytes("hello"), old));
            Assert.Equal("InvalidTimeStamp", auth.Verify("POST", path, "", Signed("n3"), Encoding.UTF8.GetBytes("hello"), DateTimeOffset.UtcNow).Code);
        }

        [Fact]
        public void Endpoints_follow_fc_host_names()
        {
            Assert.Equal("https://1.cn-shanghai.fc.aliyuncs.com/", FcEndpoint.ForAccount("1", "cn-shanghai", false).BaseUri.AbsoluteUri);
            Assert.Equal("https://1.cn-shanghai-internal.fc.aliyuncs.com/", FcEndpoint.ForAccount("1", "cn-shanghai", true).BaseUri.AbsoluteUri);
            var custom = FcEndpoint.FromUri(new Uri("http://127.0.0.1:8080/"));
            Assert.Equal("127.0.0.1:8080", custom.Host);
            Assert.Equal(FcErrorIds.EndpointUnknown, Assert.Throws<FcInputException>(() => FcEndpoint.FromUri(new Uri("ftp://x/"))).ErrorId);
        }

        [Fact]
        public void A_function_upgraded_from_fc2_is_addressed_as_the_official_fc3_sdk_addresses_it()
        {
            // The vector captured from @alicloud/fc20230330 (tests/data/acs3-signatures.json): the path is percent-encoded
            // ('$' → %24) exactly as the SDK sends and signs it, and the name passes the module's naming check.
            var fn = new FcFunctionRef("orders$process", null, "LATEST");
            Assert.Null(FcNames.CheckFunction(fn));
            var request = FcOperations.InvokeFunction(fn);
            Assert.Equal("/2023-03-30/functions/orders%24process/invocations", request.Path);
            Assert.Equal("/2023-03-30/functions/orders%24process/invocations?qualifier=LATEST", request.PathAndQuery);
            using var message = FcRequestBuilder.Build(request, Endpoint, Key, null, DateTimeOffset.UtcNow, "n");
            Assert.Equal("/2023-03-30/functions/orders%24process/invocations", message.RequestUri.AbsolutePath);
        }

        [Theory]
        [InlineData("svc$fn", null)]
        [InlineData("my-service_1$my-function-2", null)]
        [InlineData("$fn", "not a valid function name")]
        [InlineData("svc$", "not a valid function name")]
        [InlineData("svc$fn$x", "not a valid function name")]
        [InlineData("1svc$fn", "not a valid function name")]
        public void Dollar_names_are_fc3_function_names_only(string name, string problem)
        {
            var fc3 = FcNames.CheckFunction(new FcFunctionRef(name, null, null));
            if (problem == null) Assert.Null(fc3); else Assert.Contains(problem, fc3);
            // Inside an FC 2.0 service a function name never has a '$'.
            Assert.NotNull(FcNames.CheckFunction(new FcFunctionRef(name, "svc", null)));
        }

        private static string Header(HttpRequestMessage message, string name) =>
            message.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
    }
}
