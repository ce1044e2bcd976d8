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
    /// Polls many async tasks together until each is terminal: every round polls all pending tasks, then sleeps with
    /// backoff (about 1 s growing to 10 s). The timeout is a hard deadline: it cancels the polls in flight and the sleep,
    /// so the wait ends at it whatever the server does. With Any it ends after the first round in which a task was terminal.
    /// A task that cannot be read is reported (Failed) with the same exception Get-FcAsyncTask would throw, and not polled again.
    /// </summary>
    internal static class FcAsyncTaskWaiter
    {
        public static async Task<FcTaskWaitResult> WaitAsync(FcClient client, IReadOnlyList<FcTaskWaitTarget> targets, FcTaskWaitOptions options,
                                                             FcCallOptions callOptions, IFcLog log, IFcTaskWaitObserver observer, CancellationToken ct)
        {
            var pending = targets.ToList();
            var delay = options.InitialDelay;
            int finished = 0;
            bool timedOut = false;
            using (var deadline = options.Timeout.HasValue ? new CancellationTokenSource(options.Timeout.Value) : null)
            using (var linked = deadline != null ? CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token) : null)
            using (var gate = new SemaphoreSlim(Math.Max(1, options.MaxParallelPolls)))
            {
                var token = linked?.Token ?? ct;
                while (pending.Count > 0)
                {
                    var polls = pending.Select(t => PollAsync(client, t, callOptions, log, gate, token)).ToArray();
                    await Task.WhenAll(polls).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();

                    var stillPending = new List<FcTaskWaitTarget>(pending.Count);
                    bool anyFinished = false;
                    for (int i = 0; i < pending.Count; i++)
                    {
                        var target = pending[i];
                        var (task, error) = polls[i].Result;
                        if (error != null) { observer.Failed(target, error); continue; }
                        if (task == null) { stillPending.Add(target); continue; } // cut off by the deadline
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
        /// One poll: the task, or the failure Get-FcAsyncTask would report for it, or neither when the wait's deadline cut it
        /// off. The caller's own cancellation (Ctrl+C) is left for the caller to throw.
        /// </summary>
        private static async Task<(FcAsyncTask task, Exception error)> PollAsync(FcClient client, FcTaskWaitTarget target, FcCallOptions callOptions,
                                                                                 IFcLog log, SemaphoreSlim gate, CancellationToken token)
        {
            try
            {
                await gate.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (null, null);
            }
            try
            {
                return (await FcAsyncTasks.GetAsync(client, target.Function, target.TaskId, callOptions, log, token).ConfigureAwait(false), null);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return (null, null);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is Credentials.FcCredentialException))
            {
                // Per task, as Get-FcAsyncTask reports it: an API error, a timeout, a connection failure, an unreadable or
                // too large answer. A credential that cannot be had ends the whole wait instead (the caller reports it).
                return (null, ex);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
