using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.TestFixtures;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>
    /// The async-task readers are total: whatever JSON comes back, they return a task (fields that cannot be represented
    /// left empty, with a note), a page, or FcUnexpectedResponse; never a raw .NET exception. And the waiter's deadline holds.
    /// </summary>
    public class TaskReaderEdgeTests
    {
        private sealed class NoteLog : IFcLog
        {
            public readonly List<string> Lines = new List<string>();
            public bool IsVerboseEnabled => true;
            public bool IsDebugEnabled => false;
            public void Verbose(string message) { lock (Lines) Lines.Add(message); }
            public void Debug(string message) { }
            public void Warning(string message) { lock (Lines) Lines.Add("WARNING: " + message); }
        }

        private static readonly FcFunctionRef Fn = new FcFunctionRef("fn", null, null);

        private static FcAsyncTask Map(string json, IFcLog log = null) =>
            FcAsyncTasks.FromJson(JsonDocument.Parse(json).RootElement, Fn, log, "GetAsyncTask");

        [Theory]
        [InlineData("startedTime", "99999999999999999")]
        [InlineData("startedTime", "253402300800000")]
        [InlineData("endTime", "9223372036854775807")]
        [InlineData("endTime", "1e300")]
        [InlineData("startedTime", "\"yesterday\"")]
        [InlineData("startedTime", "{\"ms\":1}")]
        [InlineData("durationMs", "9223372036854775807")]
        [InlineData("durationMs", "-5")]
        [InlineData("durationMs", "1.5e40")]
        [InlineData("durationMs", "[1]")]
        public void Values_that_cannot_be_represented_are_left_empty_with_a_note(string field, string value)
        {
            var log = new NoteLog();
            var t = Map($"{{\"taskId\":\"t-1\",\"status\":\"Succeeded\",\"{field}\":{value}}}", log);
            Assert.Equal("t-1", t.TaskId);
            Assert.Equal("Succeeded", t.Status);
            if (field == "startedTime") Assert.Null(t.StartedTime);
            if (field == "endTime") Assert.Null(t.EndTime);
            Assert.Null(t.Duration);
            Assert.Contains(log.Lines, l => l.Contains("t-1") && l.Contains(field) && l.Contains("left empty"));
        }

        [Fact]
        public void Zero_times_mean_not_yet_and_need_no_note()
        {
            var log = new NoteLog();
            var t = Map("{\"taskId\":\"t\",\"status\":\"Running\",\"startedTime\":1633449590000,\"endTime\":0}", log);
            Assert.NotNull(t.StartedTime);
            Assert.Null(t.EndTime);
            Assert.Null(t.Duration);
            Assert.Empty(log.Lines);
        }

        [Fact]
        public void An_end_before_the_start_gives_no_negative_duration()
        {
            var t = Map("{\"taskId\":\"t\",\"startedTime\":1633449599000,\"endTime\":1633449590000}");
            Assert.Null(t.Duration);
        }

        [Fact]
        public void Any_json_value_in_any_field_never_throws()
        {
            var fields = new[] { "taskId", "invocationId", "status", "startedTime", "endTime", "durationMs", "functionArn", "functionName",
                                 "serviceName", "qualifier", "requestId", "taskErrorMessage", "taskPayload", "returnPayload",
                                 "alreadyRetriedTimes", "destinationStatus", "instanceId", "events" };
            var values = new[] { "null", "true", "0", "-1", "1e308", "-1e308", "18446744073709551616", "\"\"", "\"x\"", "[]", "{}",
                                 "[null,1,\"a\",{}]", "[{\"eventId\":1e99,\"timestamp\":-1e99,\"status\":7,\"eventDetail\":{}}]", "\"functions/\"" };
            foreach (var field in fields)
            foreach (var value in values)
            {
                var t = Map($"{{\"taskId\":\"t\",\"{field}\":{value}}}", new NoteLog());
                Assert.NotNull(t);
                Assert.NotNull(t.Events);
            }
        }

        // ---- Answers that are not the object the operation needs. ----

        private static FcResponse Ok(string body) =>
            new FcResponse(200, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-fc-request-id"] = "r-1" },
                           System.Text.Encoding.UTF8.GetBytes(body), TimeSpan.Zero, 1);

        [Theory]
        [InlineData("", "an empty body")]
        [InlineData("[]", "a JSON array")]
        [InlineData("[{\"taskId\":\"t\"}]", "a JSON array")]
        [InlineData("42", "a JSON number")]
        [InlineData("\"t\"", "a JSON string")]
        [InlineData("<html><body><h1>Welcome to nginx!</h1></body></html>", "not JSON")]
        [InlineData("{}", "not a task")]
        [InlineData("{\"taskId\":5,\"status\":\"Running\"}", "not a task")]
        [InlineData("{\"code\":\"ok\"}", "not a task")]
        public async Task GetAsyncTask_refuses_what_is_not_a_task(string body, string expected)
        {
            using var fixture = new RawHttpFixture(RawReply.Http(200, body));
            var ex = await Assert.ThrowsAsync<FcUnexpectedResponseException>(() =>
                FcAsyncTasks.GetAsync(WireEdgeTests.ClientFor(fixture), Fn, "t", new FcCallOptions { Retry = new FcRetryPolicy(0) }, null, CancellationToken.None));
            Assert.Contains(expected, ex.Message);
            Assert.Equal("GetAsyncTask", ex.Action);
            Assert.Equal(200, ex.StatusCode);
            Assert.Equal("raw-1", ex.RequestId);
            Assert.DoesNotContain("<", ex.Message);
            Assert.Equal(1, fixture.RequestCount);
        }

        [Theory]
        [InlineData("{\"tasks\":\"none\"}", "instead of an array")]
        [InlineData("{\"tasks\":[],\"nextToken\":5}", "nextToken that is a JSON number")]
        [InlineData("[]", "a JSON array")]
        public async Task A_listing_that_is_not_a_page_is_refused(string body, string expected)
        {
            using var fixture = new RawHttpFixture(RawReply.Http(200, body));
            var ex = await Assert.ThrowsAsync<FcUnexpectedResponseException>(() =>
                FcAsyncTasks.ListPageAsync(WireEdgeTests.ClientFor(fixture), Fn, new FcTaskListQuery(), new FcCallOptions { Retry = new FcRetryPolicy(0) }, null, CancellationToken.None));
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public async Task Items_of_a_page_that_are_not_tasks_are_skipped_with_a_note()
        {
            using var fixture = new RawHttpFixture(RawReply.Http(200, "{\"tasks\":[{\"taskId\":\"a\"},1,null,{\"status\":\"x\"},{\"taskId\":\"b\",\"startedTime\":1e30}],\"nextToken\":null}"));
            var log = new NoteLog();
            var page = await FcAsyncTasks.ListPageAsync(WireEdgeTests.ClientFor(fixture), Fn, new FcTaskListQuery(), new FcCallOptions(), log, CancellationToken.None);
            Assert.Equal(new[] { "a", "b" }, page.Items.Select(t => t.TaskId));
            Assert.Null(page.NextToken);
            Assert.Contains(log.Lines, l => l.Contains("3 item(s)") && l.Contains("skipped"));
            Assert.Contains(log.Lines, l => l.Contains("'b'") && l.Contains("startedTime"));
        }

        // ---- The waiter: a hard deadline that includes the polls in flight. ----

        private sealed class Observer : IFcTaskWaitObserver
        {
            public readonly List<Exception> Failures = new List<Exception>();
            public readonly List<FcAsyncTask> Finished = new List<FcAsyncTask>();
            void IFcTaskWaitObserver.Finished(FcTaskWaitTarget target, FcAsyncTask task) { lock (Finished) Finished.Add(task); }
            void IFcTaskWaitObserver.Failed(FcTaskWaitTarget target, Exception error) { lock (Failures) Failures.Add(error); }
            void IFcTaskWaitObserver.Progress(IReadOnlyDictionary<string, int> pendingByStatus, int finished, int total) { }
        }

        [Fact]
        public async Task The_wait_deadline_cuts_off_a_stalled_poll()
        {
            // Every poll is answered with nothing, ever; each attempt alone would wait 30 s.
            using var fixture = new RawHttpFixture(RawReply.Stall());
            var observer = new Observer();
            var targets = new[] { new FcTaskWaitTarget(Fn, "a", "a"), new FcTaskWaitTarget(Fn, "b", "b") };
            var watch = Stopwatch.StartNew();
            var result = await FcAsyncTaskWaiter.WaitAsync(WireEdgeTests.ClientFor(fixture), targets,
                new FcTaskWaitOptions { Timeout = TimeSpan.FromSeconds(1) }, FcCallOptions.Default, null, observer, CancellationToken.None);
            watch.Stop();
            Assert.True(result.TimedOut);
            Assert.Equal(2, result.Unfinished.Count);
            Assert.Equal(0, result.Finished);
            Assert.Empty(observer.Failures);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"the wait took {watch.Elapsed}");
            Assert.Equal(2, fixture.RequestCount);
        }

        [Fact]
        public async Task A_poll_answered_with_something_that_is_not_a_task_fails_that_task_with_the_id_Get_uses()
        {
            using var fixture = new RawHttpFixture(RawReply.Http(200, "[]"));
            var observer = new Observer();
            var result = await FcAsyncTaskWaiter.WaitAsync(WireEdgeTests.ClientFor(fixture), new[] { new FcTaskWaitTarget(Fn, "a", "a") },
                new FcTaskWaitOptions { Timeout = TimeSpan.FromSeconds(20) }, new FcCallOptions { Retry = new FcRetryPolicy(0) }, null, observer, CancellationToken.None);
            Assert.False(result.TimedOut);
            Assert.Empty(result.Unfinished);
            Assert.IsType<FcUnexpectedResponseException>(Assert.Single(observer.Failures));
        }

        [Fact]
        public async Task Caller_cancellation_is_not_a_timeout()
        {
            using var fixture = new RawHttpFixture(RawReply.Stall());
            using var cts = new CancellationTokenSource();
            var wait = FcAsyncTaskWaiter.WaitAsync(WireEdgeTests.ClientFor(fixture), new[] { new FcTaskWaitTarget(Fn, "a", "a") },
                new FcTaskWaitOptions { Timeout = TimeSpan.FromSeconds(60) }, FcCallOptions.Default, null, new Observer(), cts.Token);
            Assert.True(fixture.WaitForRequests(1));
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        }
    }
}
