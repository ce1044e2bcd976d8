using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>One task to wait for, and the input it came from (for error records).</summary>
    internal sealed class FcTaskWaitTarget
    {
        public FcTaskWaitTarget(FcFunctionRef function, string taskId, object input)
        {
            Function = function;
            TaskId = taskId;
            Input = input;
        }

        public FcFunctionRef Function { get; }
        public string TaskId { get; }
        public object Input { get; }
        /// <summary>The task as last seen; null until the first poll answered.</summary>
        public FcAsyncTask LastSeen { get; internal set; }

        public string Describe() => $"{TaskId} ({LastSeen?.Status ?? "not seen yet"})";

        /// <summary>True when the task was last seen in a listing (so the listing's range of start times was counted).</summary>
        internal bool SeenInListing { get; set; }
        /// <summary>Complete listings in a row that should have shown this never-seen task and did not.</summary>
        internal int Misses { get; set; }
        /// <summary>What this round learnt: the task as read (terminal or not), or the failure to read it; both null: no news.</summary>
        internal FcAsyncTask RoundTask { get; set; }
        internal Exception RoundError { get; set; }
    }

    internal sealed class FcTaskWaitOptions
    {
        /// <summary>Null waits as long as it takes.</summary>
        public TimeSpan? Timeout { get; set; }
        /// <summary>Return as soon as one task is terminal.</summary>
        public bool Any { get; set; }
        public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);
        public double BackoffFactor { get; set; } = 1.5;
        /// <summary>Polls of one round in flight at once.</summary>
        public int MaxParallelPolls { get; set; } = 16;
        /// <summary>Listings where they cost fewer reads (the default), or one read per task per round.</summary>
        public FcTaskWaitStrategy Strategy { get; set; } = FcAsyncTaskWaiter.DefaultStrategy;
    }

    /// <summary>What the waiter reports while it works; called from worker threads, so implementations queue.</summary>
    internal interface IFcTaskWaitObserver
    {
        void Finished(FcTaskWaitTarget target, FcAsyncTask task);
        void Failed(FcTaskWaitTarget target, Exception error);
        void Progress(IReadOnlyDictionary<string, int> pendingByStatus, int finished, int total);
    }

    /// <summary>The tasks of one connection in a wait over several: the client that reads them, and who hears about them.</summary>
    internal sealed class FcTaskWaitGroup
    {
        public FcTaskWaitGroup(FcClient client, IReadOnlyList<FcTaskWaitTarget> targets, IFcTaskWaitObserver observer)
        {
            Client = client;
            Targets = targets;
            Observer = observer;
        }

        public FcClient Client { get; }
        public IReadOnlyList<FcTaskWaitTarget> Targets { get; }
        public IFcTaskWaitObserver Observer { get; }
    }

    /// <summary>How a wait ended.</summary>
    internal sealed class FcTaskWaitResult
    {
        public FcTaskWaitResult(IReadOnlyList<FcTaskWaitTarget> unfinished, int finished, bool timedOut)
        {
            Unfinished = unfinished;
            Finished = finished;
            TimedOut = timedOut;
        }

        /// <summary>The targets still not terminal (those that failed to be read are not among them: they were reported).</summary>
        public IReadOnlyList<FcTaskWaitTarget> Unfinished { get; }
        /// <summary>How many tasks were seen terminal (and written).</summary>
        public int Finished { get; }
        /// <summary>True when the deadline ended the wait.</summary>
        public bool TimedOut { get; }
    }

    /// <summary>
    /// Waits for many async tasks together until each is terminal. Every round learns the state of all pending tasks, then
    /// sleeps with backoff (about 1 s growing to 10 s). How a round learns it is decided per function and per round by the
    /// reads it is expected to cost (<see cref="FcTaskWaitPlanner"/>, <see cref="FcTaskFunctionWatch"/>): pages of the
    /// function's task listing, or one GetAsyncTask per task. Either way a task is written exactly as GetAsyncTask returns it.
    /// The timeout is a hard deadline: it cancels the reads in flight and the sleep, so the wait ends at it whatever the
    /// server does. With Any it ends after the first round in which a task was terminal. A task that cannot be read is
    /// reported (Failed) with the same exception Get-FcAsyncTask would throw, and not read again.
    /// </summary>
    internal static class FcAsyncTaskWaiter
    {
        /// <summary>The strategy of every new wait (a test and benchmark hook, set by reflection; users get Auto).</summary>
        internal static FcTaskWaitStrategy DefaultStrategy { get; set; } = FcTaskWaitStrategy.Auto;

        public static async Task<FcTaskWaitResult> WaitAsync(FcClient client, IReadOnlyList<FcTaskWaitTarget> targets, FcTaskWaitOptions options,
                                                             FcCallOptions callOptions, IFcLog log, IFcTaskWaitObserver observer, CancellationToken ct)
        {
            var pending = targets.ToList();
            var delay = options.InitialDelay;
            int finished = 0;
            bool timedOut = false;
            var watches = new Dictionary<string, FcTaskFunctionWatch>(StringComparer.Ordinal);
            using (var deadline = options.Timeout.HasValue ? new CancellationTokenSource(options.Timeout.Value) : null)
            using (var linked = deadline != null ? CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token) : null)
            using (var gate = new SemaphoreSlim(Math.Max(1, options.MaxParallelPolls)))
            {
                var token = linked?.Token ?? ct;
                var reads = new FcTaskReads(client, callOptions, log, gate, token);
                while (pending.Count > 0)
                {
                    foreach (var target in pending) { target.RoundTask = null; target.RoundError = null; }
                    var rounds = new List<Task>();
                    foreach (var group in pending.GroupBy(t => FcTaskFunctionWatch.Key(t.Function)))
                    {
                        if (!watches.TryGetValue(group.Key, out var watch))
                            watches[group.Key] = watch = new FcTaskFunctionWatch(group.First().Function, options.Strategy);
                        rounds.Add(watch.ReadRoundAsync(group.ToList(), reads));
                    }
                    await Task.WhenAll(rounds).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();

                    var stillPending = new List<FcTaskWaitTarget>(pending.Count);
                    bool anyFinished = false;
                    foreach (var target in pending)
                    {
                        if (target.RoundError != null) { observer.Failed(target, target.RoundError); continue; }
                        var task = target.RoundTask;
                        if (task == null) { stillPending.Add(target); continue; } // no news: cut off by the deadline, or not shown yet
                        target.LastSeen = task;
                        if (task.IsTerminal)
                        {
                            finished++;
                            anyFinished = true;
                            watches[FcTaskFunctionWatch.Key(target.Function)].Finished(target, task);
                            observer.Finished(target, task);
                        }
                        else
                        {
                            stillPending.Add(target);
                        }
                    }
                    pending = stillPending;
                    observer.Progress(pending.GroupBy(t => t.LastSeen?.Status ?? "Unknown").ToDictionary(g => g.Key, g => g.Count()),
                                      finished, targets.Count);
                    if (pending.Count == 0 || (options.Any && anyFinished)) break;
                    if (deadline != null && deadline.IsCancellationRequested) { timedOut = true; break; }

                    log.Verbose($"{pending.Count} task(s) not finished; polling again in {delay.TotalSeconds:0.#} s.");
                    try
                    {
                        await Task.Delay(delay, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        timedOut = true;
                        break;
                    }
                    delay = TimeSpan.FromMilliseconds(Math.Min(options.MaxDelay.TotalMilliseconds, delay.TotalMilliseconds * options.BackoffFactor));
                }
            }
            return new FcTaskWaitResult(pending, finished, timedOut);
        }

        /// <summary>
        /// Waits for the tasks of several connections together, one <see cref="WaitAsync"/> each, all at once. With Any the
        /// first task to finish anywhere ends every wait; a wait that fails (a credential that cannot be had) ends the others
        /// too, and its exception is thrown. Returns the tasks not finished, how many finished, and whether a deadline ended it.
        /// </summary>
        public static async Task<FcTaskWaitResult> WaitAllAsync(IReadOnlyList<FcTaskWaitGroup> groups, FcTaskWaitOptions options,
                                                                FcCallOptions callOptions, IFcLog log, CancellationToken ct)
        {
            if (groups.Count == 1)
                return await WaitAsync(groups[0].Client, groups[0].Targets, options, callOptions, log, groups[0].Observer, ct).ConfigureAwait(false);
            using (var ending = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                var waits = groups.Select(async group =>
                {
                    var observer = options.Any ? new EndingOnFirst(group.Observer, ending) : group.Observer;
                    try
                    {
                        return await WaitAsync(group.Client, group.Targets, options, callOptions, log, observer, ending.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (ending.IsCancellationRequested && !ct.IsCancellationRequested)
                    {
                        // Ended by another wait (Any, or its failure): what this one had not seen finish is unfinished.
                        var pending = group.Targets.Where(t => t.LastSeen == null || !t.LastSeen.IsTerminal).ToList();
                        return new FcTaskWaitResult(pending, group.Targets.Count - pending.Count, timedOut: false);
                    }
                    catch (Exception)
                    {
                        ending.Cancel();
                        throw;
                    }
                }).ToArray();
                var results = await Task.WhenAll(waits).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                return new FcTaskWaitResult(results.SelectMany(r => r.Unfinished).ToList(), results.Sum(r => r.Finished), results.Any(r => r.TimedOut));
            }
        }

        /// <summary>With Any over several connections: passes everything on, and ends every wait when a task finishes.</summary>
        private sealed class EndingOnFirst : IFcTaskWaitObserver
        {
            private readonly IFcTaskWaitObserver _inner;
            private readonly CancellationTokenSource _ending;

            public EndingOnFirst(IFcTaskWaitObserver inner, CancellationTokenSource ending)
            {
                _inner = inner;
                _ending = ending;
            }

            public void Finished(FcTaskWaitTarget target, FcAsyncTask task)
            {
                _inner.Finished(target, task);
                _ending.Cancel(); // the wait that saw it finishes its round and returns (Any); the others are cancelled
            }

            public void Failed(FcTaskWaitTarget target, Exception error) => _inner.Failed(target, error);

            public void Progress(IReadOnlyDictionary<string, int> pendingByStatus, int finished, int total) =>
                _inner.Progress(pendingByStatus, finished, total);
        }
    }

    /// <summary>The reads of one wait: single tasks, in parallel up to the wait's limit, and listing pages; all under its deadline.</summary>
    internal sealed class FcTaskReads
    {
        private readonly SemaphoreSlim _gate;

        public FcTaskReads(FcClient client, FcCallOptions callOptions, IFcLog log, SemaphoreSlim gate, CancellationToken token)
        {
            Client = client;
            CallOptions = callOptions;
            Log = log ?? NullFcLog.Instance;
            _gate = gate;
            Token = token;
        }

        public FcClient Client { get; }
        public FcCallOptions CallOptions { get; }
        public IFcLog Log { get; }
        /// <summary>The wait's token: Ctrl+C and the deadline.</summary>
        public CancellationToken Token { get; }

        /// <summary>Reads each task by itself (GetAsyncTask); sets its RoundTask or RoundError.</summary>
        public Task GetAllAsync(IEnumerable<FcTaskWaitTarget> targets) => Task.WhenAll(targets.Select(GetOneAsync));

        /// <summary>
        /// One read: the task, or the failure Get-FcAsyncTask would report for it, or neither when the wait's deadline cut it
        /// off. The caller's own cancellation (Ctrl+C) is left for the wait to throw.
        /// </summary>
        private async Task GetOneAsync(FcTaskWaitTarget target)
        {
            try
            {
                await _gate.WaitAsync(Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                target.RoundTask = await FcAsyncTasks.GetAsync(Client, target.Function, target.TaskId, CallOptions, Log, Token).ConfigureAwait(false);
                target.SeenInListing = false;
            }
            catch (OperationCanceledException) when (Token.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is Credentials.FcCredentialException))
            {
                // Per task, as Get-FcAsyncTask reports it: an API error, a timeout, a connection failure, an unreadable or
                // too large answer. A credential that cannot be had ends the whole wait instead (the caller reports it).
                target.RoundError = ex;
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
