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
            {
                if (!IsTask(doc.RootElement))
                    throw new FcUnexpectedResponseException(request.Action, response.StatusCode, response.RequestId,
                        "a JSON object that is not a task (no taskId or invocationId)", response.Body);
                return FromJson(doc.RootElement, fn, log, request.Action);
            }
        }

        /// <summary>An object with a task id (taskId, or invocationId in FC 2.0) that is text: what GetAsyncTask must return.</summary>
        internal static bool IsTask(JsonElement json)
        {
            if (json.ValueKind != JsonValueKind.Object) return false;
            foreach (var p in json.EnumerateObject())
                if ((p.NameEquals("taskId") || p.NameEquals("invocationId")) && p.Value.ValueKind == JsonValueKind.String && p.Value.GetString().Length > 0) return true;
            return false;
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
                int skipped = 0;
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.NameEquals("invocations") || p.NameEquals("tasks"))
                    {
                        if (p.Value.ValueKind == JsonValueKind.Null) continue;
                        if (p.Value.ValueKind != JsonValueKind.Array)
                            throw new FcUnexpectedResponseException(request.Action, response.StatusCode, response.RequestId,
                                $"'{p.Name}' as a JSON {Kind(p.Value)} instead of an array of tasks", response.Body);
                        foreach (var item in p.Value.EnumerateArray())
                        {
                            if (IsTask(item)) tasks.Add(FromJson(item, fn, log, request.Action));
                            else skipped++;
                        }
                    }
                    else if (p.NameEquals("nextToken"))
                    {
                        if (p.Value.ValueKind == JsonValueKind.String) next = p.Value.GetString();
                        else if (p.Value.ValueKind != JsonValueKind.Null)
                            throw new FcUnexpectedResponseException(request.Action, response.StatusCode, response.RequestId,
                                $"a nextToken that is a JSON {Kind(p.Value)}, not text", response.Body);
                    }
                }
                if (skipped > 0) log?.Verbose($"{request.Action}: {skipped} item(s) of the page are not tasks (no taskId); skipped.");
                return new FcPage<FcAsyncTask>(tasks, next, request.Action);
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

        private static string Kind(JsonElement v) => v.ValueKind.ToString().ToLowerInvariant();

        /// <summary>
        /// Maps a StatefulAsyncInvocation (2021-04-06) or AsyncTask (2023-03-30) object. Total: absent fields and fields of
        /// the wrong type stay empty, unknown fields are ignored, any status text is kept as it came, and numbers or times
        /// that cannot be represented (a date outside DateTimeOffset's range, a duration past TimeSpan's) are left empty with
        /// a Verbose note; nothing here throws.
        /// </summary>
        public static FcAsyncTask FromJson(JsonElement json, FcFunctionRef requested, IFcLog log = null, string action = null)
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
            var notes = new List<string>(0);
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
                    case "startedTime": task.StartedTime = Time(v, p.Name, notes); break;
                    case "endTime": task.EndTime = Time(v, p.Name, notes); break;
                    case "durationMs": durationMs = Long(v); if (durationMs == null) Note(v, p.Name, notes); break;
                    case "requestId": task.RequestId = Text(v); break;
                    case "invocationErrorMessage":
                    case "taskErrorMessage": task.ErrorMessage = Text(v); break;
                    case "invocationPayload":
                    case "taskPayload": task.Payload = Text(v); break;
                    case "returnPayload": task.ReturnPayload = Text(v); break;
                    case "alreadyRetriedTimes": task.RetryCount = Long(v) ?? 0; break;
                    case "destinationStatus": task.DestinationStatus = Text(v); break;
                    case "instanceId": task.InstanceId = Text(v); break;
                    case "events": task.Events = Events(v, notes); break;
                }
            }
            if (durationMs.HasValue && durationMs.Value >= 0 && durationMs.Value <= MaxDurationMs) task.Duration = TimeSpan.FromMilliseconds(durationMs.Value);
            else if (durationMs.HasValue) notes.Add($"durationMs {durationMs.Value} is not a duration");
            if (task.Duration == null && task.StartedTime.HasValue && task.EndTime.HasValue && task.EndTime.Value >= task.StartedTime.Value)
                task.Duration = task.EndTime.Value - task.StartedTime.Value;
            if (notes.Count > 0 && log != null && log.IsVerboseEnabled)
                log.Verbose($"{action ?? "Async task"}: task '{task.TaskId}': {string.Join("; ", notes)}; left empty.");
            return task;
        }

        /// <summary>TimeSpan's range in milliseconds (about 29,000 years).</summary>
        private const long MaxDurationMs = long.MaxValue / TimeSpan.TicksPerMillisecond;
        /// <summary>The last millisecond of year 9999: the end of DateTimeOffset's range (FC's times are after 1970).</summary>
        private const long MaxUnixMs = 253402300799999;

        private static void Note(JsonElement v, string name, List<string> notes)
        {
            if (v.ValueKind != JsonValueKind.Null) notes.Add($"{name} {Excerpt(v)} is not a number that fits");
        }

        private static string Excerpt(JsonElement v)
        {
            var text = v.GetRawText();
            return text.Length <= 40 ? text : text.Substring(0, 40) + "…";
        }

        private static FcAsyncTaskEvent[] Events(JsonElement v, List<string> notes)
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
                        case "timestamp": ev.Time = Time(p.Value, "event timestamp", notes); break;
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

        /// <summary>
        /// Epoch milliseconds (FC's form) or a date text. 0 and negative values mean "not yet" (FC writes 0 for a task that
        /// has not ended) and stay empty silently; values outside DateTimeOffset's range, or that are no date, are noted.
        /// </summary>
        private static DateTimeOffset? Time(JsonElement v, string name, List<string> notes)
        {
            switch (v.ValueKind)
            {
                case JsonValueKind.Null:
                case JsonValueKind.Undefined:
                    return null;
                case JsonValueKind.Number:
                case JsonValueKind.String:
                    var ms = Long(v);
                    if (ms.HasValue)
                    {
                        if (ms.Value <= 0) return null;
                        if (ms.Value <= MaxUnixMs) return DateTimeOffset.FromUnixTimeMilliseconds(ms.Value);
                        notes.Add($"{name} {ms.Value} is outside the range of dates");
                        return null;
                    }
                    if (v.ValueKind == JsonValueKind.String &&
                        DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
                    break;
            }
            notes.Add($"{name} {Excerpt(v)} is not a time");
            return null;
        }
    }
}
