using System;
using System.Collections.Generic;
using System.Linq;

namespace FcInvoke.Core
{
    /// <summary>How a wait learns the state of its tasks.</summary>
    internal enum FcTaskWaitStrategy
    {
        /// <summary>Per function and per round, whichever is expected to cost fewer reads: listings or one read per task.</summary>
        Auto,
        /// <summary>One GetAsyncTask per pending task per round (the behaviour before listings were used; for comparison).</summary>
        PerTask,
    }

    /// <summary>One listing the waiter will page through: its filters, the tasks it is meant to settle, and its page budget.</summary>
    internal sealed class FcTaskListPlan
    {
        public FcTaskListPlan(IReadOnlyList<FcTaskWaitTarget> targets, string idPrefix, long? startedFrom, long? startedTo, bool newestFirst,
                              int expectedPages, int maxPages, bool populationKnown, string status = null)
        {
            Status = status;
            Targets = targets;
            IdPrefix = string.IsNullOrEmpty(idPrefix) ? null : idPrefix;
            StartedFrom = startedFrom;
            StartedTo = startedTo;
            NewestFirst = newestFirst;
            ExpectedPages = expectedPages;
            MaxPages = maxPages;
            PopulationKnown = populationKnown;
        }

        /// <summary>The pending tasks this listing should show (in the wait's input order).</summary>
        public IReadOnlyList<FcTaskWaitTarget> Targets { get; }
        public string IdPrefix { get; }
        /// <summary>startedTimeBegin / startedTimeEnd in epoch ms, or null for no bound.</summary>
        public long? StartedFrom { get; }
        public long? StartedTo { get; }
        /// <summary>Newest first (sortOrderByTime=desc): finding recently submitted tasks whose start time is not known yet.</summary>
        public bool NewestFirst { get; }
        public int ExpectedPages { get; }
        /// <summary>Pages after which the listing stops and its targets not seen yet are read one by one.</summary>
        public int MaxPages { get; }
        /// <summary>True when the page count comes from what an earlier listing of the range saw, not from a guess.</summary>
        public bool PopulationKnown { get; }
        /// <summary>
        /// A final status the listing is filtered by (one of the five), or null for every status. A filtered listing shows
        /// only tasks that finished that way; a pending task it does not show is simply not known to have finished so.
        /// </summary>
        public string Status { get; }

        /// <summary>The list filters of one page (both API versions map them in <see cref="FcAsyncTasks.BuildListRequest"/>).</summary>
        public FcTaskListQuery ToQuery(string nextToken, int pageSize) => new FcTaskListQuery
        {
            IdPrefix = IdPrefix,
            Status = Status,
            StartedAfter = StartedFrom.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(StartedFrom.Value) : (DateTimeOffset?)null,
            StartedBefore = StartedTo.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(StartedTo.Value) : (DateTimeOffset?)null,
            Descending = NewestFirst ? true : (bool?)null,
            // A Get returns the payload; a listing only when asked (fc-protocol.md §3.3, §4.2): asked, so both give the same task.
            IncludePayload = true,
            Limit = pageSize,
            NextToken = nextToken,
        };

        public override string ToString() =>
            $"{Targets.Count} task(s){(IdPrefix != null ? $", prefix '{IdPrefix}'" : string.Empty)}" +
            (StartedFrom.HasValue ? $", started {StartedFrom}..{StartedTo}" : string.Empty) + (NewestFirst ? ", newest first" : string.Empty) +
            (Status != null ? $", status {Status}" : string.Empty) +
            $", about {ExpectedPages} page(s), at most {MaxPages}";
    }

    /// <summary>What a function's earlier rounds say about the next one, for the choice between listing every status or only finished ones.</summary>
    internal sealed class FcTaskPlanContext
    {
        /// <summary>Whether listings filtered by final status may be used this round (not when the function refused them, or for a full listing now and then).</summary>
        public bool AllowStatusListings { get; set; }
        /// <summary>How many pending tasks are expected to finish before the next round (from the rounds before).</summary>
        public int ExpectedFinishing { get; set; }
        /// <summary>The final status most tasks of the function ended with so far.</summary>
        public string LikelyStatus { get; set; } = "Succeeded";
    }

    /// <summary>
    /// The cost model of a wait, per function and per round: a page of a listing costs one read and shows up to
    /// <see cref="PageSize"/> tasks, whoever they belong to; reading a task by itself costs one read. Kept free of I/O so it
    /// can be tested on its own.
    /// <list type="bullet">
    /// <item>Fewer than <see cref="MinTasksPerListing"/> pending tasks of a function are read one by one: a listing could
    /// save at most a few reads and would add a page, a check of the listing's fields and the risk of unrelated tasks.</item>
    /// <item>Tasks whose start time is not known yet (never seen) are looked for newest first, narrowed by their common id
    /// prefix, for at most twice the pages they fill plus one; those not found by then are read one by one.</item>
    /// <item>Tasks with a known start time are cut into segments of the time line wherever at least
    /// <see cref="SplitGap"/> tasks that are not pending lie between two that are (a page saved outweighs a page's
    /// rounding). A segment is listed (startedTimeBegin/End around it, its common id prefix) when its pages, counted from
    /// the tasks the function's earlier listings showed in that range (doubled where the range was never listed), are at
    /// most half the reads its tasks would cost one by one; otherwise its tasks are read one by one.</item>
    /// <item>A listed segment whose range was counted before is listed either for every status, or once for each of the
    /// five final statuses (Succeeded, Failed, Stopped, Expired, Invalid): whichever is expected to cost fewer pages. The
    /// five listings cost at least five pages, but show only what finished: the tasks of the range that finished earlier,
    /// and those expected to finish now (twice as many as finished in the round before, plus ten). Many pending tasks
    /// and few finishing ones favour them.</item>
    /// </list>
    /// </summary>
    internal static class FcTaskWaitPlanner
    {
        /// <summary>FC's largest page of tasks (limit ≤ 100, fc-protocol.md §3.3, §4.2).</summary>
        public const int PageSize = 100;
        public const int MinTasksPerListing = 8;
        public const int SplitGap = 100;
        /// <summary>The statuses a task ends in (<see cref="FcAsyncTask.IsTerminalStatus"/>), as FC's list filter names them.</summary>
        public static readonly string[] FinalStatuses = { "Succeeded", "Failed", "Stopped", "Expired", "Invalid" };

        public static int Pages(int tasks) => tasks <= 0 ? 1 : (tasks + PageSize - 1) / PageSize;

        /// <summary>The longest prefix all ids share (empty when none).</summary>
        public static string CommonPrefix(IEnumerable<string> ids)
        {
            string prefix = null;
            foreach (var id in ids)
            {
                if (prefix == null) { prefix = id; continue; }
                int n = Math.Min(prefix.Length, id.Length), i = 0;
                while (i < n && prefix[i] == id[i]) i++;
                if (i < prefix.Length) prefix = prefix.Substring(0, i);
                if (prefix.Length == 0) break;
            }
            return prefix ?? string.Empty;
        }

        /// <summary>A listing to find tasks never seen yet, newest first; null when reading them one by one is cheaper.</summary>
        public static FcTaskListPlan PlanDiscovery(IReadOnlyList<FcTaskWaitTarget> unseen)
        {
            if (unseen.Count < MinTasksPerListing) return null;
            var expected = Pages(unseen.Count);
            // Nothing is known about what else the function holds: the guess is doubled before it is compared.
            if (4 * expected > unseen.Count) return null;
            return new FcTaskListPlan(unseen, CommonPrefix(unseen.Select(t => t.TaskId)), null, null, newestFirst: true,
                                      expectedPages: expected, maxPages: 2 * expected + 1, populationKnown: false);
        }

        /// <summary>
        /// Segments of the pending tasks with known start times, each with its decision: a listing plan, or null for "read
        /// these one by one" (returned as the second list).
        /// </summary>
        /// <param name="timed">Pending tasks whose start time is known (their LastSeen.StartedTime).</param>
        /// <param name="others">Start times and ids of the function's other tasks the earlier listings showed (not pending ones).</param>
        public static (List<FcTaskListPlan> listings, List<FcTaskWaitTarget> oneByOne) PlanKnown(
            IReadOnlyList<FcTaskWaitTarget> timed, FcTaskPopulation others, FcTaskPlanContext context = null)
        {
            var listings = new List<FcTaskListPlan>();
            var single = new List<FcTaskWaitTarget>();
            if (timed.Count == 0) return (listings, single);
            var sorted = timed.OrderBy(t => Start(t)).ThenBy(t => t.TaskId, StringComparer.Ordinal).ToList();
            var segment = new List<FcTaskWaitTarget> { sorted[0] };
            for (int i = 1; i < sorted.Count; i++)
            {
                var gap = others.CountBetween(Start(sorted[i - 1]), Start(sorted[i]), null, exclusive: true);
                if (gap >= SplitGap)
                {
                    Decide(segment, others, context, listings, single);
                    segment = new List<FcTaskWaitTarget>();
                }
                segment.Add(sorted[i]);
            }
            Decide(segment, others, context, listings, single);
            return (listings, single);
        }

        private static void Decide(List<FcTaskWaitTarget> segment, FcTaskPopulation others, FcTaskPlanContext context,
                                   List<FcTaskListPlan> listings, List<FcTaskWaitTarget> single)
        {
            int k = segment.Count;
            if (k < MinTasksPerListing) { single.AddRange(segment); return; }
            var prefix = CommonPrefix(segment.Select(t => t.TaskId));
            long from = Start(segment[0]), to = Start(segment[segment.Count - 1]);
            var population = k + others.CountBetween(from, to, prefix, exclusive: false);
            var expected = Pages(population);
            bool known = segment.All(t => t.SeenInListing);
            var guess = known ? expected : 2 * expected;

            // The alternative: one listing per final status, each showing what finished that way in the range.
            int[] byStatus = null;
            if (known && context != null && context.AllowStatusListings)
            {
                var finishing = Math.Min(k, context.ExpectedFinishing);
                byStatus = FinalStatuses.Select(s => Pages(others.CountBetween(from, to, prefix, exclusive: false, status: s) +
                                                           (s == context.LikelyStatus ? finishing : 0))).ToArray();
                if (byStatus.Sum() >= expected) byStatus = null;
            }
            var cost = byStatus?.Sum() ?? guess;
            if (2 * cost > k) { single.AddRange(segment); return; }
            // One millisecond of margin on each side: whether FC's bounds include their ends is not documented.
            if (byStatus == null)
            {
                listings.Add(new FcTaskListPlan(segment, prefix, from - 1, to + 1, newestFirst: false,
                                                expectedPages: expected, maxPages: guess + 1, populationKnown: known));
                return;
            }
            for (int i = 0; i < FinalStatuses.Length; i++)
            {
                // Room for every pending task to have finished with this status: the pages a filtered listing reads are never wasted.
                listings.Add(new FcTaskListPlan(segment, prefix, from - 1, to + 1, newestFirst: false, expectedPages: byStatus[i],
                                                maxPages: byStatus[i] + Pages(k) + 1, populationKnown: true, status: FinalStatuses[i]));
            }
        }

        private static long Start(FcTaskWaitTarget t) => t.LastSeen.StartedTime.Value.ToUnixTimeMilliseconds();
    }

    /// <summary>
    /// The tasks of one function that listings showed, other than the ones a wait is waiting for: how many lie in a range of
    /// start times (optionally with an id prefix, or a status). Bounded: past <see cref="MaxTracked"/> tasks, more are not recorded.
    /// </summary>
    internal sealed class FcTaskPopulation
    {
        public const int MaxTracked = 200000;

        private readonly Dictionary<string, (long start, string status)> _byId = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        private (long start, string id, string status)[] _sorted;

        public int Count => _byId.Count;

        public void Record(string id, long start, string status = null)
        {
            if (_byId.TryGetValue(id, out var known) && known.start == start && known.status == status) return;
            if (!_byId.ContainsKey(id) && _byId.Count >= MaxTracked) return;
            _byId[id] = (start, status);
            _sorted = null;
        }

        /// <summary>Tasks with a start time in [from, to] (or (from, to) when exclusive) whose id starts with the prefix (and with that status).</summary>
        public int CountBetween(long from, long to, string prefix, bool exclusive, string status = null)
        {
            if (_byId.Count == 0) return 0;
            if (_sorted == null)
            {
                _sorted = _byId.Select(p => (p.Value.start, p.Key, p.Value.status)).ToArray();
                Array.Sort(_sorted, (a, b) => a.start != b.start ? a.start.CompareTo(b.start) : string.CompareOrdinal(a.id, b.id));
            }
            var lo = exclusive ? from + 1 : from;
            var hi = exclusive ? to - 1 : to;
            if (hi < lo) return 0;
            int i = LowerBound(lo), n = 0;
            for (; i < _sorted.Length && _sorted[i].start <= hi; i++)
                if ((string.IsNullOrEmpty(prefix) || _sorted[i].id.StartsWith(prefix, StringComparison.Ordinal)) &&
                    (status == null || _sorted[i].status == status)) n++;
            return n;
        }

        private int LowerBound(long value)
        {
            int lo = 0, hi = _sorted.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (_sorted[mid].start < value) lo = mid + 1; else hi = mid;
            }
            return lo;
        }
    }
}
