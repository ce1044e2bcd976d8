using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>The HTTP side of the emulator: a listener on 127.0.0.1, its accept loop, and one <see cref="EmulatorCall"/> per request.</summary>
    internal sealed class EmulatorListener
    {
        private readonly HttpListener _listener;
        private readonly Func<EmulatorCall, Task> _route;
        private readonly EmulatorJournal _journal;
        private readonly EmulatorRequestIds _requestIds = new EmulatorRequestIds();
        private readonly CancellationToken _shutdown;

        private EmulatorListener(HttpListener listener, int port, Func<EmulatorCall, Task> route, EmulatorJournal journal, CancellationToken shutdown)
        {
            _listener = listener;
            Port = port;
            _route = route;
            _journal = journal;
            _shutdown = shutdown;
        }

        public int Port { get; }

        /// <summary>Starts listening on 127.0.0.1; port 0 picks a free port.</summary>
        public static EmulatorListener Start(int port, Func<EmulatorCall, Task> route, EmulatorJournal journal, CancellationToken shutdown)
        {
            for (int attempt = 0; ; attempt++)
            {
                var chosen = port != 0 ? port : FreePort();
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{chosen}/");
                try
                {
                    listener.Start();
                }
                catch (HttpListenerException) when (port == 0 && attempt < 5)
                {
                    listener.Close();
                    continue; // the free port was taken in between; pick another
                }
                var started = new EmulatorListener(listener, chosen, route, journal, shutdown);
                Task.Run(started.AcceptLoopAsync);
                return started;
            }
        }

        public void Stop()
        {
            try { _listener.Stop(); } catch (ObjectDisposedException) { /* already closed */ }
            _listener.Close();
        }

        private async Task AcceptLoopAsync()
        {
            while (!_shutdown.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_shutdown.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    continue;
                }
                _ = Task.Run(() => HandleAsync(context));
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            _journal.CountRequest();
            var call = new EmulatorCall(context, _requestIds.Next(), c => _journal.Record(c.ToJournalEntry()));
            try
            {
                await _route(call).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && _shutdown.IsCancellationRequested))
            {
                try { await call.ErrorAsync(new EmulatorError(500, "InternalServerError", "an internal error has occurred. Please retry. (" + ex.GetType().Name + ")")).ConfigureAwait(false); }
                catch (Exception) { /* the connection is gone */ }
            }
            catch (Exception)
            {
                try { context.Response.Abort(); } catch (Exception) { /* the connection is already gone */ }
            }
        }

        private static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            try { return ((IPEndPoint)probe.LocalEndpoint).Port; }
            finally { probe.Stop(); }
        }
    }
}
