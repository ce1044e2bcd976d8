using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Commands
{
    public enum FcSortOrder { Ascending, Descending }

    /// <summary>Get-FcAsyncTask: one task by id, or the function's tasks page by page, filtered.</summary>
    [Cmdlet(VerbsCommon.Get, "FcAsyncTask", DefaultParameterSetName = ListSet, SupportsPaging = true)]
    [OutputType(typeof(FcAsyncTask))]
    public sealed class GetFcAsyncTaskCommand : FcFunctionCmdlet
    {
        private const string ListSet = "List";
        private const string OneSet = "Id";

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = OneSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("AsyncTaskId", "InvocationId")]
        public string[] TaskId { get; set; }

        /// <summary>Only tasks in these statuses.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateSet("Enqueued", "Dequeued", "Running", "Succeeded", "Failed", "Stopped", "Stopping", "Expired", "Invalid", "Retrying")]
        public string[] Status { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ValidateNotNullOrEmpty]
        [Alias("Prefix")]
        public string TaskIdPrefix { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        public DateTime StartedAfter { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        public DateTime StartedBefore { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        public FcSortOrder SortOrder { get; set; } = FcSortOrder.Ascending;

        /// <summary>Also return each task's payload (the event it was started with).</summary>
        [Parameter(ParameterSetName = ListSet)]
        public SwitchParameter IncludePayload { get; set; }

        /// <summary>Bound for each call in seconds, retries included; 0 (the default) limits each attempt to 30 s instead.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <summary>The piped object: a result or task of FcInvoke brings the connection it came from.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        private FcPager _pager;

        protected override void BeginProcessing() => _pager = new FcPager(this);

        protected override void ProcessRecord()
        {
            if (ParameterSetName == OneSet) GetOne();
            else List();
        }

        private void GetOne()
        {
            if (!TryGetFunction(TaskId, out var function)) return;
            var connected = Connection(ContextOf(InputObject));
            foreach (var id in TaskId)
            {
                var failure = new FcFailureContext { Function = function, Connection = connected, Input = id };
                if (TryRun((log, ct) => FcAsyncTasks.GetAsync(connected.Client, function, id, CallOptions(TimeoutSec), log, ct), id, out var task, failure))
                {
                    task.Context = connected.Context;
                    WriteObject(task);
                }
            }
        }

        private void List()
        {
            if (_pager.Satisfied || !TryGetFunction(FunctionName, out var function)) return;
            var connected = Connection(ContextOf(InputObject));
            var bound = MyInvocation.BoundParameters;
            var statuses = Status == null ? null : new HashSet<string>(Status, StringComparer.OrdinalIgnoreCase);
            bool filteredHere = statuses != null && statuses.Count > 1;
            var query = new FcTaskListQuery
            {
                // One status is filtered by FC; several are filtered here, over an unfiltered listing.
                Status = statuses != null && !filteredHere ? statuses.First() : null,
                IdPrefix = TaskIdPrefix,
                StartedAfter = bound.ContainsKey(nameof(StartedAfter)) ? new DateTimeOffset(StartedAfter.ToUniversalTime()) : (DateTimeOffset?)null,
                StartedBefore = bound.ContainsKey(nameof(StartedBefore)) ? new DateTimeOffset(StartedBefore.ToUniversalTime()) : (DateTimeOffset?)null,
                Descending = bound.ContainsKey(nameof(SortOrder)) ? SortOrder == FcSortOrder.Descending : (bool?)null,
                IncludePayload = IncludePayload.IsPresent,
            };
            // Several statuses are filtered here, so a page may hold fewer wanted tasks than it asked for.
            _pager.WritePages(query, (q, log, ct) => FcAsyncTasks.ListPageAsync(connected.Client, function, q, CallOptions(TimeoutSec), log, ct),
                              task =>
                              {
                                  task.Context = connected.Context;
                                  return !filteredHere || statuses.Contains(task.Status ?? string.Empty);
                              }, FunctionName, limitToWanted: !filteredHere);
        }

        protected override void EndProcessing() => _pager.WriteTotalCountIfAsked();
    }

    /// <summary>Stop-FcAsyncTask: stops a running or queued task.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "FcAsyncTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FcAsyncTask))]
    public sealed class StopFcAsyncTaskCommand : FcFunctionCmdlet
    {
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("AsyncTaskId", "InvocationId")]
        public string[] TaskId { get; set; }

        /// <summary>Write the task as it stands after the stop.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Bound for each call in seconds, retries included; 0 (the default) limits each attempt to 30 s instead.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <summary>The piped object: a result or task of FcInvoke brings the connection it came from.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        protected override void ProcessRecord()
        {
            if (!TryGetFunction(TaskId, out var function)) return;
            FcConnected connected = null;
            foreach (var id in TaskId)
            {
                if (!ShouldProcess($"async task '{id}' of function '{function}'", "Stop")) continue;
                connected = connected ?? Connection(ContextOf(InputObject));
                var failure = new FcFailureContext { Function = function, Connection = connected, Input = id };
                if (!TryRun(async (log, ct) => { await FcAsyncTasks.StopAsync(connected.Client, function, id, CallOptions(TimeoutSec), log, ct).ConfigureAwait(false); return true; }, id, out _, failure))
                    continue;
                if (PassThru && TryRun((log, ct) => FcAsyncTasks.GetAsync(connected.Client, function, id, CallOptions(TimeoutSec), log, ct), id, out var task, failure))
                {
                    task.Context = connected.Context;
                    WriteObject(task);
                }
            }
        }
    }

    /// <summary>Wait-FcAsyncTask: waits until the given tasks are terminal, polling them together with backoff.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "FcAsyncTask")]
    [OutputType(typeof(FcAsyncTask))]
    public sealed class WaitFcAsyncTaskCommand : FcFunctionCmdlet
    {
        private readonly List<(FcConnected Connection, FcTaskWaitTarget Target)> _targets = new List<(FcConnected, FcTaskWaitTarget)>();
        /// <summary>Each task once: by connection (the object itself), function and id.</summary>
        private readonly HashSet<(FcConnected, string, string)> _seen = new HashSet<(FcConnected, string, string)>();

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("AsyncTaskId", "InvocationId")]
        public string[] TaskId { get; set; }

        /// <summary>Give up after this many seconds (0, the default: no limit); tasks that finished are still written.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <summary>Return as soon as one task is terminal.</summary>
        [Parameter]
        public SwitchParameter Any { get; set; }

        /// <summary>The piped object: a result or task of FcInvoke brings the connection it came from.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        protected override void ProcessRecord()
        {
            if (!TryGetFunction(TaskId, out var fn)) return;
            var connected = Connection(ContextOf(InputObject));
            foreach (var id in TaskId)
            {
                if (_seen.Add((connected, fn.ToString(), id)))
                    _targets.Add((connected, new FcTaskWaitTarget(fn, id, id)));
            }
        }

        protected override void EndProcessing()
        {
            if (_targets.Count == 0) return;
            var progress = new DelayedProgress(this, 0x46635761, $"Waiting for {_targets.Count} FC async task(s)");
            Exception failure = null;
            var totals = new ProgressTotals(Messages, progress);
            var options = new FcTaskWaitOptions
            {
                Timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : (TimeSpan?)null,
                Any = Any.IsPresent,
            };
            // Tasks piped from several connections are waited for together, one waiter per connection.
            var groups = _targets.GroupBy(t => t.Connection)
                .Select((g, i) => new FcTaskWaitGroup(g.Key.Client, g.Select(t => t.Target).ToList(), new QueuedObserver(Messages, totals, g.Key, i)))
                .ToList();
            FcTaskWaitResult outcome = null;
            try
            {
                // Each poll keeps the per-attempt limit of reads; the wait's -TimeoutSec is a deadline over all of them.
                outcome = Run((log, ct) => FcAsyncTaskWaiter.WaitAllAsync(groups, options, CallOptions(0), log, ct));
            }
            catch (Exception ex) when (!FcErrors.IsFlowControl(ex))
            {
                // A failure of the wait itself (not of one task: those are written as they happen), e.g. credentials that
                // could not be refreshed: nothing more can be learnt, so the command ends, with the ids Get-FcAsyncTask uses.
                failure = ex;
            }
            finally
            {
                progress.Complete();
            }
            if (failure != null) ThrowTerminatingError(FcErrors.Record(failure, _targets.Select(t => t.Target.Input).ToArray()));
            // The deadline passed: without -Any, with tasks unfinished; with -Any, before any task finished.
            var unfinished = outcome.Unfinished;
            if (outcome.TimedOut && unfinished.Count > 0 && (!Any || outcome.Finished == 0))
            {
                var names = string.Join(", ", unfinished.Take(20).Select(t => t.Describe())) + (unfinished.Count > 20 ? ", ..." : string.Empty);
                var message = Any
                    ? $"Timed out after {TimeoutSec} s (-TimeoutSec) before any of the {_targets.Count} task(s) finished: {names}."
                    : $"Timed out after {TimeoutSec} s (-TimeoutSec) with {unfinished.Count} of {_targets.Count} task(s) not finished: {names}.";
                WriteError(FcErrors.WaitTimeout(message, unfinished.Select(t => (object)t.LastSeen ?? t.TaskId).ToArray()));
            }
        }

        /// <summary>The progress of every waiter together, as one bar.</summary>
        private sealed class ProgressTotals
        {
            private readonly PipelineMessageQueue _queue;
            private readonly DelayedProgress _progress;
            private readonly Dictionary<int, (IReadOnlyDictionary<string, int> Pending, int Finished, int Total)> _groups =
                new Dictionary<int, (IReadOnlyDictionary<string, int>, int, int)>();

            public ProgressTotals(PipelineMessageQueue queue, DelayedProgress progress)
            {
                _queue = queue;
                _progress = progress;
            }

            public void Report(int group, IReadOnlyDictionary<string, int> pendingByStatus, int finished, int total)
            {
                string status;
                int percent;
                lock (_groups)
                {
                    _groups[group] = (pendingByStatus, finished, total);
                    var done = _groups.Values.Sum(g => g.Finished);
                    var all = _groups.Values.Sum(g => g.Total);
                    var pending = _groups.Values.SelectMany(g => g.Pending).GroupBy(p => p.Key).Select(p => (p.Key, Count: p.Sum(x => x.Value))).OrderBy(p => p.Key).ToList();
                    status = $"{done} of {all} finished" + (pending.Count > 0 ? "; " + string.Join(", ", pending.Select(p => $"{p.Key}: {p.Count}")) : string.Empty);
                    percent = all == 0 ? 100 : done * 100 / all;
                }
                _queue.Post(c => _progress.Update(status, percent));
            }
        }

        /// <summary>Turns waiter callbacks (worker threads) into pipeline-thread writes.</summary>
        private sealed class QueuedObserver : IFcTaskWaitObserver
        {
            private readonly PipelineMessageQueue _queue;
            private readonly ProgressTotals _totals;
            private readonly FcConnected _connection;
            private readonly int _group;

            public QueuedObserver(PipelineMessageQueue queue, ProgressTotals totals, FcConnected connection, int group)
            {
                _queue = queue;
                _totals = totals;
                _connection = connection;
                _group = group;
            }

            public void Finished(FcTaskWaitTarget target, FcAsyncTask task)
            {
                task.Context = _connection.Context;
                _queue.Post(c => c.WriteObject(task));
            }

            public void Failed(FcTaskWaitTarget target, Exception error) =>
                _queue.Post(c => c.WriteError(FcErrors.Record(error, target.Input,
                    new FcFailureContext { Function = target.Function, Connection = _connection, Input = target.Input })));

            public void Progress(IReadOnlyDictionary<string, int> pendingByStatus, int finished, int total) =>
                _totals.Report(_group, pendingByStatus, finished, total);
        }
    }
}
