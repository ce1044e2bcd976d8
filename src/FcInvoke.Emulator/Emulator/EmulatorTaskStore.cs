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

        public EmulatorTask(string id, string serviceName, string functionName, string qualifier, string version, string payload, string requestId, long acceptedTime)
        {
            Id = id;
            ServiceName = serviceName;
            FunctionName = functionName;
            Qualifier = qualifier ?? "LATEST";
            Version = version ?? "LATEST";
            Payload = payload ?? string.Empty;
            RequestId = requestId;
            StartedTime = acceptedTime;
            Status = "Enqueued";
            _events.Add(new EmulatorTaskEvent(1, "Enqueued", acceptedTime, string.Empty));
        }

        public string Id { get; }
        public string ServiceName { get; }
        public string FunctionName { get; }
        /// <summary>The qualifier the task was invoked with (LATEST when none); listings filter on it.</summary>
        public string Qualifier { get; }
        /// <summary>The version the qualifier resolved to.</summary>
        public string Version { get; }
        public string Payload { get; }
        public string RequestId { get; }
        /// <summary>When the task was accepted (FC's startedTime); its run's own start is the Running event.</summary>
        public long StartedTime { get; }
        public CancellationTokenSource Stop { get; } = new CancellationTokenSource();

        public string Status { get; private set; }
        public long? EndTime { get; private set; }
        public long? DurationMs { get; private set; }
        public string ReturnPayload { get; private set; }
        public string ErrorMessage { get; private set; }
        public string InstanceId { get; set; }

        /// <summary>UTF-16 bytes of the strings the task keeps, for the store's memory bound.</summary>
        public long RetainedBytes
        {
            get { lock (_gate) return 2L * (Payload.Length + (ReturnPayload?.Length ?? 0) + (ErrorMessage?.Length ?? 0)); }
        }

        public bool IsFinished { get { lock (_gate) return IsTerminal(Status); } }

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

        /// <summary>Ends the task; false when it had already ended.</summary>
        public bool Finish(string status, long now, string returnPayload, string errorMessage, long durationMs, string detail)
        {
            lock (_gate)
            {
                if (IsTerminal(Status)) return false;
                Status = status;
                EndTime = now;
                DurationMs = durationMs;
                ReturnPayload = returnPayload;
                ErrorMessage = errorMessage;
                _events.Add(new EmulatorTaskEvent(_events.Count + 1, status, now, detail ?? string.Empty));
                return true;
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

        /// <summary>
        /// The task as it stood at <paramref name="asOf"/> (epoch ms), from its events: null when it was accepted later;
        /// before its end, without the end's fields (time, duration, result, error). What a listing that lags shows.
        /// </summary>
        public EmulatorTaskSnapshot SnapshotAsOf(long asOf)
        {
            if (StartedTime > asOf) return null;
            lock (_gate)
            {
                var events = _events.Where(e => e.Timestamp <= asOf).ToArray();
                if (events.Length == _events.Count) return Snapshot();
                var status = events.Length > 0 ? events[events.Length - 1].Status : "Enqueued";
                // A task that ended by then is shown whole; its last event is its end.
                if (IsTerminal(status)) return Snapshot();
                return new EmulatorTaskSnapshot { Task = this, Status = status, Events = events };
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
        public string Qualifier { get; set; }
        public string Status { get; set; }
        public string IdPrefix { get; set; }
        public long? StartedBegin { get; set; }
        public long? StartedEnd { get; set; }
        public bool Descending { get; set; }
        public int Limit { get; set; }
        public string NextToken { get; set; }
    }

    /// <summary>
    /// All async tasks of one emulator, keyed by function and task id, with bounded memory: at most <see cref="MaxTasks"/>
    /// tasks and <see cref="MaxRetainedBytes"/> of payloads and results. Past either bound the oldest finished tasks are
    /// forgotten; when only unfinished ones are left, a new task is refused (FC would queue it; the emulator cannot
    /// hold an unbounded queue).
    /// </summary>
    internal sealed class EmulatorTaskStore
    {
        public const int DefaultMaxTasks = 10000;
        public const long DefaultMaxRetainedBytes = 256L * 1024 * 1024;
        /// <summary>FC 3.0 keeps at most 1 MB of a task's returnPayload (fc-protocol.md §4.2).</summary>
        public const int MaxReturnPayloadBytes = 1024 * 1024;

        public enum AddResult { Added, Exists, Full }

        private readonly object _gate = new object();
        private readonly Dictionary<string, EmulatorTask> _tasks = new Dictionary<string, EmulatorTask>(StringComparer.Ordinal);
        /// <summary>Tasks in acceptance order, the order they are forgotten in.</summary>
        private readonly LinkedList<(string key, EmulatorTask task)> _byAge = new LinkedList<(string, EmulatorTask)>();
        private long _retainedBytes;

        public EmulatorTaskStore(int maxTasks = DefaultMaxTasks, long maxRetainedBytes = DefaultMaxRetainedBytes)
        {
            MaxTasks = maxTasks;
            MaxRetainedBytes = maxRetainedBytes;
        }

        public int MaxTasks { get; }
        public long MaxRetainedBytes { get; }
        public int Count { get { lock (_gate) return _tasks.Count; } }
        public long RetainedBytes { get { lock (_gate) return _retainedBytes; } }

        private static string Key(string functionKey, string id) => functionKey + "\n" + id;

        /// <summary>Exists when the function already has a task with this id (FC answers 409); Full when nothing can be forgotten.</summary>
        public AddResult TryAdd(string functionKey, EmulatorTask task)
        {
            lock (_gate)
            {
                var key = Key(functionKey, task.Id);
                if (_tasks.ContainsKey(key)) return AddResult.Exists;
                var size = task.RetainedBytes;
                if (!MakeRoom(1, size)) return AddResult.Full;
                _tasks[key] = task;
                _byAge.AddLast((key, task));
                _retainedBytes += size;
                return AddResult.Added;
            }
        }

        /// <summary>Ends a task through the store, so its result counts toward the memory bound (cut to FC's 1 MB).</summary>
        public bool Finish(EmulatorTask task, string status, long now, string returnPayload, string errorMessage, long durationMs, string detail)
        {
            lock (_gate)
            {
                var before = task.RetainedBytes;
                if (!task.Finish(status, now, Truncate(returnPayload), errorMessage, durationMs, detail)) return false;
                _retainedBytes += task.RetainedBytes - before;
                if (_retainedBytes > MaxRetainedBytes) MakeRoom(0, 0);
                return true;
            }
        }

        public EmulatorTask Find(string functionKey, string id)
        {
            lock (_gate) return _tasks.TryGetValue(Key(functionKey, id), out var t) ? t : null;
        }

        /// <summary>Forgets the oldest finished tasks until <paramref name="extraTasks"/> and <paramref name="extraBytes"/> fit.</summary>
        private bool MakeRoom(int extraTasks, long extraBytes)
        {
            var node = _byAge.First;
            while (node != null && (_tasks.Count + extraTasks > MaxTasks || _retainedBytes + extraBytes > MaxRetainedBytes))
            {
                var next = node.Next;
                if (node.Value.task.IsFinished)
                {
                    _tasks.Remove(node.Value.key);
                    _retainedBytes -= node.Value.task.RetainedBytes;
                    _byAge.Remove(node);
                }
                node = next;
            }
            return _tasks.Count + extraTasks <= MaxTasks && _retainedBytes + extraBytes <= MaxRetainedBytes;
        }

        private static string Truncate(string text)
        {
            if (text == null || Encoding.UTF8.GetByteCount(text) <= MaxReturnPayloadBytes) return text;
            var bytes = Encoding.UTF8.GetBytes(text);
            int end = MaxReturnPayloadBytes;
            while (end > 0 && (bytes[end] & 0xC0) == 0x80) end--; // cut at a character boundary
            return Encoding.UTF8.GetString(bytes, 0, end);
        }

        /// <summary>
        /// How far listings lag behind the tasks (0: not at all): a listing shows the tasks as they stood this long ago,
        /// so a task appears in listings only this long after it was accepted, and its later changes as late (a test
        /// setting; GetAsyncTask is never behind).
        /// </summary>
        public TimeSpan ListingLag { get; set; }

        /// <summary>One page of tasks in (startedTime, id) order and the token of the next page, or null.</summary>
        public (List<EmulatorTaskSnapshot> page, string nextToken) List(string functionKey, EmulatorTaskQuery query, long? now = null)
        {
            var lag = (long)ListingLag.TotalMilliseconds;
            var asOf = lag > 0 ? (now ?? EmulatorClock.NowMs()) - lag : (long?)null;
            List<EmulatorTask> candidates;
            lock (_gate)
            {
                // Filtered on what never changes before the (costlier) consistent copies are made.
                var keyPrefix = functionKey + "\n";
                candidates = _byAge.Where(n => n.key.StartsWith(keyPrefix, StringComparison.Ordinal)).Select(n => n.task)
                    .Where(t => (string.IsNullOrEmpty(query.Qualifier) || t.Qualifier == query.Qualifier) &&
                                (string.IsNullOrEmpty(query.IdPrefix) || t.Id.StartsWith(query.IdPrefix, StringComparison.Ordinal)) &&
                                (!query.StartedBegin.HasValue || t.StartedTime >= query.StartedBegin.Value) &&
                                (!query.StartedEnd.HasValue || t.StartedTime <= query.StartedEnd.Value))
                    .ToList();
            }
            // Ordered on what never changes, then copied only as far as the page (and the first task after it) reaches.
            candidates.Sort((a, b) => Compare(a, b.StartedTime, b.Id, query.Descending));
            int start = 0;
            if (!string.IsNullOrEmpty(query.NextToken))
            {
                var (time, id) = DecodeToken(query.NextToken);
                start = candidates.FindIndex(t => Compare(t, time, id, query.Descending) >= 0);
                if (start < 0) start = candidates.Count;
            }
            var page = new List<EmulatorTaskSnapshot>(Math.Min(query.Limit, candidates.Count));
            for (int i = start; i < candidates.Count; i++)
            {
                var snapshot = asOf.HasValue ? candidates[i].SnapshotAsOf(asOf.Value) : candidates[i].Snapshot();
                if (snapshot == null || (!string.IsNullOrEmpty(query.Status) && snapshot.Status != query.Status)) continue;
                if (page.Count == query.Limit) return (page, EncodeToken(candidates[i]));
                page.Add(snapshot);
            }
            return (page, null);
        }

        private static int Compare(EmulatorTask t, long time, string id, bool descending)
        {
            int c = t.StartedTime.CompareTo(time);
            if (c == 0) c = string.CompareOrdinal(t.Id, id);
            return descending ? -c : c;
        }

        private static string EncodeToken(EmulatorTask t) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(t.StartedTime + ":" + t.Id));

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
