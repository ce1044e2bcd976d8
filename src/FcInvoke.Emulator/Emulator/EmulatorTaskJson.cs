using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace FcInvoke.Emulator
{
    /// <summary>Writes emulator tasks in FC's two JSON shapes: StatefulAsyncInvocation (2021-04-06) and AsyncTask (2023-03-30).</summary>
    internal static class EmulatorTaskJson
    {
        public static byte[] One(EmulatorTaskSnapshot task, bool v2, string accountId, string region, bool includePayload = true)
        {
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream)) Write(w, task, v2, accountId, region, includePayload);
                return stream.ToArray();
            }
        }

        public static byte[] Page(IEnumerable<EmulatorTaskSnapshot> tasks, string nextToken, bool v2, string accountId, string region, bool includePayload)
        {
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    w.WriteStartArray(v2 ? "invocations" : "tasks");
                    foreach (var t in tasks) Write(w, t, v2, accountId, region, includePayload);
                    w.WriteEndArray();
                    if (nextToken != null) w.WriteString("nextToken", nextToken);
                    w.WriteEndObject();
                }
                return stream.ToArray();
            }
        }

        private static void Write(Utf8JsonWriter w, EmulatorTaskSnapshot s, bool v2, string accountId, string region, bool includePayload)
        {
            var t = s.Task;
            w.WriteStartObject();
            if (v2)
            {
                w.WriteString("invocationId", t.Id);
                w.WriteString("serviceName", t.ServiceName);
                w.WriteString("functionName", t.FunctionName);
                if (includePayload) w.WriteString("invocationPayload", t.Payload);
                if (s.ErrorMessage != null) w.WriteString("invocationErrorMessage", s.ErrorMessage);
            }
            else
            {
                w.WriteString("taskId", t.Id);
                w.WriteString("functionArn", $"acs:fc:{region}:{accountId}:functions/{t.FunctionName}");
                if (includePayload) w.WriteString("taskPayload", t.Payload);
                if (s.ErrorMessage != null) w.WriteString("taskErrorMessage", s.ErrorMessage);
            }
            w.WriteString("qualifier", t.Qualifier ?? "LATEST");
            w.WriteString("status", s.Status);
            w.WriteNumber("startedTime", t.StartedTime);
            if (s.EndTime.HasValue) w.WriteNumber("endTime", s.EndTime.Value);
            if (s.DurationMs.HasValue) w.WriteNumber("durationMs", s.DurationMs.Value);
            w.WriteString("requestId", t.RequestId);
            if (t.InstanceId != null) w.WriteString("instanceId", t.InstanceId);
            if (s.ReturnPayload != null) w.WriteString("returnPayload", s.ReturnPayload);
            w.WriteNumber("alreadyRetriedTimes", 0);
            w.WriteStartArray("events");
            foreach (var e in s.Events)
            {
                w.WriteStartObject();
                w.WriteNumber("eventId", e.EventId);
                w.WriteString("status", e.Status);
                w.WriteNumber("timestamp", e.Timestamp);
                w.WriteString("eventDetail", e.Detail);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }
}
