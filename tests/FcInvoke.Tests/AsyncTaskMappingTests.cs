using System;
using System.Text.Json;
using FcInvoke.Core;
using Xunit;

namespace FcInvoke.Tests
{
    public class AsyncTaskMappingTests
    {
        private static FcAsyncTask Map(string json, string service = null, string function = "fn") =>
            FcAsyncTasks.FromJson(JsonDocument.Parse(json).RootElement, new FcFunctionRef(function, service, null));

        [Fact]
        public void Maps_a_2021_04_06_stateful_async_invocation()
        {
            var t = Map(@"{""invocationId"":""job-1"",""serviceName"":""svc"",""functionName"":""fn"",""qualifier"":""prod"",""status"":""Failed"",
                ""startedTime"":1633449590000,""endTime"":1633449599000,""durationMs"":8500,""requestId"":""r-1"",""instanceId"":""i-1"",
                ""invocationErrorMessage"":""UnhandledInvocationError"",""invocationPayload"":""{\""a\"":1}"",""returnPayload"":""ret"",
                ""alreadyRetriedTimes"":3,""destinationStatus"":""Succeeded"",
                ""events"":[{""eventId"":1,""status"":""Enqueued"",""timestamp"":1633449590000,""eventDetail"":""""},
                            {""eventId"":2,""status"":""Failed"",""timestamp"":1633449599000,""eventDetail"":""{\""Error\"":\""UnhandledInvocationError\""}""}]}", "svc");
            Assert.Equal("job-1", t.TaskId);
            Assert.Equal("svc", t.ServiceName);
            Assert.Equal("fn", t.FunctionName);
            Assert.Equal("prod", t.Qualifier);
            Assert.Equal("Failed", t.Status);
            Assert.True(t.IsTerminal);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1633449590000), t.StartedTime);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1633449599000), t.EndTime);
            Assert.Equal(TimeSpan.FromMilliseconds(8500), t.Duration);
            Assert.Equal("UnhandledInvocationError", t.ErrorMessage);
            Assert.Equal("{\"a\":1}", t.Payload);
            Assert.Equal("ret", t.ReturnPayload);
            Assert.Equal(3, t.RetryCount);
            Assert.Equal("Succeeded", t.DestinationStatus);
            Assert.Equal("i-1", t.InstanceId);
            Assert.Equal("r-1", t.RequestId);
            Assert.Equal(2, t.Events.Length);
            Assert.Equal("Failed", t.Events[1].Status);
            Assert.Equal(2, t.Events[1].EventId);
            Assert.Equal("{\"Error\":\"UnhandledInvocationError\"}", t.Events[1].Detail);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1633449599000), t.Events[1].Time);
            Assert.Equal("2021-04-06", t.ApiVersion);
        }

        [Fact]
        public void Maps_a_2023_03_30_async_task_and_takes_the_function_name_from_the_arn()
        {
            var t = Map(@"{""taskId"":""t-9"",""functionArn"":""acs:fc:cn-shanghai:1234:functions/my-func"",""status"":""Succeeded"",
                ""startedTime"":1000,""endTime"":3500,""taskPayload"":""p"",""taskErrorMessage"":null,""returnPayload"":""ok""}", null, "requested");
            Assert.Equal("t-9", t.TaskId);
            Assert.Equal("my-func", t.FunctionName);
            Assert.Equal(string.Empty, t.ServiceName);
            Assert.Equal("acs:fc:cn-shanghai:1234:functions/my-func", t.FunctionArn);
            Assert.Equal("p", t.Payload);
            Assert.Null(t.ErrorMessage);
            Assert.Equal(TimeSpan.FromMilliseconds(2500), t.Duration); // no durationMs: end - start
            Assert.Equal("2023-03-30", t.ApiVersion);
        }

        [Fact]
        public void Absent_fields_stay_empty()
        {
            var t = Map(@"{""taskId"":""t-1""}");
            Assert.Equal("t-1", t.TaskId);
            Assert.Equal("fn", t.FunctionName);
            Assert.Null(t.Status);
            Assert.False(t.IsTerminal);
            Assert.Null(t.StartedTime);
            Assert.Null(t.EndTime);
            Assert.Null(t.Duration);
            Assert.Empty(t.Events);
            Assert.Equal(0, t.RetryCount);
        }

        [Theory]
        [InlineData("Hibernating", false)]
        [InlineData("Retrying", false)]
        [InlineData("Expired", true)]
        [InlineData("Invalid", true)]
        [InlineData("Stopped", true)]
        public void Unknown_and_known_statuses_are_kept_as_text(string status, bool terminal)
        {
            var t = Map($@"{{""taskId"":""t"",""status"":""{status}""}}");
            Assert.Equal(status, t.Status);
            Assert.Equal(terminal, t.IsTerminal);
        }

        [Fact]
        public void Odd_value_types_do_not_crash_the_mapping()
        {
            var t = Map(@"{""taskId"":42,""status"":""Running"",""startedTime"":""1700000000000"",""events"":{""not"":""an array""},""alreadyRetriedTimes"":""x"",""durationMs"":1.5}");
            Assert.Equal("42", t.TaskId);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000), t.StartedTime);
            Assert.Empty(t.Events);
            Assert.Equal(0, t.RetryCount);
        }

        [Fact]
        public void List_queries_use_each_versions_names()
        {
            var q = new FcTaskListQuery { Status = "Running", IdPrefix = "job-", StartedAfter = DateTimeOffset.FromUnixTimeMilliseconds(5), StartedBefore = DateTimeOffset.FromUnixTimeMilliseconds(9), Descending = true, IncludePayload = true, Limit = 20, NextToken = "tok" };
            var v2 = FcAsyncTasks.BuildListRequest(new FcFunctionRef("fn", "svc", "prod"), q).PathAndQuery;
            var v3 = FcAsyncTasks.BuildListRequest(new FcFunctionRef("fn", null, null), q).PathAndQuery;
            Assert.Equal("/2021-04-06/services/svc/functions/fn/stateful-async-invocations?qualifier=prod&limit=20&nextToken=tok&status=Running&invocationIdPrefix=job-&startedTimeBegin=5&startedTimeEnd=9&sortOrderByTime=desc&includePayload=true", v2);
            Assert.Equal("/2023-03-30/functions/fn/async-tasks?limit=20&nextToken=tok&status=Running&prefix=job-&startedTimeBegin=5&startedTimeEnd=9&sortOrderByTime=desc&includePayload=true", v3);
        }
    }
}
