using System;
using System.Collections.Generic;
using System.Globalization;

namespace FcBench
{
    /// <summary>
    /// Entry point of the benchmark helper. Two modes, both driven by tests/bench/Invoke-FcBenchmark.ps1:
    ///   serve [--port N]                                  the loopback FC server (see <see cref="BenchServer"/>)
    ///   floor --endpoint URI [--calls N] [--warmup N] [--warmup-ms T] [--function F] [--service S] [--payload TEXT]
    ///                                                     the raw HttpClient floor (see <see cref="Floor"/>); --calls 0
    ///                                                     keeps it running, timing the number of calls read from each stdin line
    ///   emulator-load --endpoint URI [--clients N] [--calls M] [--function F]
    ///                                                     N keep-alive clients x M signed invocations against the FC
    ///                                                     emulator (see <see cref="EmulatorLoad"/>; tests/perf/Measure-EmulatorLoad.ps1)
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length == 0) return Usage("no mode given");
            Dictionary<string, string> options;
            try { options = ParseOptions(args, 1); }
            catch (ArgumentException ex) { return Usage(ex.Message); }
            switch (args[0])
            {
                case "serve": return BenchServer.Run(Int(options, "port", 0));
                case "floor":
                    if (!options.TryGetValue("endpoint", out var endpoint)) return Usage("floor needs --endpoint");
                    return Floor.Run(new Uri(endpoint), Int(options, "calls", 2000), Int(options, "warmup", 200), Int(options, "warmup-ms", 2000),
                        Get(options, "function", "bench"), Get(options, "service", null), Get(options, "payload", "{\"n\":1}"));
                case "emulator-load":
                    if (!options.TryGetValue("endpoint", out var emulator)) return Usage("emulator-load needs --endpoint");
                    return EmulatorLoad.Run(new Uri(emulator), Int(options, "clients", 200), Int(options, "calls", 20), Get(options, "function", "echo"));
                default: return Usage($"unknown mode '{args[0]}'");
            }
        }

        private static Dictionary<string, string> ParseOptions(string[] args, int start)
        {
            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = start; i < args.Length; i += 2)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                    throw new ArgumentException($"expected '--name value' at '{args[i]}'");
                options[args[i].Substring(2)] = args[i + 1];
            }
            return options;
        }

        private static string Get(Dictionary<string, string> options, string name, string fallback) =>
            options.TryGetValue(name, out var value) ? value : fallback;

        private static int Int(Dictionary<string, string> options, string name, int fallback) =>
            options.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

        private static int Usage(string problem)
        {
            Console.Error.WriteLine($"FcBench: {problem}.");
            Console.Error.WriteLine("usage: FcBench serve [--port N] | FcBench floor --endpoint URI [--calls N] [--warmup N] [--warmup-ms T] [--function F] [--service S] [--payload TEXT]");
            Console.Error.WriteLine("       FcBench emulator-load --endpoint URI [--clients N] [--calls M] [--function F]");
            return 2;
        }
    }
}
