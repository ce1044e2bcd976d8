using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// Turns each HTTP exchange into an <see cref="EmulatorCall"/> (request id, journal) and sees that it is answered:
    /// a client that left mid-request is journaled as 499, and an emulator bug as FC's 500, never a silent drop.
    /// </summary>
    internal sealed class EmulatorListener
    {
        private readonly EmulatorHttpServer _server;
        private readonly Func<EmulatorCall, Task> _route;
        private readonly EmulatorJournal _journal;
        private readonly EmulatorRequestIds _requestIds = new EmulatorRequestIds();
        private readonly CancellationToken _shutdown;

        private EmulatorListener(int port, Func<EmulatorCall, Task> route, EmulatorJournal journal, CancellationToken shutdown)
        {
            _route = route;
            _journal = journal;
            _shutdown = shutdown;
            _server = EmulatorHttpServer.Start(port, HandleAsync);
        }

        public int Port => _server.Port;
        public int OpenConnections => _server.OpenConnections;

        /// <summary>Starts listening on 127.0.0.1; port 0 picks a free port. A port in use throws a SocketException.</summary>
        public static EmulatorListener Start(int port, Func<EmulatorCall, Task> route, EmulatorJournal journal, CancellationToken shutdown) =>
            new EmulatorListener(port, route, journal, shutdown);

        /// <summary>Stops listening and resets every connection (a request in flight gets no answer, never a false success).</summary>
        public void Stop() => _server.Stop();

        private async Task HandleAsync(EmulatorHttpExchange exchange)
        {
            _journal.CountRequest();
            var call = new EmulatorCall(exchange, _requestIds.Next(), _journal, () => _shutdown.IsCancellationRequested);
            try
            {
                await _route(call).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && _shutdown.IsCancellationRequested))
            {
                call.RecordUnanswered(); // the client left mid-request (499), or Stop reset it (0)
            }
            catch (Exception ex)
            {
                // An emulator bug. Answered already, the client has its answer and nothing more can be said to it.
                if (!call.IsAnswered)
                    await call.ErrorAsync(new EmulatorError(500, "InternalServerError", "an internal error has occurred. Please retry. (" + ex.GetType().Name + ")")).ConfigureAwait(false);
            }
            if (!call.IsAnswered) call.RecordUnanswered();
        }
    }
}
