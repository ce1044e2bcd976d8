using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FcBench
{
    /// <summary>
    /// A minimal FC-compatible loopback server for the benchmark: InvokeFunction for FC 3.0 and FC 2.0, no signature
    /// check, the request body echoed back. A function named sleep{N} answers after N ms, which is the fixed latency
    /// of the fan-out runs. /stats counts requests and the highest number in flight at once (proof of concurrency).
    /// Bound to 127.0.0.1 only.
    /// </summary>
    internal static class BenchServer
    {
        private static long _requests;
        private static int _inFlight;
        private static int _maxInFlight;

        public static int Run(int port)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Listen(System.Net.IPAddress.Loopback, port);
                k.Limits.MaxRequestBodySize = 64L * 1024 * 1024; // the 32 MB round trip, with room
                k.AddServerHeader = false;
            });
            var app = builder.Build();

            app.MapPost("/2023-03-30/functions/{function}/invocations", (HttpContext ctx, string function) => Invoke(ctx, function));
            app.MapPost("/2021-04-06/services/{service}/functions/{function}/invocations", (HttpContext ctx, string function) => Invoke(ctx, function));
            app.MapGet("/health", () => "ok");
            app.MapGet("/stats", () => $"{{\"requests\":{Interlocked.Read(ref _requests)},\"maxInFlight\":{Volatile.Read(ref _maxInFlight)}}}");
            app.MapPost("/stats/reset", () =>
            {
                Interlocked.Exchange(ref _requests, 0);
                Interlocked.Exchange(ref _maxInFlight, 0);
                return "ok";
            });
            app.MapPost("/shutdown", () =>
            {
                app.Lifetime.StopApplication();
                return "bye";
            });

            app.Start();
            // The driver reads this line to learn the port.
            Console.WriteLine("FcBench listening on " + string.Join(" ", app.Urls));
            Console.Out.Flush();
            app.WaitForShutdown();
            return 0;
        }

        private static async Task Invoke(HttpContext ctx, string function)
        {
            var id = Interlocked.Increment(ref _requests);
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
            try
            {
                var delay = DelayOf(function);
                if (delay > 0) await Task.Delay(delay);

                var response = ctx.Response;
                response.Headers["x-fc-request-id"] = id.ToString(CultureInfo.InvariantCulture);
                if (string.Equals(ctx.Request.Headers["x-fc-invocation-type"], "Async", StringComparison.OrdinalIgnoreCase))
                {
                    response.StatusCode = 202;
                    return;
                }
                // Like FC, the whole event is read before the function answers. (Echoing while still receiving would
                // deadlock an HTTP/1.1 client that sends the full body before it reads the response.)
                var body = await ReadBodyAsync(ctx.Request);
                response.StatusCode = 200;
                response.ContentType = "application/octet-stream";
                response.ContentLength = body.Length;
                await response.Body.WriteAsync(body);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
        {
            if (request.ContentLength is long length)
            {
                var buffer = new byte[length];
                int read = 0, n;
                while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read))) > 0) read += n;
                return read == buffer.Length ? buffer : buffer.AsSpan(0, read).ToArray();
            }
            using (var copy = new System.IO.MemoryStream())
            {
                await request.Body.CopyToAsync(copy);
                return copy.ToArray();
            }
        }

        private static int DelayOf(string function) =>
            function.StartsWith("sleep", StringComparison.Ordinal) &&
            int.TryParse(function.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
    }
}
