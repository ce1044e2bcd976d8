using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Turns a cmdlet's pipeline inputs into concurrent async work: up to <c>limit</c> items run at once, and their
    /// outcomes are handed back on the pipeline thread, failures as soon as they happen and successes in input order
    /// (or in completion order when unordered). At most <c>limit</c> items run and at most 2 × limit finished results wait
    /// for an earlier one; <see cref="Submit"/> blocks the pipeline while either bound is reached. Stopping the command, or an
    /// exception from a writer (-ErrorAction Stop, Select-Object -First), cancels everything in flight and waits for it.
    /// A batch of more than one item that lasts over a second shows one progress bar, closed at the end.
    /// Submit, Complete and Dispose run on the pipeline thread only; the work never touches the cmdlet.
    /// </summary>
    internal sealed class FanOut<T> : IDisposable
    {
        private const int ProgressActivityId = 0x46436649; // one id for the whole batch
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);
        private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
        private static readonly TimeSpan AbandonWait = TimeSpan.FromSeconds(5);

        private readonly Cmdlet _cmdlet;
        private readonly PipelineMessageQueue _messages;
        private readonly int _limit;
        private readonly bool _ordered;
        private readonly DelayedProgress _progress;
        private readonly Action<object, T> _writeResult;
        private readonly Action<object, Exception> _writeFailure;
        private readonly CancellationTokenSource _cancel;
        private readonly CancellationTokenRegistration _wakeOnCancel;
        private readonly LinkedList<Item> _pending = new LinkedList<Item>();
        private readonly ConcurrentQueue<Item> _finished = new ConcurrentQueue<Item>();
        private int _running;
        private long _submitted, _failed;
        private bool _totalKnown;
        private TimeSpan _lastProgress;

        public FanOut(Cmdlet cmdlet, PipelineMessageQueue messages, int limit, bool ordered, string activity,
                      Action<object, T> writeResult, Action<object, Exception> writeFailure, CancellationToken stopToken)
        {
            if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit));
            _cmdlet = cmdlet;
            _messages = messages;
            _limit = limit;
            _ordered = ordered;
            _progress = new DelayedProgress(cmdlet, ProgressActivityId, activity);
            _writeResult = writeResult;
            _writeFailure = writeFailure;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
            _wakeOnCancel = _cancel.Token.Register(messages.Wake);
        }

        /// <summary>Starts the work for one input, writes what has finished, and returns once another input may start.</summary>
        public void Submit(object input, Func<CancellationToken, Task<T>> work)
        {
            StopIfCancelled();
            var item = new Item(input);
            item.Node = _pending.AddLast(item);
            _submitted++;
            Interlocked.Increment(ref _running);
            var token = _cancel.Token;
            item.Task = Task.Run(() => work(token));
            item.Task.ContinueWith(_ =>
            {
                Interlocked.Decrement(ref _running);
                _finished.Enqueue(item);
                _messages.Wake();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            WaitWhile(() =>
            {
                var running = Volatile.Read(ref _running);
                return running >= _limit || _pending.Count - running >= 2 * _limit;
            });
        }

        /// <summary>No more inputs: waits for the rest, writing it, then closes the progress bar.</summary>
        public void Complete()
        {
            _totalKnown = true;
            WaitWhile(() => _pending.Count > 0);
            _progress.Complete();
        }

        private void WaitWhile(Func<bool> busy)
        {
            try
            {
                while (true)
                {
                    StopIfCancelled();
                    WriteFinished();
                    ShowProgress();
                    if (!busy()) return;
                    _messages.WaitAndDrain(_cmdlet, Tick);
                }
            }
            catch (Exception)
            {
                Abandon();
                throw;
            }
        }

        private void StopIfCancelled()
        {
            if (!_cancel.IsCancellationRequested) return;
            Abandon();
            throw new PipelineStoppedException();
        }

        private void WriteFinished()
        {
            while (_finished.TryDequeue(out var item))
            {
                if (!item.Written && (!_ordered || item.Task.Status != TaskStatus.RanToCompletion)) Write(item);
            }
            if (!_ordered) return;
            while (_pending.First != null && _pending.First.Value.Task.IsCompleted) Write(_pending.First.Value);
        }

        private void Write(Item item)
        {
            item.Written = true;
            _pending.Remove(item.Node);
            var task = item.Task;
            if (task.Status == TaskStatus.RanToCompletion)
            {
                _writeResult(item.Input, task.Result);
                return;
            }
            if (task.IsCanceled && _cancel.IsCancellationRequested) return; // stopping: nothing more is written
            _failed++;
            var error = task.Exception == null
                ? new OperationCanceledException("The work was cancelled.")
                : task.Exception.InnerExceptions.Count == 1 ? task.Exception.InnerException : task.Exception;
            _writeFailure(item.Input, error);
        }

        /// <summary>Cancels what is in flight and waits (bounded) until it has ended, so nothing is left running.</summary>
        private void Abandon()
        {
            try { _cancel.Cancel(); } catch (ObjectDisposedException) { /* disposed: nothing left to cancel */ }
            var running = _pending.Select(i => i.Task).Where(t => t != null && !t.IsCompleted).ToArray();
            if (running.Length > 0) Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default).Wait(AbandonWait);
            _pending.Clear();
            try { _progress.Complete(); } catch (Exception) { /* the pipeline is stopping: no more records */ }
        }

        private void ShowProgress()
        {
            var now = _progress.Elapsed;
            if (_submitted < 2 || now - _lastProgress < ProgressInterval) return;
            _lastProgress = now;
            var running = Volatile.Read(ref _running);
            var done = _submitted - running;
            var rate = done / now.TotalSeconds;
            var status = (_totalKnown ? $"{done} of {_submitted} done" : $"{done} done") +
                         $", {running} in flight, {rate.ToString("0.#", CultureInfo.InvariantCulture)}/s" +
                         (_failed > 0 ? $", {_failed} failed" : string.Empty);
            _progress.Update(status, _totalKnown ? (int)(done * 100 / _submitted) : -1);
        }

        public void Dispose()
        {
            if (_pending.Count > 0) Abandon();
            _wakeOnCancel.Dispose();
            _cancel.Dispose();
        }

        private sealed class Item
        {
            public Item(object input) { Input = input; }
            public object Input { get; }
            public Task<T> Task { get; set; }
            public LinkedListNode<Item> Node { get; set; }
            public bool Written { get; set; }
        }
    }
}
