using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Collects what worker code has to say (any thread) and hands it to the pipeline thread, which alone
    /// may write to PowerShell streams. <see cref="Pump{T}"/> waits for a task while draining the queue.
    /// The wake-up is a ManualResetEventSlim (reset before each drain): it spins briefly and then blocks on a
    /// monitor, which on Linux costs measurably less per call than a kernel-emulated AutoResetEvent (see
    /// docs/performance.md).
    /// </summary>
    internal sealed class PipelineMessageQueue : IFcLog, IDisposable
    {
        private enum Kind { Verbose, Debug, Warning, Action }

        private readonly ConcurrentQueue<(Kind kind, string text, Action<Cmdlet> action)> _messages =
            new ConcurrentQueue<(Kind, string, Action<Cmdlet>)>();
        private readonly ManualResetEventSlim _signal = new ManualResetEventSlim(false);

        /// <summary>Set by the cmdlet from -Verbose/-Debug and the preference variables; true until then (safe).</summary>
        public bool IsVerboseEnabled { get; set; } = true;
        public bool IsDebugEnabled { get; set; } = true;

        public void Verbose(string message) => Enqueue(Kind.Verbose, message, null);
        public void Debug(string message) => Enqueue(Kind.Debug, message, null);
        public void Warning(string message) => Enqueue(Kind.Warning, message, null);

        /// <summary>Queues any pipeline-thread work (WriteObject, WriteError, WriteProgress).</summary>
        public void Post(Action<Cmdlet> action) => Enqueue(Kind.Action, null, action);

        public void Wake() => _signal.Set();

        private void Enqueue(Kind kind, string text, Action<Cmdlet> action)
        {
            _messages.Enqueue((kind, text, action));
            _signal.Set();
        }

        /// <summary>Pipeline thread only.</summary>
        public void Drain(Cmdlet cmdlet)
        {
            while (_messages.TryDequeue(out var m))
            {
                switch (m.kind)
                {
                    case Kind.Verbose: cmdlet.WriteVerbose(m.text); break;
                    case Kind.Debug: cmdlet.WriteDebug(m.text); break;
                    case Kind.Warning: cmdlet.WriteWarning(m.text); break;
                    case Kind.Action: m.action(cmdlet); break;
                }
            }
        }

        /// <summary>Runs on the pipeline thread until <paramref name="task"/> ends, writing queued messages as they come.</summary>
        public T Pump<T>(Cmdlet cmdlet, Task<T> task)
        {
            task.ContinueWith(_ => _signal.Set(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            while (!task.IsCompleted)
            {
                _signal.Wait();
                _signal.Reset();  // before draining: a message queued from here on sets it again
                Drain(cmdlet);
            }
            Drain(cmdlet);
            return task.GetAwaiter().GetResult();
        }

        /// <summary>Waits for a message or the timeout, then drains: a loop that must also watch other things (fan-out) uses it.</summary>
        public bool WaitAndDrain(Cmdlet cmdlet, TimeSpan timeout)
        {
            var signalled = _signal.Wait(timeout);
            _signal.Reset();
            Drain(cmdlet);
            return signalled;
        }

        public void Dispose() => _signal.Dispose();
    }
}
