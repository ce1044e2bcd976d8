using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The emulator's HTTP/1.1 server on a loopback socket. It exists (instead of HttpListener) so that the emulator
    /// decides what happens to every connection: Stop resets them all at once rather than answering them an empty
    /// 200, a client leaving is noticed (FC's 499), a refused upload is never buffered, and any Host header is served.
    /// </summary>
    internal sealed class EmulatorHttpServer
    {
        private readonly Socket _listener;
        private readonly ConcurrentDictionary<EmulatorHttpConnection, bool> _connections = new ConcurrentDictionary<EmulatorHttpConnection, bool>();
        private int _stopping;

        private EmulatorHttpServer(Socket listener, Func<EmulatorHttpExchange, Task> handler)
        {
            _listener = listener;
            Handler = handler;
            Port = ((IPEndPoint)listener.LocalEndPoint).Port;
        }

        public int Port { get; }
        public Func<EmulatorHttpExchange, Task> Handler { get; }
        public bool IsStopping => Volatile.Read(ref _stopping) != 0;
        public int OpenConnections => _connections.Count;

        /// <summary>Listens on 127.0.0.1 (port 0: one the system picks); a port in use throws <see cref="SocketException"/>.</summary>
        public static EmulatorHttpServer Start(int port, Func<EmulatorHttpExchange, Task> handler)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen(512);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            var server = new EmulatorHttpServer(socket, handler);
            Task.Run(server.AcceptLoopAsync);
            return server;
        }

        /// <summary>Stops accepting and resets every open connection, answered or not, at once.</summary>
        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
            _listener.Close();
            foreach (var connection in _connections.Keys) connection.Abort();
        }

        internal void Forget(EmulatorHttpConnection connection) => _connections.TryRemove(connection, out _);

        private async Task AcceptLoopAsync()
        {
            while (!IsStopping)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException)
                {
                    if (IsStopping) return;
                    continue; // a connection that failed while being accepted; the next one is unaffected
                }
                if (_connections.Count >= EmulatorHttpLimits.MaxConnections)
                {
                    // Past the cap each connection would cost memory; refusing it (reset) keeps the emulator's footprint bounded.
                    client.LingerState = new LingerOption(true, 0);
                    client.Close();
                    continue;
                }
                var connection = new EmulatorHttpConnection(client, this);
                _connections[connection] = true;
                if (IsStopping) connection.Abort(); // Stop ran between the accept and the registration
                _ = Task.Run(connection.RunAsync);
            }
        }
    }

    /// <summary>One request and its answer, as the emulator's handlers see them. Valid until the request is answered.</summary>
    internal sealed class EmulatorHttpExchange
    {
        private readonly EmulatorHttpConnection _connection;
        private readonly int _serial;
        private readonly EmulatorHttpHead _head;

        public EmulatorHttpExchange(EmulatorHttpConnection connection, int serial, EmulatorHttpHead head)
        {
            _connection = connection;
            _serial = serial;
            _head = head;
        }

        public string Method => _head.Method;
        /// <summary>The raw path, percent-encoded as sent (what a signature covers).</summary>
        public string Path => _head.Path;
        /// <summary>The raw query string without '?', as sent.</summary>
        public string Query => _head.Query;
        public EmulatorHeaders Headers => _head.Headers;
        public bool HasBody => _head.HasBody;
        public long? ContentLength => _head.ContentLength;
        public bool IsAborted => _connection.IsAborted;
        public bool BodyComplete => _connection.BodyComplete(_serial);

        /// <summary>Cancelled when the client closes its connection while the request is handled (after its body was read).</summary>
        public CancellationToken ClientGone => _connection.ClientGone(_serial);

        /// <summary>Reads the next body bytes, 0 at the end; throws <see cref="EmulatorHttpException"/> for a malformed chunked body.</summary>
        public Task<int> ReadBodyAsync(byte[] buffer, int offset, int count) => _connection.ReadBodyAsync(_serial, buffer, offset, count);

        /// <summary>Writes the answer; false when the connection is gone.</summary>
        public Task<bool> SendAsync(int status, IEnumerable<KeyValuePair<string, string>> headers, byte[] body) =>
            _connection.SendAsync(_serial, status, headers, body);

        /// <summary>Resets the connection without an answer.</summary>
        public void Reset() => _connection.Abort();
    }
}
