using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>
    /// What a wait knows about one function (one API version, service, name and qualifier) across its rounds, and how it
    /// reads that function's pending tasks in one round: listings where the planner expects them to cost fewer reads,
    /// GetAsyncTask for the rest. The rules that keep the result exactly what one read per task gives:
    /// <list type="bullet">
    /// <item>Only a task a listing (or a Get) shows terminal is finished. A task missing from a listing is never taken as
    /// finished: a task never seen is read by itself once two complete listings in a row missed it (a listing may lag
    /// behind new tasks); a task seen before is read by itself at once.</item>
    /// <item>Listings ask for payloads (includePayload), so a listed task carries what a Get carries. That is checked, per
    /// final status, on the first task a listing shows finished with that status: it is also read by itself and the two
    /// are compared field by field. If they differ, every task that ends with that status is read by itself once.</item>
    /// <item>Listings filtered by final status show only finished tasks; a pending task they do not show is not read. At
    /// least every eighth round lists every status, so states stay fresh and a task that disappeared is noticed (read,
    /// and reported as Get-FcAsyncTask would report it). A filtered listing FC refuses ends filtered listings for the function.</item>
    /// <item>A listing that fails (an error, a page the answer limit refuses, paging that does not progress) is not
    /// repeated for this function: its tasks are read one by one from then on. A failure that may pass (throttled, 5xx,
    /// a timeout, a failed connection, after FcClient's retries) only gives no news this round, twice in a row at most. When most tasks a listing should have
    /// shown were missing although they exist, listings pause for 2, 4, ... rounds (at most 64).</item>
    /// </list>
    /// Each round is called from the wait's loop, one at a time per function; the function's tasks are all in one round.
    /// </summary>
    internal sealed class FcTaskFunctionWatch
    {
        private const int MaxPause = 64;
        /// <summary>Empty pages in a row after which a listing is taken as stalled (as FcPager does).</summary>

        private enum Trust { Unknown, Complete, Incomplete }

        private readonly FcTaskWaitStrategy _strategy;
        private readonly FcTaskPopulation _population = new FcTaskPopulation();
        private readonly Dictionary<string, Trust> _trust = new Dictionary<string, Trust>(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _endedWith = new Dictionary<string, int>(StringComparer.Ordinal);
        private bool _listingFailed;
        /// <summary>Listings in a row that failed in a way that may pass; at <see cref="MaxPassingFailures"/> they count as failed.</summary>
        private int _passingFailures;
        private const int MaxPassingFailures = 3;
        private bool _statusListingsRefused;
        private int _roundsOnStatusListings;
        private int _finishedLastRound;
        private int _pausedRounds;
        private int _pauseLength;

        /// <summary>Rounds in a row that may list by final status only; then one lists every status (fresh states, vanished tasks).</summary>
        private const int MaxRoundsOnStatusListings = 7;

        public FcTaskFunctionWatch(FcFunctionRef function, FcTaskWaitStrategy strategy)
        {
            Function = function;
            _strategy = strategy;
        }

        public FcFunctionRef Function { get; }

        /// <summary>Reads (pages and single tasks) this function has cost so far.</summary>
        public int Pages { get; private set; }
        public int SingleReads { get; private set; }

        public static string Key(FcFunctionRef fn) => fn.ApiVersion.ToWire() + "\n" + (fn.ServiceName ?? string.Empty) + "\n" + fn.FunctionName + "\n" + (fn.Qualifier ?? string.Empty);

        /// <summary>A task of this function finished: it is one of the function's other tasks from now on (for the page counts).</summary>
        public void Finished(FcTaskWaitTarget target, FcAsyncTask task)
        {
            if (task.StartedTime.HasValue) _population.Record(target.TaskId, task.StartedTime.Value.ToUnixTimeMilliseconds(), task.Status);
            if (task.Status != null) _endedWith[task.Status] = (_endedWith.TryGetValue(task.Status, out var n) ? n : 0) + 1;
        }

        /// <summary>Learns what it can about the pending tasks (this function's, in input order): sets each one's RoundTask or RoundError.</summary>
        public async Task ReadRoundAsync(IReadOnlyList<FcTaskWaitTarget> pending, FcTaskReads reads)
        {
            int pagesBefore = Pages, singlesBefore = SingleReads;
            bool listing = _strategy == FcTaskWaitStrategy.Auto && !_listingFailed && pending.Count >= FcTaskWaitPlanner.MinTasksPerListing;
            if (listing && _pausedRounds > 0)
            {
                _pausedRounds--;
                listing = false;
            }
            if (!listing)
            {
                await GetAsync(pending, reads).ConfigureAwait(false);
                _finishedLastRound = pending.Count(t => t.RoundTask?.IsTerminal == true);
                return;
            }

            var byId = new Dictionary<string, FcTaskWaitTarget>(StringComparer.Ordinal);
            foreach (var t in pending) byId[t.TaskId] = t;
            var shown = new Dictionary<FcTaskWaitTarget, FcAsyncTask>();
            var single = new List<FcTaskWaitTarget>();
            var missed = new List<FcTaskWaitTarget>();
            int listedFor = 0;
            try
            {
                // 1. Tasks never seen: looked for newest first. 2. Tasks with a known start time: segments of the time
                // line, listed or read one by one.
                if (await ListUnseenAsync(pending, byId, shown, single, missed, reads).ConfigureAwait(false) is int unseenListed)
                {
                    listedFor += unseenListed;
                    var timed = pending.Where(t => t.LastSeen?.StartedTime != null && !shown.ContainsKey(t)).ToList();
                    var context = new FcTaskPlanContext
                    {
                        AllowStatusListings = !_statusListingsRefused && _roundsOnStatusListings < MaxRoundsOnStatusListings,
                        ExpectedFinishing = 2 * _finishedLastRound + 10,
                        LikelyStatus = _endedWith.Count == 0 ? "Succeeded" : _endedWith.OrderByDescending(p => p.Value).First().Key,
                    };
                    var (listings, oneByOne) = FcTaskWaitPlanner.PlanKnown(timed, _population, context);
                    single.AddRange(oneByOne);
                    bool byStatus = false, everyStatus = false;
                    var queue = new Queue<FcTaskListPlan>(listings);
                    while (queue.Count > 0)
                    {
                        var plan = queue.Dequeue();
                        if (plan.Status != null && _statusListingsRefused) continue; // refused earlier this round: re-planned below
                        var outcome = await ListAsync(plan, byId, shown, reads).ConfigureAwait(false);
                        if (outcome == ListOutcome.NoNews) continue; // no news this round for what it did not show yet
                        if (plan.Status != null)
                        {
                            // Not shown by a listing of finished tasks: not finished that way (yet). Nothing to read.
                            byStatus = true;
                            if (outcome != ListOutcome.Failed) continue;
                            // FC refused a status filter: the segment's tasks not shown yet are planned again, every status.
                            _statusListingsRefused = true;
                            context.AllowStatusListings = false;
                            var (again, alone) = FcTaskWaitPlanner.PlanKnown(plan.Targets.Where(t => !shown.ContainsKey(t)).ToList(), _population, context);
                            single.AddRange(alone);
                            foreach (var p in again) queue.Enqueue(p);
                            continue;
                        }
                        everyStatus = true;
                        listedFor += plan.Targets.Count;
                        if (outcome == ListOutcome.Failed) { FallBack(pending, shown, single); break; }
                        foreach (var t in plan.Targets.Where(t => !shown.ContainsKey(t)))
                        {
                            // Seen before, so it exists: a listing that should show it and does not is behind, or narrower than thought.
                            single.Add(t);
                            if (outcome == ListOutcome.Complete) missed.Add(t);
                        }
                    }
                    if (byStatus) _roundsOnStatusListings++;
                    else if (everyStatus) _roundsOnStatusListings = 0;
                }

                // 3. What the listings showed: states as they are, finished tasks once their fields are known to be complete.
                var calibrate = new Dictionary<string, (FcTaskWaitTarget target, FcAsyncTask listed)>(StringComparer.Ordinal);
                var awaitingTrust = new List<(FcTaskWaitTarget target, FcAsyncTask listed)>();
                foreach (var t in pending)
                {
                    if (!shown.TryGetValue(t, out var task)) continue;
                    t.Misses = 0;
                    if (!task.IsTerminal) { Accept(t, task); continue; }
                    var trust = TrustOf(task.Status);
                    if (trust == Trust.Complete) Accept(t, task);
                    else if (trust == Trust.Incomplete) single.Add(t);
                    else if (!calibrate.ContainsKey(task.Status)) calibrate[task.Status] = (t, task);
                    else awaitingTrust.Add((t, task));
                }
                if (calibrate.Count > 0)
                {
                    await GetAsync(calibrate.Values.Select(c => c.target).ToList(), reads).ConfigureAwait(false);
                    foreach (var c in calibrate)
                    {
                        var got = c.Value.target.RoundTask;
                        if (got == null || !got.IsTerminal) continue; // not read (an error is reported as the task's): still unknown
                        var lacking = FcAsyncTaskFields.Lacking(c.Value.listed, got);
                        _trust[c.Key] = lacking == null ? Trust.Complete : Trust.Incomplete;
                        if (lacking != null)
                            reads.Log.Verbose($"{Function}: the task listing lacks what GetAsyncTask returns for {c.Key} tasks ({lacking}); each {c.Key} task is read by itself.");
                    }
                    foreach (var (t, listed) in awaitingTrust)
                    {
                        if (TrustOf(listed.Status) == Trust.Complete) Accept(t, listed);
                        else single.Add(t);
                    }
                }

                // 4. The rest, one by one.
                var rest = single.Distinct().Where(t => t.RoundTask == null && t.RoundError == null).ToList();
                await GetAsync(rest, reads).ConfigureAwait(false);

                _finishedLastRound = pending.Count(t => t.RoundTask?.IsTerminal == true);
                var behind = missed.Count(t => t.RoundTask != null);
                if (behind >= FcTaskWaitPlanner.MinTasksPerListing && 2 * behind >= listedFor)
                {
                    _pauseLength = Math.Min(MaxPause, Math.Max(2, 2 * _pauseLength));
                    _pausedRounds = _pauseLength;
                    reads.Log.Verbose($"{Function}: {behind} of {listedFor} task(s) exist but were missing from the listings (they lag behind); " +
                                      $"reading tasks one by one for {_pausedRounds} round(s).");
                }
            }
            catch (OperationCanceledException) when (reads.Token.IsCancellationRequested)
            {
                // Cut off by the deadline (or Ctrl+C, which the wait throws): what was learnt before stands.
                foreach (var pair in shown)
                    if (pair.Key.RoundTask == null && pair.Key.RoundError == null && (!pair.Value.IsTerminal || TrustOf(pair.Value.Status) == Trust.Complete))
                        Accept(pair.Key, pair.Value);
            }
            finally
            {
                if (reads.Log.IsVerboseEnabled)
                    reads.Log.Verbose($"{Function}: {pending.Count} task(s) pending; this round read {Pages - pagesBefore} listing page(s) and {SingleReads - singlesBefore} single task(s).");
            }
        }

        /// <summary>
        /// Looks for the tasks never seen (no start time known) newest first, or leaves them to be read one by one. Returns
        /// how many tasks the listing was for (0 when none), or null when the listing failed (then all is read one by one).
        /// </summary>
        private async Task<int?> ListUnseenAsync(IReadOnlyList<FcTaskWaitTarget> pending, Dictionary<string, FcTaskWaitTarget> byId,
                                                 Dictionary<FcTaskWaitTarget, FcAsyncTask> shown, List<FcTaskWaitTarget> single,
                                                 List<FcTaskWaitTarget> missed, FcTaskReads reads)
        {
            var unseen = pending.Where(t => t.LastSeen?.StartedTime == null).ToList();
            if (unseen.Count == 0) return 0;
            var plan = FcTaskWaitPlanner.PlanDiscovery(unseen);
            if (plan == null)
            {
                single.AddRange(unseen);
                return 0;
            }
            var outcome = await ListAsync(plan, byId, shown, reads).ConfigureAwait(false);
            if (outcome == ListOutcome.Failed)
            {
                FallBack(pending, shown, single);
                return null;
            }
            if (outcome == ListOutcome.NoNews) return 0; // no news this round; listed again next round
            foreach (var t in unseen.Where(t => !shown.ContainsKey(t)))
            {
                if (outcome == ListOutcome.Complete && ++t.Misses < 2) continue; // maybe not listed yet: no read this round
                single.Add(t);
                if (outcome == ListOutcome.Complete) missed.Add(t);
            }
            return plan.Targets.Count;
        }

        /// <summary>NoNews: a failure that may pass (throttled, timed out, unreachable, 5xx) after FcClient's retries.</summary>
        private enum ListOutcome { Complete, OverBudget, NoNews, Failed }

        /// <summary>Failures that may pass by the next round: throttling, 5xx, a timeout, a connection that failed.</summary>
        private static bool MayPass(Exception ex) =>
            (ex is FcServiceException service && (service.StatusCode == 429 || service.StatusCode >= 500)) ||
            ex is FcTimeoutException || ex is FcTransportException;

        private Trust TrustOf(string status) => status != null && _trust.TryGetValue(status, out var trust) ? trust : Trust.Unknown;

        private static void Accept(FcTaskWaitTarget target, FcAsyncTask task)
        {
            target.RoundTask = task;
            target.SeenInListing = true;
        }

        /// <summary>After a listing failed: every pending task it did not show is read by itself, now and in later rounds.</summary>
        private void FallBack(IReadOnlyList<FcTaskWaitTarget> pending, Dictionary<FcTaskWaitTarget, FcAsyncTask> shown, List<FcTaskWaitTarget> single)
        {
            _listingFailed = true;
            single.AddRange(pending.Where(t => !shown.ContainsKey(t)));
        }

        private async Task GetAsync(IReadOnlyCollection<FcTaskWaitTarget> targets, FcTaskReads reads)
        {
            if (targets.Count == 0) return;
            SingleReads += targets.Count;
            await reads.GetAllAsync(targets).ConfigureAwait(false);
        }

        /// <summary>
        /// Pages through one planned listing, recording every task it shows: pending ones into <paramref name="shown"/>, the
        /// function's other tasks into the population. Stops once all its targets were shown, at the last page, or at the
        /// plan's page budget. A failure other than cancellation and credentials is logged and ends listings for the function.
        /// </summary>
        private async Task<ListOutcome> ListAsync(FcTaskListPlan plan, Dictionary<string, FcTaskWaitTarget> byId,
                                                  Dictionary<FcTaskWaitTarget, FcAsyncTask> shown, FcTaskReads reads)
        {
            var remaining = new HashSet<FcTaskWaitTarget>(plan.Targets.Where(t => !shown.ContainsKey(t)));
            if (remaining.Count == 0) return ListOutcome.Complete; // an earlier listing of this round showed them all
            var progress = new FcListingProgress();
            string next = null;
            try
            {
                while (true)
                {
                    if (progress.Pages >= plan.MaxPages)
                    {
                        reads.Log.Verbose($"{Function}: the listing of {plan} needed more than {plan.MaxPages} page(s); its {remaining.Count} task(s) not shown yet are read one by one.");
                        return ListOutcome.OverBudget;
                    }
                    Pages++;
                    var page = await FcAsyncTasks.ListPageAsync(reads.Client, Function, plan.ToQuery(next, FcTaskWaitPlanner.PageSize), reads.CallOptions,
                                                                reads.Log, reads.Token).ConfigureAwait(false);
                    _passingFailures = 0;
                    foreach (var task in page.Items)
                    {
                        if (byId.TryGetValue(task.TaskId, out var target))
                        {
                            if (!shown.ContainsKey(target)) shown[target] = task;
                            remaining.Remove(target);
                        }
                        else if (task.StartedTime.HasValue)
                        {
                            _population.Record(task.TaskId, task.StartedTime.Value.ToUnixTimeMilliseconds(), task.Status);
                        }
                    }
                    if (remaining.Count == 0 || page.NextToken == null) return ListOutcome.Complete;
                    var stalled = progress.Stalled(page.Items.Count, page.NextToken);
                    if (stalled != null)
                    {
                        reads.Log.Verbose($"{Function}: the task listing {stalled}; its tasks are read one by one from now on.");
                        return ListOutcome.Failed;
                    }
                    next = page.NextToken;
                }
            }
            catch (Exception ex) when (MayPass(ex) && ++_passingFailures < MaxPassingFailures)
            {
                // Throttled, timed out or unreachable after the retries FcClient made: reading each task instead would only
                // add to the load, so this round has no news of the tasks not shown yet; the next round lists again.
                reads.Log.Verbose($"{Function}: the task listing failed ({ex.Message}); its tasks not shown yet are listed again next round.");
                return ListOutcome.NoNews;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is Credentials.FcCredentialException))
            {
                // E.g. a RAM policy that allows GetAsyncTask but not ListAsyncTasks, or a page over the answer limit.
                reads.Log.Verbose($"{Function}: listing the tasks failed ({ex.Message}); they are read one by one from now on.");
                return ListOutcome.Failed;
            }
        }
    }
}
