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
    }

    /// <summary>What the waiter reports while it works; called from worker threads, so implementations queue.</summary>
    internal interface IFcTaskWaitObserver
    {
        void Finished(FcTaskWaitTarget target, FcAsyncTask task);
        void Failed(FcTaskWaitTarget target, Exception error);
        void Progress(IReadOnlyDictionary<string, int> pendingByStatus, int finished, int total);
    }

    /// <summary>
    /// Polls many async tasks together until each is terminal: every round polls all pending tasks, then sleeps with
    /// backoff (about 1 s growing to 10 s). Stops at the deadline (after a last poll) or, with Any, at the first terminal task.
    /// </summary>
    internal static class FcAsyncTaskWaiter
    {
        /// <returns>The targets still not terminal: empty unless the timeout passed or Any returned early.</returns>
        public static async Task<IReadOnlyList<FcTaskWaitTarget>> WaitAsync(FcClient client, IReadOnlyList<FcTaskWaitTarget> targets, FcTaskWaitOptions options,
                                                                         FcCallOptions callOptions, IFcLog log, IFcTaskWaitObserver observer, CancellationToken ct)
        {
            var pending = targets.ToList();
            var clock = Stopwatch.StartNew();
            var delay = options.InitialDelay;
            int finished = 0;
            using (var gate = new SemaphoreSlim(Math.Max(1, options.MaxParallelPolls)))
            {
                while (pending.Count > 0)
                {
                    var polls = pending.Select(t => PollAsync(client, t, callOptions, log, gate, ct)).ToArray();
                    await Task.WhenAll(polls).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();

                    var stillPending = new List<FcTaskWaitTarget>(pending.Count);
                    bool anyFinished = false;
                    for (int i = 0; i < pending.Count; i++)
                    {
                        var target = pending[i];
                        var (task, error) = polls[i].Result;
                        if (error != null) { observer.Failed(target, error); continue; }
                        target.LastSeen = task;
                        if (task.IsTerminal)
                        {
                            finished++;
                            anyFinished = true;
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

                    var wait = delay;
                    if (options.Timeout.HasValue)
                    {
                        var left = options.Timeout.Value - clock.Elapsed;
                        if (left <= TimeSpan.Zero) break;
                        if (left < wait) wait = left;
                    }
                    log.Verbose($"{pending.Count} task(s) not finished; polling again in {wait.TotalSeconds:0.#} s.");
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                    delay = TimeSpan.FromMilliseconds(Math.Min(options.MaxDelay.TotalMilliseconds, delay.TotalMilliseconds * options.BackoffFactor));
                }
            }
            return pending;
        }

        private static async Task<(FcAsyncTask task, Exception error)> PollAsync(FcClient client, FcTaskWaitTarget target, FcCallOptions callOptions,
                                                                                 IFcLog log, SemaphoreSlim gate, CancellationToken ct)
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return (await FcAsyncTasks.GetAsync(client, target.Function, target.TaskId, callOptions, log, ct).ConfigureAwait(false), null);
            }
            catch (Exception ex) when (ex is FcServiceException || ex is FcTransportException || ex is FcTimeoutException)
            {
                return (null, ex);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
