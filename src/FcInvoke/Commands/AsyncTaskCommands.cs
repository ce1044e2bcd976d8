using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
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

        private FcPager _pager;

        protected override void BeginProcessing() => _pager = new FcPager(this);

        protected override void ProcessRecord()
        {
            if (ParameterSetName == OneSet) GetOne();
            else List();
        }

        private void GetOne()
        {
            if (!CheckIdentity(TaskId)) return;
            foreach (var id in TaskId)
            {
                if (TryRun((log, ct) => FcAsyncTasks.GetAsync(Connect(), Function, id, CallOptions(TimeoutSec), log, ct), id, out var task))
                    WriteObject(task);
            }
        }

        private void List()
        {
            if (_pager.Satisfied || !CheckIdentity(FunctionName)) return;
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
            _pager.WritePages(query, (q, log, ct) => FcAsyncTasks.ListPageAsync(Connect(), Function, q, CallOptions(TimeoutSec), log, ct),
                              task => !filteredHere || statuses.Contains(task.Status ?? string.Empty), FunctionName, limitToWanted: !filteredHere);
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

        protected override void ProcessRecord()
        {
            if (!CheckIdentity(TaskId)) return;
            foreach (var id in TaskId)
            {
                if (!ShouldProcess($"async task '{id}' of function '{Function}'", "Stop")) continue;
                if (!TryRun(async (log, ct) => { await FcAsyncTasks.StopAsync(Connect(), Function, id, CallOptions(TimeoutSec), log, ct).ConfigureAwait(false); return true; }, id, out _))
                    continue;
                if (PassThru && TryRun((log, ct) => FcAsyncTasks.GetAsync(Connect(), Function, id, CallOptions(TimeoutSec), log, ct), id, out var task))
                    WriteObject(task);
            }
        }
    }

    /// <summary>Wait-FcAsyncTask: waits until the given tasks are terminal, polling them together with backoff.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "FcAsyncTask")]
    [OutputType(typeof(FcAsyncTask))]
    public sealed class WaitFcAsyncTaskCommand : FcFunctionCmdlet
    {
        private readonly List<FcTaskWaitTarget> _targets = new List<FcTaskWaitTarget>();
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);

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

        protected override void ProcessRecord()
        {
            if (!CheckIdentity(TaskId)) return;
            var fn = Function;
            foreach (var id in TaskId)
                if (_seen.Add(fn + "\n" + id)) _targets.Add(new FcTaskWaitTarget(fn, id, id));
        }

        protected override void EndProcessing()
        {
            if (_targets.Count == 0) return;
            var progress = new DelayedProgress(this, 0x46635761, $"Waiting for {_targets.Count} FC async task(s)");
            Exception failure = null;
            var observer = new QueuedObserver(Messages, progress);
            var options = new FcTaskWaitOptions
            {
                Timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : (TimeSpan?)null,
                Any = Any.IsPresent,
            };
            var client = Connect();
            FcTaskWaitResult outcome = null;
            try
            {
                // Each poll keeps the per-attempt limit of reads; the wait's -TimeoutSec is a deadline over all of them.
                outcome = Run((log, ct) => FcAsyncTaskWaiter.WaitAsync(client, _targets, options, CallOptions(0), log, observer, ct));
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
            if (failure != null) ThrowTerminatingError(FcErrors.Record(failure, _targets.Select(t => t.Input).ToArray()));
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

        /// <summary>Turns waiter callbacks (worker threads) into pipeline-thread writes.</summary>
        private sealed class QueuedObserver : IFcTaskWaitObserver
        {
            private readonly PipelineMessageQueue _queue;
            private readonly DelayedProgress _progress;

            public QueuedObserver(PipelineMessageQueue queue, DelayedProgress progress)
            {
                _queue = queue;
                _progress = progress;
            }

            public void Finished(FcTaskWaitTarget target, FcAsyncTask task) => _queue.Post(c => c.WriteObject(task));

            public void Failed(FcTaskWaitTarget target, Exception error) =>
                _queue.Post(c => c.WriteError(FcErrors.Record(error, target.Input)));

            public void Progress(IReadOnlyDictionary<string, int> pendingByStatus, int finished, int total)
            {
                var status = $"{finished} of {total} finished" +
                             (pendingByStatus.Count > 0 ? "; " + string.Join(", ", pendingByStatus.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")) : string.Empty);
                _queue.Post(c => _progress.Update(status, total == 0 ? 100 : finished * 100 / total));
            }
        }
    }
}
