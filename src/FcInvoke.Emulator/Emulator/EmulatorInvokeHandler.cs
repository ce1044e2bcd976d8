using System;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>InvokeFunction: runs a function synchronously, or accepts it as an async task and runs it in the background.</summary>
    internal sealed class EmulatorInvokeHandler
    {
        private readonly EmulatorFunctionHost _host;
        private readonly EmulatorJournal _journal;
        private readonly EmulatorTaskStore _tasks;
        private readonly EmulatorIdentity _identity;
        private readonly CancellationToken _shutdown;

        public EmulatorInvokeHandler(EmulatorFunctionHost host, EmulatorJournal journal, EmulatorTaskStore tasks, EmulatorIdentity identity,
                                     CancellationToken shutdown)
        {
            _host = host;
            _journal = journal;
            _tasks = tasks;
            _identity = identity;
            _shutdown = shutdown;
        }

        public async Task InvokeAsync(EmulatorCall call, EmulatedFunction function)
        {
            var isAsync = string.Equals(call.Headers[FcHeaders.InvocationType], "Async", StringComparison.OrdinalIgnoreCase);
            var limit = isAsync ? FcNames.MaxAsyncPayloadBytes : FcNames.MaxSyncPayloadBytes;
            if (call.Body.Length > limit)
            {
                await call.ErrorAsync(new EmulatorError(400, "EntityTooLarge", $"payload size exceeds maximum allowed size ({limit} bytes)")).ConfigureAwait(false);
                return;
            }
            var qualifier = call.QueryValue("qualifier");
            var eventText = Encoding.UTF8.GetString(call.Body);
            if (isAsync) await AcceptTaskAsync(call, function, qualifier, eventText).ConfigureAwait(false);
            else await RunSyncAsync(call, function, qualifier, eventText).ConfigureAwait(false);
        }

        private async Task AcceptTaskAsync(EmulatorCall call, EmulatedFunction function, string qualifier, string eventText)
        {
            var taskIdHeader = call.IsV2 ? FcHeaders.StatefulAsyncInvocationId : FcHeaders.AsyncTaskId;
            var taskId = call.Headers[taskIdHeader];
            if (taskId != null && FcNames.CheckTaskId(taskId) is string bad)
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", bad)).ConfigureAwait(false);
                return;
            }
            taskId = taskId ?? Guid.NewGuid().ToString("D");
            var task = new EmulatorTask(taskId, function.ServiceName, function.FunctionName, qualifier, eventText, call.RequestId, EmulatorClock.NowMs());
            if (!_tasks.TryAdd(function.Key, task))
            {
                await call.ErrorAsync(new EmulatorError(409, call.IsV2 ? "StatefulAsyncInvocationAlreadyExists" : "AsyncTaskAlreadyExists",
                    $"an async task with id '{taskId}' already exists for function '{function.FunctionName}'")).ConfigureAwait(false);
                return;
            }
            var context = FunctionContext(call, function, qualifier, "Async", taskId);
            _ = Task.Run(() => RunTaskAsync(function, task, context));
            if (await EmulatorFaultInjector.TryApplyAfterRunAsync(call).ConfigureAwait(false)) return;
            call.SetHeader(taskIdHeader, taskId);
            await call.RespondAsync(202, null, Array.Empty<byte>()).ConfigureAwait(false);
        }

        private async Task RunSyncAsync(EmulatorCall call, EmulatedFunction function, string qualifier, string eventText)
        {
            var context = FunctionContext(call, function, qualifier, "Sync", null);
            var outcome = await RunAsync(function, eventText, context, call.RequestId, _shutdown).ConfigureAwait(false);
            if (await EmulatorFaultInjector.TryApplyAfterRunAsync(call).ConfigureAwait(false)) return;
            call.SetHeader(FcHeaders.InvocationDuration, ((long)outcome.Duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            call.SetHeader(FcHeaders.MaxMemoryUsage, (GC.GetTotalMemory(false) / 1048576.0).ToString("0.##", CultureInfo.InvariantCulture));
            call.SetHeader(FcHeaders.CodeChecksum, function.CodeChecksum);
            call.SetHeader(FcHeaders.InstanceId, _identity.InstanceId);
            call.SetHeader(FcHeaders.ServiceVersion, qualifier ?? "LATEST");
            if (string.Equals(call.Headers[FcHeaders.LogType], "Tail", StringComparison.OrdinalIgnoreCase))
                call.SetHeader(FcHeaders.LogResult, Convert.ToBase64String(Tail(outcome.Log, 4096)));
            if (outcome.Failed || outcome.Stopped) call.SetHeader(FcHeaders.ErrorType, "UnhandledInvocationError");
            await call.RespondAsync(200, "application/octet-stream", outcome.Body).ConfigureAwait(false);
        }

        private async Task RunTaskAsync(EmulatedFunction function, EmulatorTask task, PSObject context)
        {
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(task.Stop.Token, _shutdown))
            {
                if (!task.Transition("Dequeued", EmulatorClock.NowMs()) || !task.Transition("Running", EmulatorClock.NowMs())) return;
                task.InstanceId = _identity.InstanceId;
                FunctionOutcome outcome;
                try
                {
                    outcome = await RunAsync(function, task.Payload, context, task.RequestId, linked.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    outcome = new FunctionOutcome { Failed = true, ErrorMessage = ex.Message, ErrorType = ex.GetType().Name };
                }
                var duration = (long)outcome.Duration.TotalMilliseconds;
                if (outcome.Stopped || task.Stop.IsCancellationRequested)
                    task.Finish("Stopped", EmulatorClock.NowMs(), null, "the task was stopped", duration, string.Empty);
                else if (outcome.Failed)
                    task.Finish("Failed", EmulatorClock.NowMs(), null, outcome.ErrorMessage, duration, "{\"Error\":\"UnhandledInvocationError\"}");
                else
                    task.Finish("Succeeded", EmulatorClock.NowMs(), Encoding.UTF8.GetString(outcome.Body), null, duration, string.Empty);
            }
        }

        private Task<FunctionOutcome> RunAsync(EmulatedFunction function, string eventText, PSObject context, string requestId, CancellationToken token)
        {
            _journal.CountExecution(function.Key, eventText);
            return _host.RunAsync(function.Script, eventText, context, requestId, token);
        }

        private PSObject FunctionContext(EmulatorCall call, EmulatedFunction function, string qualifier, string invocationType, string taskId)
        {
            var context = new PSObject();
            context.Properties.Add(new PSNoteProperty("RequestId", call.RequestId));
            context.Properties.Add(new PSNoteProperty("FunctionName", function.FunctionName));
            context.Properties.Add(new PSNoteProperty("ServiceName", function.ServiceName));
            context.Properties.Add(new PSNoteProperty("Qualifier", qualifier ?? "LATEST"));
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
