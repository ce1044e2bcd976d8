using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
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
    /// <summary>FcClient's retry loop against a scripted HttpMessageHandler: what is resent, how often, and what the caller sees.</summary>
    public class ClientRetryTests
    {
        private static readonly FcFunctionRef Fn = new FcFunctionRef("fn", null, null);
        private static readonly FcRetryPolicy Fast = new FcRetryPolicy(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));

        private static FcRequest Invoke() => FcOperations.InvokeFunction(Fn).WithBody(FcRequestBody.FromBytes(Encoding.UTF8.GetBytes("{}")));
        private static FcRequest Read() => FcOperations.GetAsyncTask(Fn, "t-1");

        private static (FcClient client, ScriptedHandler handler) Client(params Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] answers)
        {
            var handler = new ScriptedHandler(answers);
            var connection = new FcConnection(FcEndpoint.FromUri(new Uri("http://127.0.0.1:9/")), "123456", "cn-hangzhou",
                new StaticCredentialProvider(new FcCredential("AKIDTEST", "secret-value", null, null, "Test")));
            return (new FcClient(connection, new HttpClient(handler)), handler);
        }

        private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Status(int status, string retryAfter = null) => (r, ct) =>
        {
            var answer = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"Code\":\"C" + status + "\"}")) };
            if (retryAfter != null) answer.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            return Task.FromResult(answer);
        };

        private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Throw(Exception ex) => (r, ct) =>
            Task.FromException<HttpResponseMessage>(ex);

        private static HttpRequestException Dropped() => new HttpRequestException("An error occurred", new IOException("The response ended prematurely."));
        private static HttpRequestException Refused() => new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused));

        private static Task<FcResponse> Send(FcClient client, FcRequest request, FcRetryPolicy policy = null, int timeoutSec = 0,
                                             IFcLog log = null, CancellationToken token = default) =>
            client.SendAsync(request, new FcCallOptions { Retry = policy ?? Fast, TimeoutSec = timeoutSec }, log, token);

        [Fact]
        public async Task Throttled_invocations_are_resent_and_every_attempt_is_signed_afresh()
        {
            var (client, handler) = Client(Status(429), Status(503), Status(200));
            var log = new ListLog();
            var response = await Send(client, Invoke(), log: log);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(3, response.Attempts);
            Assert.Equal(3, handler.Requests.Count);
            Assert.Equal(3, handler.Requests.Select(r => r.Nonce).Distinct().Count());
            Assert.Equal(3, handler.Requests.Select(r => r.Authorization).Distinct().Count());
            Assert.All(handler.Requests, r => Assert.Equal("{}", r.Body));
            Assert.Equal(2, log.Verbose.Count(m => m.Contains("retrying in")));
        }

        [Theory]
        [InlineData(500)]
        [InlineData(502)]
        [InlineData(504)]
        public async Task A_5xx_invocation_is_not_resent_because_the_function_may_have_run(int status)
        {
            var (client, handler) = Client(Status(status), Status(200));
            var response = await Send(client, Invoke());
            Assert.Equal(status, response.StatusCode);
            Assert.Single(handler.Requests);
        }

        [Fact]
        public async Task A_5xx_read_is_resent()
        {
            var (client, handler) = Client(Status(500), Status(502), Status(200));
            var response = await Send(client, Read());
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(3, handler.Requests.Count);
        }

        [Fact]
        public async Task A_dropped_connection_fails_an_invocation_at_once_and_is_resent_for_a_read()
        {
            var (client, handler) = Client(Throw(Dropped()), Status(200));
            var ex = await Assert.ThrowsAsync<FcTransportException>(() => Send(client, Invoke()));
            Assert.Contains("not retried, because the function may have run", ex.Message);
            Assert.Single(handler.Requests);

            var (readClient, readHandler) = Client(Throw(Dropped()), Status(200));
            Assert.Equal(200, (await Send(readClient, Read())).StatusCode);
            Assert.Equal(2, readHandler.Requests.Count);
        }

        [Fact]
        public async Task A_refused_connection_is_resent_even_for_an_invocation()
        {
            var (client, handler) = Client(Throw(Refused()), Throw(Refused()), Status(200));
            Assert.Equal(200, (await Send(client, Invoke())).StatusCode);
            Assert.Equal(3, handler.Requests.Count);
        }

        [Fact]
        public async Task Retries_are_bounded_and_zero_disables_them()
        {
            var (client, handler) = Client(Status(429), Status(429), Status(429), Status(429), Status(429));
            var response = await Send(client, Invoke());
            Assert.Equal(429, response.StatusCode);
            Assert.Equal(4, handler.Requests.Count); // 1 + MaxRetries 3
            Assert.Contains("after 4 attempts", FcErrorParser.Parse(response, "InvokeFunction").Message);

            var (once, onceHandler) = Client(Status(429), Status(200));
            Assert.Equal(429, (await Send(once, Invoke(), new FcRetryPolicy(0))).StatusCode);
            Assert.Single(onceHandler.Requests);
        }

        [Fact]
        public async Task Retry_after_is_honoured()
        {
            var (client, handler) = Client(Status(429, "0.4"), Status(200));
            var clock = Stopwatch.StartNew();
            var response = await Send(client, Invoke(), new FcRetryPolicy(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5)));
            Assert.Equal(200, response.StatusCode);
            Assert.True(handler.Requests[1].At - handler.Requests[0].At >= TimeSpan.FromMilliseconds(390),
                $"the retry came {(handler.Requests[1].At - handler.Requests[0].At).TotalMilliseconds} ms after the 429");
        }

        [Fact]
        public async Task TimeoutSec_bounds_the_call_and_says_so()
        {
            var (client, _) = Client((r, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith<HttpResponseMessage>(t => throw new OperationCanceledException(ct), TaskScheduler.Default));
            var ex = await Assert.ThrowsAsync<FcTimeoutException>(() => Send(client, Invoke(), timeoutSec: 1));
            Assert.Contains("-TimeoutSec", ex.Message);
            Assert.Contains("may still be running", ex.Message);
        }

        [Fact]
        public async Task TimeoutSec_also_ends_a_retry_delay()
        {
            var slow = new FcRetryPolicy(3, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
            var (client, _) = Client(Status(429, "30"), Status(200));
            var ex = await Assert.ThrowsAsync<FcTimeoutException>(() => Send(client, Invoke(), slow, timeoutSec: 1));
            Assert.Contains("-TimeoutSec", ex.Message);
        }

        [Fact]
        public async Task A_connect_timeout_is_named_as_such()
        {
            // The handler's own connect timeout surfaces as a cancellation nobody asked for.
            var (client, handler) = Client(Throw(new TaskCanceledException("connect timed out", new TimeoutException())), Throw(new TaskCanceledException("again")));
            var ex = await Assert.ThrowsAsync<FcTimeoutException>(() => Send(client, Invoke(), new FcRetryPolicy(1, TimeSpan.FromMilliseconds(1))));
            Assert.Contains("connect timeout", ex.Message);
            Assert.Equal(2, handler.Requests.Count); // the request never left, so even an invocation was resent
        }

        [Fact]
        public async Task Cancelling_ends_the_call_at_once()
        {
            var (client, _) = Client((r, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith<HttpResponseMessage>(t => throw new OperationCanceledException(ct), TaskScheduler.Default));
            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Send(client, Invoke(), token: cts.Token));
            }
        }

        private sealed class ListLog : IFcLog
        {
            public readonly ConcurrentQueue<string> Verbose = new ConcurrentQueue<string>();
            void IFcLog.Verbose(string message) => Verbose.Enqueue(message);
            public void Debug(string message) { }
            public void Warning(string message) { }
        }

        private sealed class SeenRequest
        {
            public string Nonce, Authorization, Body;
            public TimeSpan At;
        }

        private sealed class ScriptedHandler : HttpMessageHandler
        {
            private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _answers;
            private readonly Stopwatch _clock = Stopwatch.StartNew();

            public ScriptedHandler(IEnumerable<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> answers)
            {
                _answers = new Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>>(answers);
            }

            public List<SeenRequest> Requests { get; } = new List<SeenRequest>();

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Requests.Add(new SeenRequest
                {
                    At = _clock.Elapsed,
                    Nonce = request.Headers.GetValues("x-acs-signature-nonce").Single(),
                    Authorization = request.Headers.GetValues("authorization").Single(),
                    Body = request.Content == null ? null : await request.Content.ReadAsStringAsync(),
                });
                return await _answers.Dequeue()(request, cancellationToken);
            }
        }
    }
}
