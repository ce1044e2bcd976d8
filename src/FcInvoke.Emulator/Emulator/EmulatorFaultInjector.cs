using System;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// Draws each function request's injected fault (Start-FcEmulator -ThrottleRate …) and applies it: "before run" faults
    /// answer (or drop) the request instead of running it; "after run" faults strike once the invocation ran or was accepted.
    /// </summary>
    internal sealed class EmulatorFaultInjector
    {
        private readonly Random _random = new Random();
        private volatile FcEmulatorFaults _faults;

        public EmulatorFaultInjector(FcEmulatorFaults faults)
        {
            _faults = faults ?? FcEmulatorFaults.None;
        }

        public FcEmulatorFaults Faults
        {
            get => _faults;
            set => _faults = value ?? FcEmulatorFaults.None;
        }

        /// <summary>
        /// Applies the added latency and draws this request's fault. A "before run" fault is answered here (true: the caller
        /// stops); an "after run" fault is left in <see cref="EmulatorCall.Fault"/> for <see cref="TryApplyAfterRunAsync"/>.
        /// </summary>
        public async Task<bool> TryRefuseBeforeRunAsync(EmulatorCall call, CancellationToken shutdown)
        {
            var faults = _faults;
            if (faults.IsNone) return false;
            if (faults.LatencyMs > 0) await Task.Delay(faults.LatencyMs, shutdown).ConfigureAwait(false);
            double draw;
            lock (_random) draw = _random.NextDouble();
            var fault = faults.Pick(draw);
            call.Fault = fault;
            switch (fault)
            {
                case FcEmulatorFault.Throttle:
                    await call.ErrorAsync(new EmulatorError(429, "ResourceExhausted", "Function concurrency limit exceeded (injected fault)")).ConfigureAwait(false);
                    return true;
                case FcEmulatorFault.ServerError:
                    await call.ErrorAsync(InjectedServerError()).ConfigureAwait(false);
                    return true;
                case FcEmulatorFault.Drop:
                    call.Drop();
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Answers an invocation that already ran (or was accepted) as its "after run" fault says; false when there is none.</summary>
        public static async Task<bool> TryApplyAfterRunAsync(EmulatorCall call)
        {
            switch (call.Fault)
            {
                case FcEmulatorFault.ServerErrorAfterRun:
                    await call.ErrorAsync(InjectedServerError()).ConfigureAwait(false);
                    return true;
                case FcEmulatorFault.DropAfterRun:
                    call.Drop();
                    return true;
                default:
                    return false;
            }
        }

        private static EmulatorError InjectedServerError() =>
            new EmulatorError(500, "InternalServerError", "an internal error has occurred. Please retry. (injected fault)");
    }
}
