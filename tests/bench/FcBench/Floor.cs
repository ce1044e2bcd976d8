using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcBench
{
    /// <summary>
    /// The floor of the sequential benchmark: what any client must do per call, with nothing else. Each call builds
    /// and signs the request with the module's own code (FcInvocation.BuildRequest, FcRequestBuilder.Build: fresh
    /// date, nonce, body hash and signature, exactly the bytes Invoke-FcFunction sends) and sends it with a plain
    /// HttpClient, reading the whole answer. No PowerShell, no retries, no result object.
    /// Prints one JSON line per timed run: {"calls":N,"elapsedMs":T,"perCallUs":U}.
    /// </summary>
    internal static class Floor
    {
        public static int Run(Uri endpointUri, int calls, int warmup, int warmupMs, string function, string service, string payload)
        {
            var endpoint = FcEndpoint.FromUri(endpointUri);
            var credential = new FcCredential(
                Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_ID") ?? "bench-key-id",
                Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_SECRET") ?? "bench-key-secret",
                null, null, "Environment");
            var accountId = Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCOUNT_ID");
            var function_ = new FcFunctionRef(function, service, null);
            var payloadBytes = Encoding.UTF8.GetBytes(payload);

            using (var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) })
            {
                // Warm up by count and by time: tiered JIT needs a while (seconds on a busy 2-core box) before the code
                // is at steady state, and steady state is what the floor stands for.
                var warming = Stopwatch.StartNew();
                do RunCalls(http, endpoint, credential, accountId, function_, payloadBytes, Math.Max(1, warmup)).GetAwaiter().GetResult();
                while (warming.ElapsedMilliseconds < warmupMs);

                // calls > 0: one timed run. calls = 0: a long-lived floor the driver times repeatedly, interleaved with
                // the other variants; each stdin line is a number of calls, each answer one JSON line; EOF ends it.
                if (calls > 0) { Report(Time(http, endpoint, credential, accountId, function_, payloadBytes, calls), calls); return 0; }
                Console.WriteLine("{\"ready\":true}");
                string line;
                while ((line = Console.ReadLine()) != null)
                {
                    if (!int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0) continue;
                    Report(Time(http, endpoint, credential, accountId, function_, payloadBytes, n), n);
                }
            }
            return 0;
        }

        private static TimeSpan Time(HttpClient http, FcEndpoint endpoint, FcCredential credential, string accountId,
                                     FcFunctionRef function, byte[] payload, int calls)
        {
            var watch = Stopwatch.StartNew();
            RunCalls(http, endpoint, credential, accountId, function, payload, calls).GetAwaiter().GetResult();
            return watch.Elapsed;
        }

        private static void Report(TimeSpan elapsed, int calls)
        {
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{{\"calls\":{0},\"elapsedMs\":{1:0.###},\"perCallUs\":{2:0.###}}}",
                calls, elapsed.TotalMilliseconds, elapsed.TotalMilliseconds * 1000 / calls));
            Console.Out.Flush();
        }

        private static async Task RunCalls(HttpClient http, FcEndpoint endpoint, FcCredential credential, string accountId,
                                           FcFunctionRef function, byte[] payload, int calls)
        {
            for (int i = 0; i < calls; i++)
            {
                var spec = new FcInvocationSpec { Function = function, Body = FcRequestBody.FromBytes(payload) };
                var request = FcInvocation.BuildRequest(spec);
                using (var message = FcRequestBuilder.Build(request, endpoint, credential, accountId, DateTimeOffset.UtcNow, FcRequestBuilder.NewNonce()))
                using (var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false))
                {
                    var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    if ((int)response.StatusCode != 200 || body.Length != payload.Length)
                        throw new InvalidOperationException($"call {i}: HTTP {(int)response.StatusCode}, {body.Length} bytes back");
                }
            }
        }
    }
}
