using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// A quota handed out first come, first served: the emulator's request-body bytes in memory and its function slots
    /// (-MaxConcurrency). A reservation that does not fit waits behind earlier ones, so with one slot async tasks run in
    /// the order they were accepted.
    /// </summary>
    internal sealed class EmulatorFifoQuota
    {
        private readonly object _gate = new object();
        private readonly LinkedList<Waiter> _waiters = new LinkedList<Waiter>();
        private long _used, _peak;

        public EmulatorFifoQuota(long capacity) { Capacity = capacity; }

        public long Capacity { get; }
        public long Used { get { lock (_gate) return _used; } }
        /// <summary>The most ever held at once since the emulator started (or since <see cref="ResetPeak"/>).</summary>
        public long Peak { get { lock (_gate) return _peak; } }
        public int Waiting { get { lock (_gate) return _waiters.Count; } }

        public void ResetPeak() { lock (_gate) _peak = _used; }

        /// <summary>
        /// Reserves <paramref name="bytes"/> units (at most the whole capacity); the lease gives them back once. The
        /// reservation joins the queue before this returns, which is what orders callers.
        /// </summary>
        public Task<IDisposable> ReserveAsync(long bytes, CancellationToken cancellationToken)
        {
            bytes = Math.Min(Math.Max(bytes, 0), Capacity);
            lock (_gate)
            {
                if (_waiters.Count == 0 && _used + bytes <= Capacity) return Task.FromResult<IDisposable>(Grant(bytes));
                var waiter = new Waiter(bytes);
                var node = _waiters.AddLast(waiter);
                waiter.Registration = cancellationToken.Register(() =>
                {
                    lock (_gate)
                    {
                        if (node.List == null) return; // already granted
                        _waiters.Remove(node);
                    }
                    waiter.Completion.TrySetCanceled();
                });
                return waiter.Completion.Task;
            }
        }

        private Lease Grant(long bytes)
        {
            _used += bytes;
            if (_used > _peak) _peak = _used;
            return new Lease(this, bytes);
        }

        private void Release(long bytes)
        {
            var granted = new List<(Waiter waiter, Lease lease)>();
            lock (_gate)
            {
                _used -= bytes;
                while (_waiters.First != null && _used + _waiters.First.Value.Bytes <= Capacity)
                {
                    var waiter = _waiters.First.Value;
                    _waiters.RemoveFirst();
                    granted.Add((waiter, Grant(waiter.Bytes)));
                }
            }
            foreach (var (waiter, lease) in granted)
            {
                waiter.Registration.Dispose();
                if (!waiter.Completion.TrySetResult(lease)) lease.Dispose();
            }
        }

        private sealed class Waiter
        {
            public Waiter(long bytes) { Bytes = bytes; }
            public long Bytes { get; }
            public TaskCompletionSource<IDisposable> Completion { get; } = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
            public CancellationTokenRegistration Registration { get; set; }
        }

        private sealed class Lease : IDisposable
        {
            private readonly EmulatorFifoQuota _budget;
            private long _bytes;

            public Lease(EmulatorFifoQuota budget, long bytes) { _budget = budget; _bytes = bytes; }

            public void Dispose()
            {
                var bytes = Interlocked.Exchange(ref _bytes, 0);
                if (bytes > 0) _budget.Release(bytes);
            }
        }
    }

}
