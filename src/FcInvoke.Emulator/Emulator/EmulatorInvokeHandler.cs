using System;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// InvokeFunction: runs a function synchronously, or accepts it as an async task that waits for a free slot. Sync runs
    /// and tasks share the slots (-MaxConcurrency), handed out first come, first served.
    /// </summary>
    internal sealed class EmulatorInvokeHandler
    {
        private readonly EmulatorFunctionHost _host;
        private readonly EmulatorJournal _journal;
        private readonly EmulatorTaskStore _tasks;
        private readonly EmulatorFifoQuota _slots;
        private readonly EmulatorIdentity _identity;
        private readonly CancellationToken _shutdown;

        public EmulatorInvokeHandler(EmulatorFunctionHost host, EmulatorJournal journal, EmulatorTaskStore tasks, EmulatorFifoQuota slots,
                                     EmulatorIdentity identity, CancellationToken shutdown)
        {
            _host = host;
            _journal = journal;
            _tasks = tasks;
            _slots = slots;
            _identity = identity;
            _shutdown = shutdown;
        }

        public static bool IsAsync(EmulatorHeaders headers) =>
            string.Equals(headers[FcHeaders.InvocationType], "Async", StringComparison.OrdinalIgnoreCase);

        /// <summary>Answers an invocation whose function, qualifier (<see cref="EmulatorCall.Version"/>) and body were checked.</summary>
        public async Task InvokeAsync(EmulatorCall call, EmulatedFunction function)
        {
            var eventText = Encoding.UTF8.GetString(call.Body);
            if (!IsAsync(call.Headers))
            {
                await RunSyncAsync(call, function, eventText).ConfigureAwait(false);
                return;
            }
            var taskIdHeader = call.IsV2 ? FcHeaders.StatefulAsyncInvocationId : FcHeaders.AsyncTaskId;
            var taskId = await AcceptTaskAsync(call, function, eventText, eventText, call.Headers[taskIdHeader]).ConfigureAwait(false);
            if (taskId == null || await EmulatorFaultInjector.TryApplyAfterRunAsync(call).ConfigureAwait(false)) return;
            call.SetHeader(taskIdHeader, taskId);
            await call.RespondAsync(202, null, Array.Empty<byte>()).ConfigureAwait(false);
        }

        /// <summary>
        /// Accepts an async task and queues it for a slot; the task id, or null when the call was answered with FC's
        /// refusal (a bad or reused id, a full store). <paramref name="resultOf"/> turns the run into the task's result
        /// (when given, the function's output objects are kept for it); by default the output as the body FC returns.
        /// </summary>
        internal async Task<string> AcceptTaskAsync(EmulatorCall call, EmulatedFunction function, object eventArgument, string payloadText,
                                                    string requestedTaskId, Func<FunctionOutcome, string> resultOf = null)
        {
            if (requestedTaskId != null && FcNames.CheckTaskId(requestedTaskId) is string bad)
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", bad)).ConfigureAwait(false);
                return null;
            }
            // A generated id follows the rule a caller's id must follow (FcNames.CheckTaskId), so it can be named in a path.
            var taskId = requestedTaskId ?? "task-" + Guid.NewGuid().ToString("D");
            var task = new EmulatorTask(taskId, function.ServiceName, function.FunctionName, call.Qualifier, call.Version, payloadText, call.RequestId, EmulatorClock.NowMs());
            switch (_tasks.TryAdd(function.Key, task))
            {
                case EmulatorTaskStore.AddResult.Exists:
                    await call.ErrorAsync(new EmulatorError(409, call.IsV2 ? "StatefulAsyncInvocationAlreadyExists" : "AsyncTaskAlreadyExists",
                        $"an async task with id '{taskId}' already exists for function '{function.FunctionName}'")).ConfigureAwait(false);
                    return null;
                case EmulatorTaskStore.AddResult.Full:
                    await call.ErrorAsync(new EmulatorError(429, "ResourceExhausted",
                        $"the emulator holds at most {_tasks.MaxTasks} async tasks and is full of unfinished ones; retry later")).ConfigureAwait(false);
                    return null;
            }
            // The slot is requested now, before answering, so tasks queue in the order they were accepted.
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(task.Stop.Token, _shutdown);
            var slot = _slots.ReserveAsync(1, cancel.Token);
            var context = FunctionContext(call, function, "Async", taskId);
            _ = Task.Run(() => RunTaskAsync(function, task, eventArgument, context, slot, cancel, resultOf));
            return taskId;
        }

        /// <summary>A function slot for a synchronous run; null when the client left or the emulator stopped first (then journaled).</summary>
        internal async Task<IDisposable> WaitForSlotAsync(EmulatorCall call)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(_shutdown, call.ClientGone))
            {
                try
                {
                    return await _slots.ReserveAsync(1, wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    call.RecordUnanswered(); // nothing ran
                    return null;
                }
            }
        }

        private async Task RunSyncAsync(EmulatorCall call, EmulatedFunction function, string eventText)
        {
            var slot = await WaitForSlotAsync(call).ConfigureAwait(false);
            if (slot == null) return;
            FunctionOutcome outcome;
            using (slot) outcome = await RunAsync(function, eventText, FunctionContext(call, function, "Sync", null), call.RequestId, _shutdown).ConfigureAwait(false);
            call.FunctionOutcome = outcome.Name;
            if (await EmulatorFaultInjector.TryApplyAfterRunAsync(call).ConfigureAwait(false)) return;
            call.SetHeader(FcHeaders.InvocationDuration, ((long)outcome.Duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            call.SetHeader(FcHeaders.MaxMemoryUsage, (GC.GetTotalMemory(false) / 1048576.0).ToString("0.##", CultureInfo.InvariantCulture));
            call.SetHeader(FcHeaders.CodeChecksum, function.CodeChecksum);
            call.SetHeader(FcHeaders.InstanceId, _identity.InstanceId);
            call.SetHeader(FcHeaders.ServiceVersion, call.Version);
            if (string.Equals(call.Headers[FcHeaders.LogType], "Tail", StringComparison.OrdinalIgnoreCase))
                call.SetHeader(FcHeaders.LogResult, Convert.ToBase64String(Tail(outcome.Log, 4096)));
            if (outcome.Failed || outcome.Stopped) call.SetHeader(FcHeaders.ErrorType, "UnhandledInvocationError");
            await call.RespondAsync(200, "application/octet-stream", outcome.Body).ConfigureAwait(false);
        }

        private async Task RunTaskAsync(EmulatedFunction function, EmulatorTask task, object eventArgument, PSObject context, Task<IDisposable> slotRequest,
                                        CancellationTokenSource cancel, Func<FunctionOutcome, string> resultOf)
        {
            using (cancel)
            {
                IDisposable slot;
                try
                {
                    slot = await slotRequest.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _tasks.Finish(task, "Stopped", EmulatorClock.NowMs(), null, "the task was stopped before it ran", 0, string.Empty);
                    return;
                }
                using (slot)
                {
                    // Dequeued and Running only now that a slot is free: a task waiting for one stays Enqueued.
                    var now = EmulatorClock.NowMs();
                    if (!task.Transition("Dequeued", now) || !task.Transition("Running", now)) return;
                    task.InstanceId = _identity.InstanceId;
                    var outcome = await RunAsync(function, eventArgument, context, task.RequestId, cancel.Token, keepOutput: resultOf != null).ConfigureAwait(false);
                    var duration = (long)outcome.Duration.TotalMilliseconds;
                    if (outcome.Stopped || task.Stop.IsCancellationRequested)
                        _tasks.Finish(task, "Stopped", EmulatorClock.NowMs(), null, "the task was stopped", duration, string.Empty);
                    else if (outcome.Failed)
                        _tasks.Finish(task, "Failed", EmulatorClock.NowMs(), null, outcome.ErrorMessage, duration, "{\"Error\":\"UnhandledInvocationError\"}");
                    else
                        _tasks.Finish(task, "Succeeded", EmulatorClock.NowMs(), resultOf != null ? resultOf(outcome) : Encoding.UTF8.GetString(outcome.Body), null, duration, string.Empty);
                }
            }
        }

        /// <summary>Runs a function (its slot already taken) and counts the run first, so a test waiting on the count sees it started.</summary>
        internal Task<FunctionOutcome> RunAsync(EmulatedFunction function, object eventArgument, PSObject context, string requestId, CancellationToken token,
                                                bool keepOutput = false)
        {
            _journal.CountExecution(function.Key, eventArgument as string ?? (eventArgument as PSObject)?.Properties["Body"]?.Value as string);
            return _host.RunAsync(function.Script, eventArgument, context, requestId, token, keepOutput);
        }

        internal PSObject FunctionContext(EmulatorCall call, EmulatedFunction function, string invocationType, string taskId)
        {
            var context = new PSObject();
            context.Properties.Add(new PSNoteProperty("RequestId", call.RequestId));
            context.Properties.Add(new PSNoteProperty("FunctionName", function.FunctionName));
            context.Properties.Add(new PSNoteProperty("ServiceName", function.ServiceName));
            context.Properties.Add(new PSNoteProperty("Qualifier", call.Qualifier));
            context.Properties.Add(new PSNoteProperty("Version", call.Version));
            context.Properties.Add(new PSNoteProperty("InvocationType", invocationType));
            context.Properties.Add(new PSNoteProperty("AsyncTaskId", taskId));
            context.Properties.Add(new PSNoteProperty("TraceId", call.Headers[FcHeaders.TraceId]));
            context.Properties.Add(new PSNoteProperty("AccountId", _identity.AccountId));
            context.Properties.Add(new PSNoteProperty("Region", _identity.Region));
            return context;
        }

        /// <summary>The last <paramref name="max"/> bytes of the log as UTF-8, cut at a character boundary (FC returns the last 4 KB).</summary>
        internal static byte[] Tail(string log, int max)
        {
            var bytes = Encoding.UTF8.GetBytes(log ?? string.Empty);
            if (bytes.Length <= max) return bytes;
            int start = bytes.Length - max;
            while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80) start++;
            var tail = new byte[bytes.Length - start];
            Buffer.BlockCopy(bytes, start, tail, 0, tail.Length);
            return tail;
        }
    }

    internal static class EmulatorClock
    {
        public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }
}
