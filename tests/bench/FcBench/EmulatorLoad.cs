using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcBench
{
    /// <summary>
    /// The emulator's load check (issue 12): N clients, each with its own keep-alive connection (one SocketsHttpHandler
    /// limited to one connection), all started together, each sending M signed InvokeFunction calls one after another
    /// (fresh date, nonce and signature per call, built by the module's own code). Every answer must be 200 and echo
    /// the payload. Prints one JSON line: counts by status, wrong answers, transport errors, latency p50/p90/p99/max
    /// and throughput.
    /// </summary>
    internal static class EmulatorLoad
    {
        public static int Run(Uri endpointUri, int clients, int callsPerClient, string function)
        {
            var endpoint = FcEndpoint.FromUri(endpointUri);
            var credential = new FcCredential(
                Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_ID") ?? throw new InvalidOperationException("ALIBABA_CLOUD_ACCESS_KEY_ID is not set"),
                Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_SECRET") ?? throw new InvalidOperationException("ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"),
                null, null, "Environment");
            var accountId = Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCOUNT_ID");
            var latencies = new double[clients * callsPerClient];
            var statuses = new int[clients * callsPerClient];
            var wrong = 0;
            var transportErrors = 0;
            var start = new ManualResetEventSlim(false);
            var watch = new Stopwatch();

            var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                using (var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(120) })
                {
                    start.Wait();
                    for (int i = 0; i < callsPerClient; i++)
                    {
                        var slot = c * callsPerClient + i;
                        var payload = Encoding.UTF8.GetBytes($"client-{c}-call-{i}");
                        var spec = new FcInvocationSpec { Function = new FcFunctionRef(function, null, null), Body = FcRequestBody.FromBytes(payload) };
                        var call = Stopwatch.StartNew();
                        try
                        {
                            using (var message = FcRequestBuilder.Build(FcInvocation.BuildRequest(spec), endpoint, credential, accountId, DateTimeOffset.UtcNow, FcRequestBuilder.NewNonce()))
                            using (var response = await http.SendAsync(message).ConfigureAwait(false))
                            {
                                var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                                statuses[slot] = (int)response.StatusCode;
                                if ((int)response.StatusCode != 200 || !body.SequenceEqual(payload)) Interlocked.Increment(ref wrong);
                            }
                        }
                        catch (Exception ex) when (ex is HttpRequestException || ex is TaskCanceledException)
                        {
                            Interlocked.Increment(ref transportErrors);
                        }
                        latencies[slot] = call.Elapsed.TotalMilliseconds;
                    }
                }
            })).ToArray();

            watch.Start();
            start.Set();
            Task.WaitAll(workers);
            watch.Stop();

            var sorted = latencies.OrderBy(l => l).ToArray();
            double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
            var byStatus = statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"\"{g.Key}\":{g.Count()}");
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{{\"clients\":{0},\"callsPerClient\":{1},\"calls\":{2},\"statuses\":{{{3}}},\"wrongAnswers\":{4},\"transportErrors\":{5}," +
                "\"p50Ms\":{6:0.0},\"p90Ms\":{7:0.0},\"p99Ms\":{8:0.0},\"maxMs\":{9:0.0},\"elapsedS\":{10:0.00},\"callsPerS\":{11:0}}}",
                clients, callsPerClient, sorted.Length, string.Join(",", byStatus), wrong, transportErrors,
                Percentile(0.50), Percentile(0.90), Percentile(0.99), sorted[sorted.Length - 1],
                watch.Elapsed.TotalSeconds, sorted.Length / watch.Elapsed.TotalSeconds));
            return wrong == 0 && transportErrors == 0 ? 0 : 1;
        }
    }
}
