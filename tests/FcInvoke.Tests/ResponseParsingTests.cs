using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Net.Http;
using System.Text;
using FcInvoke.Core;
using Xunit;

namespace FcInvoke.Tests
{
    public class ResponseParsingTests
    {
        private static FcResponse Response(int status, string body, params (string, string)[] headers)
        {
            var h = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in headers) h[k] = v;
            return new FcResponse(status, h, body == null ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(body), TimeSpan.Zero, 1);
        }

        [Fact]
        public void Parses_fc2_error_body()
        {
            var ex = FcErrorParser.Parse(Response(404, "{\"ErrorCode\":\"FunctionNotFound\",\"ErrorMessage\":\"function 'f' does not exist in service 's'\"}", ("X-Fc-Request-Id", "r-1")), "InvokeFunction");
            Assert.Equal("FunctionNotFound", ex.ErrorCode);
            Assert.Equal(404, ex.StatusCode);
            Assert.Equal("r-1", ex.RequestId);
            Assert.Equal("FunctionNotFound: function 'f' does not exist in service 's' (RequestId r-1)", ex.Message);
        }

        [Fact]
        public void Parses_fc3_error_body_with_request_id_in_body()
        {
            var ex = FcErrorParser.Parse(Response(403, "{\"Code\":\"SignatureNotMatch\",\"Message\":\"bad sig\",\"RequestId\":\"r-2\"}"), "InvokeFunction");
            Assert.Equal("SignatureNotMatch", ex.ErrorCode);
            Assert.Equal("r-2", ex.RequestId);
            Assert.Equal("bad sig", ex.ErrorMessage);
        }

        [Fact]
        public void Parses_lower_camel_error_body()
        {
            var ex = FcErrorParser.Parse(Response(429, "{\"errorCode\":\"ResourceExhausted\",\"errorMessage\":\"too many\"}"), "InvokeFunction");
            Assert.Equal("ResourceExhausted", ex.ErrorCode);
            Assert.True(ex.IsThrottling);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("<html>Bad Gateway</html>")]
        [InlineData("{not json")]
        [InlineData("[1,2]")]
        public void Survives_bodies_without_an_error_object(string body)
        {
            var ex = FcErrorParser.Parse(Response(502, body, ("x-fc-request-id", "r")), "InvokeFunction");
            Assert.Equal("HttpStatus502", ex.ErrorCode);
            Assert.Equal("r", ex.RequestId);
        }

        [Theory]
        [InlineData("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>", "Bad Gateway")]
        [InlineData("<!DOCTYPE html>\n<html>\n<body>\n<h1>Service Unavailable</h1>\n<p>The proxy could not reach the upstream.</p>\n</body>\n</html>", "Service Unavailable The proxy could not reach the upstream.")]
        [InlineData("upstream connect error or disconnect/reset before headers.\nreset reason: connection termination", "upstream connect error or disconnect/reset before headers. reset reason: connection termination")]
        public void Error_messages_summarize_bodies_that_are_not_an_error_object(string body, string expected)
        {
            var response = new FcResponse(502, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-fc-request-id"] = "r" },
                                          Encoding.UTF8.GetBytes(body), TimeSpan.Zero, 1, "Bad Gateway");
            var ex = FcErrorParser.Parse(response, "InvokeFunction");
            Assert.StartsWith("HttpStatus502: FC answered HTTP 502 Bad Gateway", ex.Message);
            Assert.Contains(expected, ex.Message);
            Assert.DoesNotContain("<", ex.Message);
            Assert.DoesNotContain("\n", ex.Message);
            Assert.True(ex.Message.Length <= 240, ex.Message);
        }

        [Fact]
        public void Error_objects_keep_their_message_on_one_line_without_markup_and_a_lone_angle_bracket_is_text()
        {
            var wrapped = FcErrorParser.Parse(Response(500, "{\"Code\":\"InternalServerError\",\"Message\":\"<html><body>oops\\n<b>down</b></body></html>\"}"), "InvokeFunction");
            Assert.Equal("oops down", wrapped.ErrorMessage);
            var comparison = FcErrorParser.Parse(Response(400, "{\"Code\":\"InvalidArgument\",\"Message\":\"limit must be < 100 and > 0\"}"), "ListAsyncTasks");
            Assert.Equal("limit must be < 100 and > 0", comparison.ErrorMessage);
            var huge = FcErrorParser.Parse(Response(400, "{\"Code\":\"InvalidArgument\",\"Message\":\"" + new string('x', 100000) + "\"}"), "ListAsyncTasks");
            Assert.True(huge.ErrorMessage.Length <= FcErrorParser.MaxMessage);
        }

        [Fact]
        public void Function_error_result_carries_message_logs_and_headers()
        {
            var spec = new FcInvocationSpec { Function = new FcFunctionRef("f", "s", null) };
            var log = Convert.ToBase64String(Encoding.UTF8.GetBytes("FC Invoke Start RequestId: r\n日志 line\n"));
            var result = FcInvocation.ToResult(spec, Response(200, "{\"errorMessage\":\"boom\",\"errorType\":\"Error\"}",
                ("x-fc-error-type", "UnhandledInvocationError"), ("x-fc-request-id", "r"), ("x-fc-log-result", log),
                ("x-fc-invocation-duration", "12"), ("x-fc-max-memory-usage", "9.2"), ("x-fc-code-checksum", "5697641582914695457"),
                ("x-fc-instance-id", "i-1"), ("x-fc-invocation-service-version", "LATEST")), FcEndpoint.FromUri(new Uri("http://127.0.0.1:1/")));
            Assert.True(result.IsFunctionError);
            Assert.Equal("boom", result.ErrorMessage);
            Assert.Contains("日志 line", result.Logs);
            Assert.Equal(TimeSpan.FromMilliseconds(12), result.Duration);
            Assert.Equal(9.2, result.MaxMemoryUsageMB);
            Assert.Equal("LATEST", result.ExecutedVersion);
            Assert.Equal("s", result.ServiceName);
            Assert.Equal("2021-04-06", result.ApiVersion);
        }

        [Fact]
        public void Async_result_takes_the_task_id_from_either_header()
        {
            var ep = FcEndpoint.FromUri(new Uri("http://127.0.0.1:1/"));
            var v2 = FcInvocation.ToResult(new FcInvocationSpec { Function = new FcFunctionRef("f", "s", null), IsAsync = true },
                Response(202, null, ("X-Fc-Stateful-Async-Invocation-Id", "t2")), ep);
            var v3 = FcInvocation.ToResult(new FcInvocationSpec { Function = new FcFunctionRef("f", null, null), IsAsync = true },
                Response(202, null, ("x-fc-async-task-id", "t3")), ep);
            Assert.Equal("t2", v2.AsyncTaskId);
            Assert.Equal("t3", v3.AsyncTaskId);
            Assert.Equal("Async", v3.InvocationType);
            Assert.Equal(string.Empty, v3.Result);
        }

        [Theory]
        [InlineData(0, 429, true)]
        [InlineData(0, 503, true)]
        [InlineData(0, 500, false)]
        [InlineData(0, 502, false)]
        [InlineData(0, 504, false)]
        [InlineData(1, 500, true)]
        [InlineData(1, 404, false)]
        [InlineData(1, 400, false)]
        public void Retries_only_what_is_safe(int kind, int status, bool retry)
        {
            Assert.Equal(retry, FcRetryPolicy.Default.IsRetryableStatus((FcCallKind)kind, status));
        }

        [Fact]
        public void A_refused_connection_is_safe_to_retry_even_for_invocations_but_a_dropped_one_is_not()
        {
            var refused = new HttpRequestException("x", new SocketException((int)SocketError.ConnectionRefused));
            var dropped = new HttpRequestException("x", new System.IO.IOException("response ended prematurely"));
            Assert.True(FcRetryPolicy.Default.IsRetryableException(FcCallKind.Invocation, refused));
            Assert.False(FcRetryPolicy.Default.IsRetryableException(FcCallKind.Invocation, dropped));
            Assert.True(FcRetryPolicy.Default.IsRetryableException(FcCallKind.Read, dropped));
        }

        [Fact]
        public void Backoff_is_bounded_and_honours_retry_after()
        {
            var policy = new FcRetryPolicy(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
            for (int i = 1; i <= 10; i++) Assert.InRange(policy.NextDelay(i, null).TotalMilliseconds, 0, 2000);
            Assert.Equal(TimeSpan.FromSeconds(1.5), policy.NextDelay(1, TimeSpan.FromSeconds(1.5)));
            Assert.Equal(TimeSpan.FromSeconds(2), policy.NextDelay(1, TimeSpan.FromSeconds(30)));
            Assert.Equal(TimeSpan.FromSeconds(3), FcRetryPolicy.ParseRetryAfter("3", DateTimeOffset.UtcNow));
            Assert.False(policy.CanRetry(5, TimeSpan.Zero));
            Assert.True(policy.CanRetry(4, TimeSpan.Zero));
        }

        [Theory]
        [InlineData("hello", null)]
        [InlineData("_x-1", null)]
        [InlineData("1abc", "not a valid function name")]
        [InlineData("-abc", "not a valid function name")]
        [InlineData("a.b", "not a valid function name")]
        [InlineData("", "empty")]
        public void Function_names_follow_fc_rules(string name, string problem)
        {
            var result = FcNames.CheckFunctionName(name);
            if (problem == null) Assert.Null(result); else Assert.Contains(problem, result);
            Assert.NotNull(FcNames.CheckFunctionName(new string('a', 65)));
        }

        [Fact]
        public void Payload_limits_are_32MB_sync_and_the_highest_async_limit_FC_grants()
        {
            Assert.Null(FcNames.CheckPayloadSize(32L * 1024 * 1024, false));
            Assert.NotNull(FcNames.CheckPayloadSize(32L * 1024 * 1024 + 1, false));
            // 128 KB is FC's default; an account may be granted 256 KB, so nothing up to that is refused locally.
            Assert.Null(FcNames.CheckPayloadSize(128 * 1024 + 1, true));
            Assert.Null(FcNames.CheckPayloadSize(256 * 1024, true));
            Assert.Contains("256 KB where the account's limit was raised", FcNames.CheckPayloadSize(256 * 1024 + 1, true));
            Assert.Null(FcNames.CheckQualifier("LATEST"));
            Assert.Null(FcNames.CheckQualifier("12"));
            Assert.NotNull(FcNames.CheckQualifier("-x"));
            Assert.NotNull(FcNames.CheckTaskId("9bad"));
        }
    }
}
