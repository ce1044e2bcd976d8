using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>Filters of a task listing, in the module's terms; mapped to each API version's query names here.</summary>
    internal sealed class FcTaskListQuery : IFcPagedQuery
    {
        public string Status { get; set; }
        public string IdPrefix { get; set; }
        public DateTimeOffset? StartedAfter { get; set; }
        public DateTimeOffset? StartedBefore { get; set; }
        public bool? Descending { get; set; }
        public bool IncludePayload { get; set; }
        public int Limit { get; set; } = 100;
        public string NextToken { get; set; }
    }

    /// <summary>Get, list and stop async tasks on both API versions, and the mapping of both JSON shapes to <see cref="FcAsyncTask"/>.</summary>
    internal static class FcAsyncTasks
    {
        public static async Task<FcAsyncTask> GetAsync(FcClient client, FcFunctionRef fn, string taskId, FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var request = FcOperations.GetAsyncTask(fn, taskId);
            var response = await client.SendAsync(request, options, log, ct).ConfigureAwait(false);
            if (!response.IsSuccess) throw FcErrorParser.Parse(response, request.Action);
            using (var doc = FcResponseText.ParseObject(response, request.Action))
                return FromJson(doc.RootElement, fn);
        }

        public static async Task<FcPage<FcAsyncTask>> ListPageAsync(FcClient client, FcFunctionRef fn, FcTaskListQuery query,
                                                                    FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var request = BuildListRequest(fn, query);
            var response = await client.SendAsync(request, options, log, ct).ConfigureAwait(false);
            if (!response.IsSuccess) throw FcErrorParser.Parse(response, request.Action);
            using (var doc = FcResponseText.ParseObject(response, request.Action))
            {
                var tasks = new List<FcAsyncTask>();
                string next = null;
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in doc.RootElement.EnumerateObject())
                    {
                        if ((p.NameEquals("invocations") || p.NameEquals("tasks")) && p.Value.ValueKind == JsonValueKind.Array)
                            foreach (var item in p.Value.EnumerateArray()) tasks.Add(FromJson(item, fn));
                        else if (p.NameEquals("nextToken") && p.Value.ValueKind == JsonValueKind.String)
                            next = p.Value.GetString();
                    }
                }
                return new FcPage<FcAsyncTask>(tasks, next);
            }
        }

        public static async Task StopAsync(FcClient client, FcFunctionRef fn, string taskId, FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var request = FcOperations.StopAsyncTask(fn, taskId);
            var response = await client.SendAsync(request, options, log, ct).ConfigureAwait(false);
            if (!response.IsSuccess) throw FcErrorParser.Parse(response, request.Action);
        }

        public static FcRequest BuildListRequest(FcFunctionRef fn, FcTaskListQuery query)
        {
            var request = FcOperations.ListAsyncTasks(fn)
                .WithQuery("limit", query.Limit.ToString(CultureInfo.InvariantCulture))
                .WithQuery("nextToken", query.NextToken)
                .WithQuery("status", query.Status)
                .WithQuery(fn.IsV2 ? "invocationIdPrefix" : "prefix", query.IdPrefix)
                .WithQuery("startedTimeBegin", query.StartedAfter?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
                .WithQuery("startedTimeEnd", query.StartedBefore?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
                .WithQuery("sortOrderByTime", query.Descending.HasValue ? (query.Descending.Value ? "desc" : "asc") : null);
            if (query.IncludePayload) request.WithQuery("includePayload", "true");
            return request;
        }

        /// <summary>
        /// Maps a StatefulAsyncInvocation (2021-04-06) or AsyncTask (2023-03-30) object. Absent fields stay empty, unknown
        /// fields are ignored, and any status text is kept as it came.
        /// </summary>
        public static FcAsyncTask FromJson(JsonElement json, FcFunctionRef requested)
        {
            var task = new FcAsyncTask
            {
                FunctionName = requested.FunctionName,
                ServiceName = requested.ServiceName ?? string.Empty,
                Qualifier = requested.Qualifier ?? string.Empty,
                ApiVersion = requested.ApiVersion.ToWire(),
            };
            if (json.ValueKind != JsonValueKind.Object) return task;
            long? durationMs = null;
            foreach (var p in json.EnumerateObject())
            {
                var v = p.Value;
                switch (p.Name)
                {
                    case "invocationId":
                    case "taskId": task.TaskId = Text(v); break;
                    case "functionName": task.FunctionName = Text(v) ?? task.FunctionName; break;
                    case "serviceName": task.ServiceName = Text(v) ?? task.ServiceName; break;
                    case "functionArn":
                        task.FunctionArn = Text(v);
                        var name = FunctionNameFromArn(task.FunctionArn);
                        if (name != null) task.FunctionName = name;
                        break;
                    case "qualifier": task.Qualifier = Text(v) ?? task.Qualifier; break;
                    case "status": task.Status = Text(v); break;
                    case "startedTime": task.StartedTime = Time(v); break;
                    case "endTime": task.EndTime = Time(v); break;
                    case "durationMs": durationMs = Long(v); break;
                    case "requestId": task.RequestId = Text(v); break;
                    case "invocationErrorMessage":
                    case "taskErrorMessage": task.ErrorMessage = Text(v); break;
                    case "invocationPayload":
                    case "taskPayload": task.Payload = Text(v); break;
                    case "returnPayload": task.ReturnPayload = Text(v); break;
                    case "alreadyRetriedTimes": task.RetryCount = Long(v) ?? 0; break;
                    case "destinationStatus": task.DestinationStatus = Text(v); break;
                    case "instanceId": task.InstanceId = Text(v); break;
                    case "events": task.Events = Events(v); break;
                }
            }
            if (durationMs.HasValue) task.Duration = TimeSpan.FromMilliseconds(durationMs.Value);
            else if (task.StartedTime.HasValue && task.EndTime.HasValue) task.Duration = task.EndTime.Value - task.StartedTime.Value;
            return task;
        }

        private static FcAsyncTaskEvent[] Events(JsonElement v)
        {
            if (v.ValueKind != JsonValueKind.Array) return Array.Empty<FcAsyncTaskEvent>();
            var events = new List<FcAsyncTaskEvent>();
            foreach (var e in v.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object) continue;
                var ev = new FcAsyncTaskEvent();
                foreach (var p in e.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "eventId": ev.EventId = Long(p.Value) ?? 0; break;
                        case "status": ev.Status = Text(p.Value); break;
                        case "timestamp": ev.Time = Time(p.Value); break;
                        case "eventDetail": ev.Detail = Text(p.Value); break;
                    }
                }
                events.Add(ev);
            }
            return events.ToArray();
        }

        /// <summary>"acs:fc:cn-hangzhou:123:functions/name" → "name".</summary>
        internal static string FunctionNameFromArn(string arn)
        {
            if (string.IsNullOrEmpty(arn)) return null;
            var i = arn.LastIndexOf("functions/", StringComparison.Ordinal);
            return i < 0 ? null : arn.Substring(i + "functions/".Length);
        }

        private static string Text(JsonElement v) =>
            v.ValueKind == JsonValueKind.String ? v.GetString() :
            v.ValueKind == JsonValueKind.Null || v.ValueKind == JsonValueKind.Undefined ? null : v.GetRawText();

        private static long? Long(JsonElement v)
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)) return n;
            if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
            return null;
        }

        private static DateTimeOffset? Time(JsonElement v)
        {
            var ms = Long(v);
            if (ms.HasValue && ms.Value > 0) return DateTimeOffset.FromUnixTimeMilliseconds(ms.Value);
            if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
            return null;
        }
    }
}
