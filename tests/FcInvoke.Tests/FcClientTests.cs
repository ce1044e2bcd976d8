using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>The transport's retry, re-signing and timeout rules, against a scripted handler (no network).</summary>
    public class FcClientTests
    {
        private sealed class ScriptedHandler : HttpMessageHandler
        {
            private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _answers;
            public readonly List<(string auth, string nonce, string date)> Seen = new List<(string, string, string)>();

            public ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) =>
                _answers = new Queue<Func<HttpRequestMessage, HttpResponseMessage>>(answers);

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
            {
                Seen.Add((request.Headers.GetValues("authorization").Single(), request.Headers.GetValues("x-acs-signature-nonce").Single(),
                          request.Headers.GetValues("x-acs-date").Single()));
                await Task.Yield();
                return _answers.Dequeue()(request);
            }
        }

        private sealed class ListLog : IFcLog
        {
            public readonly List<string> Lines = new List<string>();
            public bool IsVerboseEnabled => true;
            public bool IsDebugEnabled => true;
            public void Verbose(string message) { lock (Lines) Lines.Add(message); }
            public void Debug(string message) { }
            public void Warning(string message) { }
        }

        private static Func<HttpRequestMessage, HttpResponseMessage> Answer(int status, string body = "", string retryAfter = null) => _ =>
        {
            var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body) };
            r.Headers.TryAddWithoutValidation("x-fc-request-id", "r-" + status);
            if (retryAfter != null) r.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            return r;
        };

        private static Func<HttpRequestMessage, HttpResponseMessage> Refuse() =>
            _ => throw new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused));

        private static Func<HttpRequestMessage, HttpResponseMessage> Drop() =>
            _ => throw new HttpRequestException("dropped", new System.IO.IOException("The response ended prematurely."));

        private static FcClient Client(ScriptedHandler handler) =>
            new FcClient(new FcConnection(FcEndpoint.FromUri(new Uri("http://127.0.0.1:9/")), "1", "cn-hangzhou",
                new StaticCredentialProvider(new FcCredential("AK", "SECRET", null, null, "Test"))), new HttpClient(handler));

        private static readonly FcCallOptions FastRetries = new FcCallOptions { Retry = new FcRetryPolicy(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)) };

        private static FcRequest Invoke() => FcOperations.InvokeFunction(new FcFunctionRef("f", null, null));
        private static FcRequest Read() => FcOperations.GetAsyncTask(new FcFunctionRef("f", null, null), "t");

        [Fact]
        public async Task Throttled_invocations_are_retried_with_a_fresh_signature_each_time()
        {
            var handler = new ScriptedHandler(Answer(429, "{\"Code\":\"ResourceExhausted\"}"), Answer(503, "{\"ErrorCode\":\"ResourceThrottled\"}"), Answer(200, "ok"));
            var log = new ListLog();
            var response = await Client(handler).SendAsync(Invoke(), FastRetries, log, CancellationToken.None);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(3, response.Attempts);
            Assert.Equal(3, handler.Seen.Select(s => s.nonce).Distinct().Count());
            Assert.Equal(3, handler.Seen.Select(s => s.auth).Distinct().Count());
            Assert.Contains(log.Lines, l => l.Contains("429") && l.Contains("retrying"));
            Assert.DoesNotContain(log.Lines, l => l.Contains("SECRET"));
        }

        [Theory]
        [InlineData(500)]
        [InlineData(502)]
        [InlineData(504)]
        public async Task A_sync_invocation_that_may_have_run_is_never_retried(int status)
        {
            var handler = new ScriptedHandler(Answer(status), Answer(200, "second run"));
            var response = await Client(handler).SendAsync(Invoke(), FastRetries, null, CancellationToken.None);
            Assert.Equal(status, response.StatusCode);
            Assert.Single(handler.Seen);
        }

        [Fact]
        public async Task A_dropped_connection_fails_an_invocation_but_is_retried_for_a_read()
        {
            var invoke = new ScriptedHandler(Drop(), Answer(200));
            await Assert.ThrowsAsync<FcTransportException>(() => Client(invoke).SendAsync(Invoke(), FastRetries, null, CancellationToken.None));
            Assert.Single(invoke.Seen);

            var read = new ScriptedHandler(Drop(), Answer(500), Answer(200, "{}"));
            var response = await Client(read).SendAsync(Read(), FastRetries, null, CancellationToken.None);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(3, read.Seen.Count);
        }

        [Fact]
        public async Task A_refused_connection_is_retried_even_for_an_invocation()
        {
            var handler = new ScriptedHandler(Refuse(), Answer(200, "ok"));
            var response = await Client(handler).SendAsync(Invoke(), FastRetries, null, CancellationToken.None);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(2, handler.Seen.Count);
        }

        [Fact]
        public async Task Retries_stop_after_MaxRetries_and_zero_disables_them()
        {
            var handler = new ScriptedHandler(Answer(429), Answer(429), Answer(429), Answer(429), Answer(200));
            var response = await Client(handler).SendAsync(Invoke(), FastRetries, null, CancellationToken.None);
            Assert.Equal(429, response.StatusCode);
            Assert.Equal(4, handler.Seen.Count); // 1 + 3 retries

            var none = new ScriptedHandler(Answer(429), Answer(200));
            var first = await Client(none).SendAsync(Invoke(), new FcCallOptions { Retry = new FcRetryPolicy(0) }, null, CancellationToken.None);
            Assert.Equal(429, first.StatusCode);
            Assert.Single(none.Seen);
        }

        [Fact]
        public async Task Retry_after_is_honoured()
        {
            var handler = new ScriptedHandler(Answer(429, retryAfter: "1"), Answer(200));
            var policy = new FcCallOptions { Retry = new FcRetryPolicy(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5)) };
            var log = new ListLog();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await Client(handler).SendAsync(Invoke(), policy, log, CancellationToken.None);
            // The delay chosen is the server's (the policy alone would wait at most 1 ms), and it was really waited
            // (a lower bound: a slow machine only waits longer).
            Assert.Contains(log.Lines, l => l.Contains("answered 429") && l.Contains("retrying in 1000 ms"));
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"waited only {watch.Elapsed}");
        }

        [Fact]
        public async Task TimeoutSec_bounds_the_call_with_an_error_that_names_it()
        {
            var slow = new FcClient(Client(new ScriptedHandler()).Connection, new HttpClient(new DelayingHandler()));
            var ex = await Assert.ThrowsAsync<FcTimeoutException>(() => slow.SendAsync(Invoke(), new FcCallOptions { TimeoutSec = 1 }, null, CancellationToken.None));
            Assert.Contains("-TimeoutSec", ex.Message);
        }

        [Fact]
        public async Task Cancellation_by_the_caller_is_not_reported_as_a_timeout()
        {
            var handler = new DelayingHandler();
            var slow = new FcClient(Client(new ScriptedHandler()).Connection, new HttpClient(handler));
            using var cts = new CancellationTokenSource();
            var call = slow.SendAsync(Invoke(), new FcCallOptions { TimeoutSec = 30 }, null, cts.Token);
            await handler.Entered.Task; // the request is on its way: cancel it there
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        [Fact]
        public async Task TimeoutSec_also_ends_a_retry_delay()
        {
            var handler = new ScriptedHandler(Answer(429, retryAfter: "30"), Answer(200));
            var options = new FcCallOptions { TimeoutSec = 1, Retry = new FcRetryPolicy(3, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)) };
            var ex = await Assert.ThrowsAsync<FcTimeoutException>(() => Client(handler).SendAsync(Invoke(), options, null, CancellationToken.None));
            Assert.Contains("-TimeoutSec", ex.Message);
            Assert.Single(handler.Seen);
        }

        [Fact]
        public async Task A_connect_timeout_is_retried_even_for_an_invocation_and_named_in_the_error()
        {
            // The handler's own connect timeout surfaces as a cancellation the caller did not ask for.
            Func<HttpRequestMessage, HttpResponseMessage> connectTimeout = _ => throw new TaskCanceledException("connect", new TimeoutException());
            var handler = new ScriptedHandler(connectTimeout, connectTimeout);
            var options = new FcCallOptions { Retry = new FcRetryPolicy(1, TimeSpan.FromMilliseconds(1)) };
            var ex = await Assert.ThrowsAsync<FcTimeoutException>(() => Client(handler).SendAsync(Invoke(), options, null, CancellationToken.None));
            Assert.Contains("(connect timeout)", ex.Message);
            Assert.Equal(2, handler.Seen.Count);
        }

        [Fact]
        public async Task Errors_say_when_retries_were_spent_and_why_an_invocation_was_not_resent()
        {
            var throttled = new ScriptedHandler(Answer(429), Answer(429), Answer(429), Answer(429));
            var response = await Client(throttled).SendAsync(Invoke(), FastRetries, null, CancellationToken.None);
            var error = FcErrorParser.Parse(response, "InvokeFunction");
            Assert.Equal(4, error.Attempts);
            Assert.EndsWith("(after 4 attempts)", error.Message);

            var dropped = await Assert.ThrowsAsync<FcTransportException>(() => Client(new ScriptedHandler(Drop())).SendAsync(Invoke(), FastRetries, null, CancellationToken.None));
            Assert.Contains("not retried, because the function may have run", dropped.Message);
        }

        // ---- Async submissions with a caller-chosen task id: safe to resend, and a 409 after a lost answer means accepted. ----

        private static FcInvocationSpec AsyncSpec(string taskId) => new FcInvocationSpec
        {
            Function = new FcFunctionRef("f", null, null), IsAsync = true, AsyncTaskId = taskId, Body = FcRequestBody.FromBytes(new byte[] { 1 }),
        };

        private static Task<FcInvocationResult> Submit(ScriptedHandler handler, FcInvocationSpec spec, ListLog log = null) =>
            FcInvocation.InvokeAsync(Client(handler), spec, FcInvocation.BuildRequest(spec), FastRetries, log, CancellationToken.None);

        private static Func<HttpRequestMessage, HttpResponseMessage> AlreadyExists(string code = "AsyncTaskAlreadyExists") =>
            Answer(409, "{\"Code\":\"" + code + "\",\"Message\":\"an async task with id 'job-1' already exists\"}");

        [Theory]
        [InlineData(500)]
        [InlineData(502)]
        [InlineData(504)]
        public async Task A_task_submission_is_resent_after_a_5xx_with_the_same_id_and_a_fresh_signature(int status)
        {
            var handler = new ScriptedHandler(Answer(status), Answer(202));
            var result = await Submit(handler, AsyncSpec("job-1"));
            Assert.Equal(202, result.StatusCode);
            Assert.False(result.AcceptedEarlier);
            Assert.Equal(2, result.Attempts);
            Assert.Equal(2, handler.Seen.Select(s => s.nonce).Distinct().Count());
        }

        [Theory]
        [InlineData("AsyncTaskAlreadyExists")]
        [InlineData("StatefulAsyncInvocationAlreadyExists")]
        public async Task A_409_after_a_lost_answer_counts_as_accepted(string code)
        {
            var log = new ListLog();
            var handler = new ScriptedHandler(Drop(), AlreadyExists(code));
            var result = await Submit(handler, AsyncSpec("job-1"), log);
            Assert.True(result.AcceptedEarlier);
            Assert.Equal(409, result.StatusCode);
            Assert.Equal("job-1", result.AsyncTaskId);
            Assert.Equal(2, result.Attempts);
            Assert.Contains(log.Lines, l => l.Contains("counts as accepted"));
        }

        [Fact]
        public async Task A_409_on_the_first_attempt_stays_an_error()
        {
            var ex = await Assert.ThrowsAsync<FcServiceException>(() => Submit(new ScriptedHandler(AlreadyExists()), AsyncSpec("job-1")));
            Assert.Equal(409, ex.StatusCode);
            Assert.Equal("AsyncTaskAlreadyExists", ex.ErrorCode);
        }

        [Fact]
        public async Task A_409_after_attempts_FC_refused_outright_stays_an_error()
        {
            // 429 and 503 mean FC did not take the submission: the id was already used before this call.
            var ex = await Assert.ThrowsAsync<FcServiceException>(() => Submit(new ScriptedHandler(Answer(429), Answer(503), AlreadyExists()), AsyncSpec("job-1")));
            Assert.Equal(409, ex.StatusCode);
            Assert.Equal(3, ex.Attempts);
        }

        [Fact]
        public async Task A_409_with_another_code_after_a_lost_answer_stays_an_error()
        {
            await Assert.ThrowsAsync<FcServiceException>(() => Submit(new ScriptedHandler(Answer(500), AlreadyExists("ConcurrentUpdateError")), AsyncSpec("job-1")));
        }

        [Fact]
        public async Task An_async_invocation_without_a_task_id_is_not_resent_once_it_may_have_been_accepted()
        {
            var spec = AsyncSpec(null);
            var dropped = new ScriptedHandler(Drop(), Answer(202));
            var ex = await Assert.ThrowsAsync<FcTransportException>(() => Submit(dropped, spec));
            Assert.Single(dropped.Seen);
            Assert.Contains("give -AsyncTaskId", ex.Message);

            var failed = new ScriptedHandler(Answer(500), Answer(202));
            await Assert.ThrowsAsync<FcServiceException>(() => Submit(failed, spec));
            Assert.Single(failed.Seen);

            var throttled = new ScriptedHandler(Answer(429), Answer(202));
            Assert.Equal(202, (await Submit(throttled, spec)).StatusCode);
            Assert.Equal(2, throttled.Seen.Count);
        }

        [Fact]
        public void Only_submissions_with_a_task_id_are_task_submissions()
        {
            Assert.Equal(FcCallKind.TaskSubmission, FcInvocation.BuildRequest(AsyncSpec("job-1")).Kind);
            Assert.Equal(FcCallKind.Invocation, FcInvocation.BuildRequest(AsyncSpec(null)).Kind);
            var sync = new FcInvocationSpec { Function = new FcFunctionRef("f", null, null), Body = FcRequestBody.FromBytes(new byte[1]) };
            Assert.Equal(FcCallKind.Invocation, FcInvocation.BuildRequest(sync).Kind);
        }

        [Fact]
        public void The_policy_alone_decides_what_is_resent()
        {
            var policy = FcRetryPolicy.Default;
            var attemptTimeout = new FcAttemptTimeoutException(TimeSpan.FromSeconds(1), null);
            var dropped = new HttpRequestException("dropped", new System.IO.IOException("reset"));
            foreach (var kind in new[] { FcCallKind.Read, FcCallKind.TaskSubmission })
            {
                Assert.True(policy.IsRetryableStatus(kind, 500));
                Assert.True(policy.IsRetryableException(kind, dropped));
                Assert.True(policy.IsRetryableException(kind, attemptTimeout));
                Assert.True(policy.IsRetryableException(kind, new FcFramingException("cut")));
            }
            Assert.False(policy.IsRetryableStatus(FcCallKind.Invocation, 500));
            Assert.False(policy.IsRetryableException(FcCallKind.Invocation, dropped));
            Assert.False(policy.IsRetryableException(FcCallKind.Invocation, attemptTimeout));
            Assert.True(policy.IsRetryableStatus(FcCallKind.Invocation, 429));
            Assert.True(FcRetryPolicy.MayHaveTakenEffect(500));
            Assert.False(FcRetryPolicy.MayHaveTakenEffect(503));
            Assert.False(FcRetryPolicy.MayHaveTakenEffect(429));
            Assert.True(FcRetryPolicy.MayHaveTakenEffect(dropped));
            Assert.False(FcRetryPolicy.MayHaveTakenEffect(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))));
        }

        /// <summary>Answers after 30 s, far beyond the 1 s timeouts and the cancellations of the tests that use it.</summary>
        private sealed class DelayingHandler : HttpMessageHandler
        {
            public TaskCompletionSource<bool> Entered { get; } = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
            {
                Entered.TrySetResult(true);
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
                return new HttpResponseMessage(HttpStatusCode.OK);
            }
        }
    }
}
