using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>
    /// The one process-wide HttpClient. Its own timeout is infinite: each call bounds itself with a
    /// cancellation token (-TimeoutSec), because synchronous invocations may legitimately run for hours.
    /// </summary>
    internal static class FcHttp
    {
        public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

        /// <summary>At least Invoke-FcFunction's highest -ThrottleLimit, so fan-out is never queued inside the handler.</summary>
        public const int MaxConnectionsPerServer = 256;

        /// <summary>The most an STS or ECS metadata answer may have (they are a few KB).</summary>
        public const int CredentialAnswerLimit = 1024 * 1024;

        private static readonly Lazy<HttpClient> SharedClient = new Lazy<HttpClient>(Create, isThreadSafe: true);

        public static HttpClient Client => SharedClient.Value;

        private static HttpClient Create()
        {
            var client = new HttpClient(new LoopbackGuardHandler(new SingleAttemptHandler(CreateHandler())), disposeHandler: true)
            {
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
                // Only the credential sources (STS, ECS metadata) let HttpClient buffer an answer; theirs are a few KB.
                // FC answers are streamed by FcClient within each operation's own limit (FcResponseLimits).
                MaxResponseContentBufferSize = CredentialAnswerLimit,
            };
            return client;
        }

        /// <summary>
        /// On .NET (pwsh 7) the SocketsHttpHandler gives a connect timeout and pooled-connection lifetime;
        /// this assembly targets netstandard2.0, so it is configured by name. Where it does not exist (Windows PowerShell)
        /// the portable handler is used, and the connect timeout is the operating system's.
        /// </summary>
        private static HttpMessageHandler CreateHandler()
        {
            var socketsType = Type.GetType("System.Net.Http.SocketsHttpHandler, System.Net.Http", throwOnError: false);
            if (socketsType != null)
            {
                var handler = (HttpMessageHandler)Activator.CreateInstance(socketsType);
                Set(handler, "ConnectTimeout", DefaultConnectTimeout);
                // FC closes idle keep-alive connections after 90 s; retire ours first.
                Set(handler, "PooledConnectionIdleTimeout", TimeSpan.FromSeconds(50));
                Set(handler, "PooledConnectionLifetime", TimeSpan.FromMinutes(5));
                Set(handler, "AutomaticDecompression", DecompressionMethods.None);
                Set(handler, "UseProxy", true);
                // A redirect would be followed below the loopback guard; FC, STS and IMDS never redirect.
                Set(handler, "AllowAutoRedirect", false);
                return handler;
            }
            var portable = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false };
            // Windows PowerShell's default is 2 connections per host, which would cap -ThrottleLimit at 2.
            try { portable.MaxConnectionsPerServer = MaxConnectionsPerServer; }
            catch (PlatformNotSupportedException) { /* a platform without the setting has no such cap either */ }
            return portable;
        }

        /// <summary>Sets a property every SocketsHttpHandler has; a missing one is a bug to see, not to skip silently.</summary>
        private static void Set(object target, string property, object value) =>
            (target.GetType().GetProperty(property) ?? throw new MissingMemberException(target.GetType().FullName, property)).SetValue(target, value);
    }

    /// <summary>
    /// Makes the handler below send each request exactly once. SocketsHttpHandler resends a request that has no content
    /// (a GET, a body-less PUT) by itself, up to 3 more times, when the connection ends before any byte of the answer
    /// arrives (HttpConnection sets its retry flag only when <c>request.Content is null</c> or Expect: 100-continue is
    /// pending). Those hidden resends carry the same signature and nonce, which FC rejects, and they would bypass
    /// <see cref="FcRetryPolicy"/>. An empty body (Content-Length: 0, no Content-Type, so the ACS3 signature is unchanged)
    /// turns that behaviour off; <see cref="FcRetryPolicy"/> alone then decides whether a request is sent again, signed afresh.
    /// </summary>
    internal sealed class SingleAttemptHandler : DelegatingHandler
    {
        private static readonly byte[] Empty = new byte[0];

        public SingleAttemptHandler(HttpMessageHandler inner) : base(inner) { }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content == null) request.Content = new ByteArrayContent(Empty);
            // Never wait for "100 Continue": with it pending the handler would also resend on its own.
            request.Headers.ExpectContinue = false;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// With FCINVOKE_LOOPBACK_ONLY=true (the test suite sets it) every request to an address other than
    /// 127.0.0.0/8, ::1 or localhost is refused before a connection is opened: tests can never reach a cloud
    /// endpoint, the real STS host or the ECS metadata address 100.100.100.200.
    /// </summary>
    internal sealed class LoopbackGuardHandler : DelegatingHandler
    {
        public const string Variable = "FCINVOKE_LOOPBACK_ONLY";

        public LoopbackGuardHandler(HttpMessageHandler inner) : base(inner) { }

        public static bool Enabled
        {
            get
            {
                var value = Environment.GetEnvironmentVariable(Variable);
                return value != null && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
            }
        }

        public static bool IsLoopback(Uri uri)
        {
            var host = uri.IdnHost.Trim('[', ']');
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
            return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Enabled && !IsLoopback(request.RequestUri))
                throw new FcLoopbackViolationException(request.RequestUri);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
