using System;
using System.Globalization;

namespace FcInvoke.Emulator
{
    /// <summary>What an injected fault did to one request; also recorded in the emulator's request journal.</summary>
    public enum FcEmulatorFault
    {
        None,
        /// <summary>429 ResourceExhausted before the function ran: FC's throttling answer, safe for a client to resend.</summary>
        Throttle,
        /// <summary>500 InternalServerError before the function ran.</summary>
        ServerError,
        /// <summary>The connection was closed before the function ran, with no answer.</summary>
        Drop,
        /// <summary>The function ran (or the async task was accepted), then 500 InternalServerError: a client must not resend an invocation.</summary>
        ServerErrorAfterRun,
        /// <summary>The function ran (or the async task was accepted), then the connection was closed with no answer.</summary>
        DropAfterRun,
    }

    /// <summary>
    /// Faults the emulator injects, each a rate between 0 and 1 drawn independently per request, plus added latency.
    /// "Before run" faults (throttle, 500, drop) apply to every API request that reaches a function (invocations and
    /// async-task reads) and never run it; "after run" faults apply to invocations only, after the function ran.
    /// The rates are slices of one draw, so they add up: at most 1 in total.
    /// </summary>
    public sealed class FcEmulatorFaults
    {
        public static readonly FcEmulatorFaults None = new FcEmulatorFaults();

        public FcEmulatorFaults(double throttleRate = 0, double serverErrorRate = 0, double dropRate = 0,
                                double serverErrorAfterRunRate = 0, double dropAfterRunRate = 0, int latencyMs = 0)
        {
            ThrottleRate = CheckRate(throttleRate, nameof(throttleRate));
            ServerErrorRate = CheckRate(serverErrorRate, nameof(serverErrorRate));
            DropRate = CheckRate(dropRate, nameof(dropRate));
            ServerErrorAfterRunRate = CheckRate(serverErrorAfterRunRate, nameof(serverErrorAfterRunRate));
            DropAfterRunRate = CheckRate(dropAfterRunRate, nameof(dropAfterRunRate));
            if (latencyMs < 0) throw new ArgumentOutOfRangeException(nameof(latencyMs), "The added latency cannot be negative.");
            LatencyMs = latencyMs;
            var total = ThrottleRate + ServerErrorRate + DropRate + ServerErrorAfterRunRate + DropAfterRunRate;
            if (total > 1 + 1e-9)
                throw new ArgumentException($"The fault rates add up to {total.ToString("0.###", CultureInfo.InvariantCulture)}; their sum must be at most 1.");
        }

        public double ThrottleRate { get; }
        public double ServerErrorRate { get; }
        public double DropRate { get; }
        public double ServerErrorAfterRunRate { get; }
        public double DropAfterRunRate { get; }
        /// <summary>Milliseconds added before each function request is handled.</summary>
        public int LatencyMs { get; }

        public bool IsNone => ThrottleRate + ServerErrorRate + DropRate + ServerErrorAfterRunRate + DropAfterRunRate == 0 && LatencyMs == 0;

        /// <summary>Maps one uniform draw in [0, 1) to the fault it selects.</summary>
        public FcEmulatorFault Pick(double draw)
        {
            double edge = 0;
            if (draw < (edge += ThrottleRate)) return FcEmulatorFault.Throttle;
            if (draw < (edge += ServerErrorRate)) return FcEmulatorFault.ServerError;
            if (draw < (edge += DropRate)) return FcEmulatorFault.Drop;
            if (draw < (edge += ServerErrorAfterRunRate)) return FcEmulatorFault.ServerErrorAfterRun;
            if (draw < edge + DropAfterRunRate) return FcEmulatorFault.DropAfterRun;
            return FcEmulatorFault.None;
        }

        public override string ToString() => IsNone
            ? "none"
            : string.Format(CultureInfo.InvariantCulture,
                "throttle {0:P0}, 500 {1:P0}, drop {2:P0}, 500 after run {3:P0}, drop after run {4:P0}, latency {5} ms",
                ThrottleRate, ServerErrorRate, DropRate, ServerErrorAfterRunRate, DropAfterRunRate, LatencyMs);

        private static double CheckRate(double rate, string name)
        {
            if (double.IsNaN(rate) || rate < 0 || rate > 1) throw new ArgumentOutOfRangeException(name, "A fault rate is between 0 and 1.");
            return rate;
        }
    }
}
