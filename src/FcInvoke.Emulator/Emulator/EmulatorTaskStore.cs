using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;

namespace FcInvoke.Emulator
{
    /// <summary>An async task in the emulator: FC's lifecycle (Enqueued, Dequeued, Running, then Succeeded, Failed or Stopped) with events.</summary>
    internal sealed class EmulatorTask
    {
        private readonly object _gate = new object();
        private readonly List<EmulatorTaskEvent> _events = new List<EmulatorTaskEvent>();

        public EmulatorTask(string id, string serviceName, string functionName, string qualifier, string payload, string requestId, long startedTime)
        {
            Id = id;
            ServiceName = serviceName;
            FunctionName = functionName;
            Qualifier = qualifier;
            Payload = payload;
            RequestId = requestId;
            StartedTime = startedTime;
            Status = "Enqueued";
            _events.Add(new EmulatorTaskEvent(1, "Enqueued", startedTime, string.Empty));
        }

        public string Id { get; }
        public string ServiceName { get; }
        public string FunctionName { get; }
        public string Qualifier { get; }
        public string Payload { get; }
        public string RequestId { get; }
        public long StartedTime { get; }
        public CancellationTokenSource Stop { get; } = new CancellationTokenSource();

        public string Status { get; private set; }
        public long? EndTime { get; private set; }
        public long? DurationMs { get; private set; }
        public string ReturnPayload { get; private set; }
        public string ErrorMessage { get; private set; }
        public string InstanceId { get; set; }

        public static bool IsTerminal(string status) =>
            status == "Succeeded" || status == "Failed" || status == "Stopped" || status == "Expired" || status == "Invalid";

        /// <summary>Moves to a new status and records the event; refused once the task is terminal.</summary>
        public bool Transition(string status, long now, string detail = "")
        {
            lock (_gate)
            {
                if (IsTerminal(Status)) return false;
                Status = status;
                _events.Add(new EmulatorTaskEvent(_events.Count + 1, status, now, detail ?? string.Empty));
                return true;
            }
        }

        public void Finish(string status, long now, string returnPayload, string errorMessage, long durationMs, string detail)
        {
            lock (_gate)
            {
                if (IsTerminal(Status)) return;
                Status = status;
                EndTime = now;
                DurationMs = durationMs;
                ReturnPayload = returnPayload;
                ErrorMessage = errorMessage;
                _events.Add(new EmulatorTaskEvent(_events.Count + 1, status, now, detail ?? string.Empty));
            }
        }

        /// <summary>A consistent copy for serialization.</summary>
        public EmulatorTaskSnapshot Snapshot()
        {
            lock (_gate)
            {
                return new EmulatorTaskSnapshot
                {
                    Task = this, Status = Status, EndTime = EndTime, DurationMs = DurationMs,
                    ReturnPayload = ReturnPayload, ErrorMessage = ErrorMessage, Events = _events.ToArray(),
                };
            }
        }
    }

    internal sealed class EmulatorTaskEvent
    {
        public EmulatorTaskEvent(long id, string status, long timestamp, string detail)
        {
            EventId = id; Status = status; Timestamp = timestamp; Detail = detail;
        }
        public long EventId { get; }
        public string Status { get; }
        public long Timestamp { get; }
        public string Detail { get; }
    }

    internal sealed class EmulatorTaskSnapshot
    {
        public EmulatorTask Task { get; set; }
        public string Status { get; set; }
        public long? EndTime { get; set; }
        public long? DurationMs { get; set; }
        public string ReturnPayload { get; set; }
        public string ErrorMessage { get; set; }
        public EmulatorTaskEvent[] Events { get; set; }
    }

    /// <summary>Filters of ListAsyncTasks / ListStatefulAsyncInvocations.</summary>
    internal sealed class EmulatorTaskQuery
    {
        public string Status { get; set; }
        public string IdPrefix { get; set; }
        public long? StartedBegin { get; set; }
        public long? StartedEnd { get; set; }
        public bool Descending { get; set; }
        public int Limit { get; set; }
        public string NextToken { get; set; }
    }

    /// <summary>All tasks of one emulator, keyed by function and task id.</summary>
    internal sealed class EmulatorTaskStore
    {
        private readonly object _gate = new object();
        private readonly Dictionary<string, EmulatorTask> _tasks = new Dictionary<string, EmulatorTask>(StringComparer.Ordinal);

        private static string Key(string functionKey, string id) => functionKey + "\n" + id;

        /// <summary>False when a task with this id already exists for the function (FC answers 409).</summary>
        public bool TryAdd(string functionKey, EmulatorTask task)
        {
            lock (_gate)
            {
                var key = Key(functionKey, task.Id);
                if (_tasks.ContainsKey(key)) return false;
                _tasks[key] = task;
                return true;
            }
        }

        public EmulatorTask Find(string functionKey, string id)
        {
            lock (_gate) return _tasks.TryGetValue(Key(functionKey, id), out var t) ? t : null;
        }

        public IReadOnlyList<EmulatorTask> All()
        {
            lock (_gate) return _tasks.Values.ToList();
        }

        /// <summary>One page of tasks in (startedTime, id) order and the token of the next page, or null.</summary>
        public (List<EmulatorTaskSnapshot> page, string nextToken) List(string functionKey, EmulatorTaskQuery query)
        {
            List<EmulatorTaskSnapshot> matching;
            lock (_gate)
            {
                matching = _tasks.Where(kv => kv.Key.StartsWith(functionKey + "\n", StringComparison.Ordinal))
                                 .Select(kv => kv.Value.Snapshot())
                                 .ToList();
            }
            IEnumerable<EmulatorTaskSnapshot> q = matching;
            if (!string.IsNullOrEmpty(query.Status)) q = q.Where(t => t.Status == query.Status);
            if (!string.IsNullOrEmpty(query.IdPrefix)) q = q.Where(t => t.Task.Id.StartsWith(query.IdPrefix, StringComparison.Ordinal));
            if (query.StartedBegin.HasValue) q = q.Where(t => t.Task.StartedTime >= query.StartedBegin.Value);
            if (query.StartedEnd.HasValue) q = q.Where(t => t.Task.StartedTime <= query.StartedEnd.Value);
            var ordered = query.Descending
                ? q.OrderByDescending(t => t.Task.StartedTime).ThenByDescending(t => t.Task.Id, StringComparer.Ordinal).ToList()
                : q.OrderBy(t => t.Task.StartedTime).ThenBy(t => t.Task.Id, StringComparer.Ordinal).ToList();

            int start = 0;
            if (!string.IsNullOrEmpty(query.NextToken))
            {
                var (time, id) = DecodeToken(query.NextToken);
                start = ordered.FindIndex(t => Compare(t, time, id, query.Descending) >= 0);
                if (start < 0) start = ordered.Count;
            }
            var page = ordered.Skip(start).Take(query.Limit).ToList();
            var next = start + page.Count < ordered.Count ? EncodeToken(ordered[start + page.Count]) : null;
            return (page, next);
        }

        private static int Compare(EmulatorTaskSnapshot t, long time, string id, bool descending)
        {
            int c = t.Task.StartedTime.CompareTo(time);
            if (c == 0) c = string.CompareOrdinal(t.Task.Id, id);
            return descending ? -c : c;
        }

        private static string EncodeToken(EmulatorTaskSnapshot t) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(t.Task.StartedTime + ":" + t.Task.Id));

        public static bool IsValidToken(string token)
        {
            try { DecodeToken(token); return true; } catch (FormatException) { return false; }
        }

        private static (long time, string id) DecodeToken(string token)
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var colon = text.IndexOf(':');
            if (colon <= 0 || !long.TryParse(text.Substring(0, colon), out var time)) throw new FormatException("bad token");
            return (time, text.Substring(colon + 1));
        }
    }
}
