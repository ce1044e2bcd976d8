// Longer than most files here (about 500 lines) because it is one state machine: the request head, both body framings,
// the response, keep-alive, the read that notices a client leaving, and the bounded drain must share one buffer and one
// timer, and splitting them would spread that shared state over several classes.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>Limits of the emulator's HTTP server; each keeps one misbehaving client from holding memory or a connection.</summary>
    internal static class EmulatorHttpLimits
    {
        /// <summary>Request line and headers together; also the size of each connection's read buffer.</summary>
        public const int MaxHeadBytes = 16 * 1024;
        public const int MaxConnections = 1000;
        /// <summary>What is read and thrown away of a refused request's body before the connection is closed.</summary>
        public const long MaxDrainBytes = 1024 * 1024;
        public static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(2);
        /// <summary>FC keeps idle keep-alive connections for 90 s (fc-protocol.md §2.6); so does the emulator.</summary>
        public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(90);
        /// <summary>Longest wait for the next bytes of a request head or body, or for a response write to progress.</summary>
        public static readonly TimeSpan TransferTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>A request the emulator cannot parse: answered 400 and the connection closed.</summary>
    internal sealed class EmulatorHttpException : Exception
    {
        public EmulatorHttpException(string message) : base(message) { }
    }

    /// <summary>
    /// One client connection: reads requests one after another (keep-alive), hands each to the server's handler as an
    /// <see cref="EmulatorHttpExchange"/>, and writes the answer. Bodies are read only when the handler asks, so a request
    /// refused from its headers costs no memory; its body is drained (bounded) or the connection closed.
    /// </summary>
    internal sealed class EmulatorHttpConnection
    {
        private static readonly byte[] Continue100 = Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n");

        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly EmulatorHttpServer _server;
        private readonly byte[] _buffer = new byte[EmulatorHttpLimits.MaxHeadBytes];
        private readonly Timer _timer;
        private int _start, _end;
        private int _aborted;
        private volatile bool _peerClosed;
        /// <summary>A read started once a request's body is complete: it learns that the client left while the request is handled.</summary>
        private Task<int> _watch;

        // The request being handled.
        private EmulatorHttpHead _head;
        private int _serial;
        private long _bodyRemaining, _chunkRemaining;
        private bool _chunkDataEnded, _bodyComplete, _continueSent, _responseStarted, _closeAfterResponse;
        private volatile CancellationTokenSource _clientGone = new CancellationTokenSource();

        public EmulatorHttpConnection(Socket socket, EmulatorHttpServer server)
        {
            _socket = socket;
            _socket.NoDelay = true; // answers are written in one go; Nagle would only delay them
            _stream = new NetworkStream(socket, ownsSocket: false);
            _server = server;
            _timer = new Timer(_ => Abort(), null, Timeout.Infinite, Timeout.Infinite);
        }

        public bool IsAborted => Volatile.Read(ref _aborted) != 0;

        public async Task RunAsync()
        {
            try
            {
                while (!IsAborted)
                {
                    EmulatorHttpHead head;
                    try
                    {
                        head = await ReadHeadAsync().ConfigureAwait(false);
                    }
                    catch (EmulatorHttpException ex)
                    {
                        await RefuseMalformedAsync(ex.Message).ConfigureAwait(false);
                        return;
                    }
                    if (head == null) return;
                    if (!await HandleAsync(head).ConfigureAwait(false)) return;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                // The client left or the connection was reset (Stop, a drop fault, a timeout): nothing is left to answer.
            }
            finally
            {
                Close();
                _server.Forget(this);
            }
        }

        /// <summary>Handles one request; false when the connection must close afterwards.</summary>
        private async Task<bool> HandleAsync(EmulatorHttpHead head)
        {
            _head = head;
            _serial++;
            _bodyRemaining = head.ContentLength ?? 0;
            _chunkRemaining = 0;
            _chunkDataEnded = _continueSent = _responseStarted = _closeAfterResponse = false;
            _bodyComplete = false;
            _clientGone = new CancellationTokenSource();
            if (!head.HasBody) OnBodyComplete();

            await _server.Handler(new EmulatorHttpExchange(this, _serial, head)).ConfigureAwait(false);
            if (IsAborted) return false;
            if (!_responseStarted)
            {
                // The handler always answers (EmulatorListener turns its failures into FC errors); should it not, the client
                // gets a reset rather than a connection that waits forever.
                Abort();
                return false;
            }
            if (!_closeAfterResponse) return true;
            if (!_bodyComplete && !(head.ExpectContinue && !_continueSent)) await DrainAsync().ConfigureAwait(false);
            return false;
        }

        // ---- Reading ----------------------------------------------------------------------------------------------

        private async Task<EmulatorHttpHead> ReadHeadAsync()
        {
            int scanned = _start;
            while (true)
            {
                while (_start < _end && (_buffer[_start] == '\r' || _buffer[_start] == '\n')) _start++; // stray CRLF between requests
                scanned = Math.Max(scanned, _start);
                var end = IndexOf(_buffer, scanned, _end, HeadEnd);
                if (end >= 0)
                {
                    var head = EmulatorHttpHead.Parse(_buffer, _start, end - _start, out var problem);
                    _start = end + HeadEnd.Length;
                    if (head == null) throw new EmulatorHttpException(problem);
                    return head;
                }
                if (_end - _start >= _buffer.Length) throw new EmulatorHttpException($"the request head is larger than {EmulatorHttpLimits.MaxHeadBytes} bytes");
                bool idle = _start == _end;
                var n = await ReceiveAsync(idle ? EmulatorHttpLimits.IdleTimeout : EmulatorHttpLimits.TransferTimeout).ConfigureAwait(false);
                if (n == 0)
                {
                    if (idle) return null; // the client closed a keep-alive connection between requests
                    throw new IOException("The client closed the connection in the middle of a request head.");
                }
                scanned = _start; // the buffer may have been compacted: scan the head again from its start
            }
        }

        private static readonly byte[] HeadEnd = { (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n' };
        private static readonly byte[] LineEnd = { (byte)'\r', (byte)'\n' };

        /// <summary>Reads body bytes for the current request (0 at its end); sends "100 Continue" first when the client waits for it.</summary>
        internal async Task<int> ReadBodyAsync(int serial, byte[] destination, int offset, int count)
        {
            CheckSerial(serial);
            if (_bodyComplete || count == 0) return 0;
            if (_head.ExpectContinue && !_continueSent)
            {
                _continueSent = true;
                await WriteAsync(Continue100, 0, Continue100.Length).ConfigureAwait(false);
            }
            if (!_head.IsChunked)
            {
                var n = await ReadSomeAsync(destination, offset, (int)Math.Min(count, _bodyRemaining)).ConfigureAwait(false);
                _bodyRemaining -= n;
                if (_bodyRemaining == 0) OnBodyComplete();
                return n;
            }
            while (_chunkRemaining == 0)
            {
                if (_chunkDataEnded)
                {
                    if ((await ReadLineAsync(2).ConfigureAwait(false)).Length != 0) throw new EmulatorHttpException("a chunk is longer than its declared size");
                    _chunkDataEnded = false;
                }
                var line = await ReadLineAsync(1024).ConfigureAwait(false);
                var semicolon = line.IndexOf(';');
                var sizeText = (semicolon < 0 ? line : line.Substring(0, semicolon)).Trim();
                if (sizeText.Length == 0 || sizeText.Length > 15 ||
                    !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
                    throw new EmulatorHttpException("a chunk size is not valid");
                if (size == 0)
                {
                    while ((await ReadLineAsync(EmulatorHttpLimits.MaxHeadBytes).ConfigureAwait(false)).Length != 0) { } // trailers are ignored
                    OnBodyComplete();
                    return 0;
                }
                _chunkRemaining = size;
            }
            var m = await ReadSomeAsync(destination, offset, (int)Math.Min(count, _chunkRemaining)).ConfigureAwait(false);
            _chunkRemaining -= m;
            if (_chunkRemaining == 0) _chunkDataEnded = true;
            return m;
        }

        private async Task<int> ReadSomeAsync(byte[] destination, int offset, int count)
        {
            while (true)
            {
                if (_end > _start)
                {
                    var available = Math.Min(count, _end - _start);
                    Buffer.BlockCopy(_buffer, _start, destination, offset, available);
                    _start += available;
                    return available;
                }
                if (_watch == null && count >= _buffer.Length / 2)
                {
                    // Large reads go straight into the caller's array; the connection buffer is for heads and chunk lines.
                    _start = _end = 0;
                    Arm(EmulatorHttpLimits.TransferTimeout);
                    int direct;
                    try { direct = await _stream.ReadAsync(destination, offset, count).ConfigureAwait(false); }
                    finally { Disarm(); }
                    if (direct == 0) throw new IOException("The client closed the connection in the middle of a request body.");
                    return direct;
                }
                if (await ReceiveAsync(EmulatorHttpLimits.TransferTimeout).ConfigureAwait(false) == 0)
                    throw new IOException("The client closed the connection in the middle of a request body.");
            }
        }

        private async Task<string> ReadLineAsync(int max)
        {
            while (true)
            {
                var end = IndexOf(_buffer, _start, _end, LineEnd);
                if (end >= 0)
                {
                    var line = EmulatorHttpHead.Latin1(_buffer, _start, end - _start);
                    _start = end + 2;
                    return line;
                }
                if (_end - _start > max) throw new EmulatorHttpException("a chunk line is too long");
                if (await ReceiveAsync(EmulatorHttpLimits.TransferTimeout).ConfigureAwait(false) == 0)
                    throw new IOException("The client closed the connection in the middle of a request body.");
            }
        }

        /// <summary>
        /// Reads more bytes into the buffer: the pending watch read if there is one (at most one read is ever pending, and
        /// the buffer is only compacted when none is); 0 when the client closed.
        /// </summary>
        private async Task<int> ReceiveAsync(TimeSpan timeout)
        {
            var pending = _watch;
            _watch = null;
            if (pending == null)
            {
                if (_peerClosed) return 0;
                Compact();
                if (_end == _buffer.Length) throw new EmulatorHttpException($"a request line or head is larger than {EmulatorHttpLimits.MaxHeadBytes} bytes");
                pending = ReceiveIntoBufferAsync();
            }
            Arm(timeout);
            try { return await pending.ConfigureAwait(false); }
            finally { Disarm(); }
        }

        private async Task<int> ReceiveIntoBufferAsync()
        {
            var n = await _stream.ReadAsync(_buffer, _end, _buffer.Length - _end).ConfigureAwait(false);
            _end += n;
            if (n == 0) _peerClosed = true;
            return n;
        }

        /// <summary>
        /// The body is read: from now on a read that ends (0 bytes or an error) means the client left while its request
        /// is handled (FC journals that as 499). Bytes it brings belong to the next request and stay in the buffer.
        /// </summary>
        private void OnBodyComplete()
        {
            _bodyComplete = true;
            if (_watch != null && !_watch.IsCompleted) return; // the read already pending watches this request too
            _watch = null;
            if (_peerClosed) { _clientGone.Cancel(); return; }
            Compact();
            if (_end == _buffer.Length) return; // a client that pipelined a whole buffer is not watched
            _watch = WatchAsync();
        }

        /// <summary>Signals whichever request is being handled when the read ends, so a watch that outlives its request still counts.</summary>
        private async Task<int> WatchAsync()
        {
            int n;
            try { n = await ReceiveIntoBufferAsync().ConfigureAwait(false); }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                _peerClosed = true;
                n = 0;
            }
            if (n == 0) _clientGone.Cancel();
            return n;
        }

        private void Compact()
        {
            if (_start == 0) return;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        private static int IndexOf(byte[] buffer, int from, int to, byte[] pattern)
        {
            for (int i = from; i <= to - pattern.Length; i++)
            {
                int j = 0;
                while (j < pattern.Length && buffer[i + j] == pattern[j]) j++;
                if (j == pattern.Length) return i;
            }
            return -1;
        }

        /// <summary>Reads and throws away what is left of a refused request's body (bounded), so the client can read the answer.</summary>
        private async Task DrainAsync()
        {
            var scratch = new byte[8192];
            long drained = 0;
            var deadline = DateTime.UtcNow + EmulatorHttpLimits.DrainTime;
            try
            {
                while (!_bodyComplete && drained < EmulatorHttpLimits.MaxDrainBytes && DateTime.UtcNow < deadline)
                    drained += await ReadBodyAsync(_serial, scratch, 0, scratch.Length).ConfigureAwait(false);
            }
            catch (EmulatorHttpException)
            {
                // A malformed body of a refused request: it is closed below all the same.
            }
            if (!_bodyComplete) Abort(); // too much left: reset rather than read it all
        }

        // ---- Answering ---------------------------------------------------------------------------------------------

        /// <summary>Writes the answer to the current request; false when the connection is gone. HEAD answers carry no body.</summary>
        internal async Task<bool> SendAsync(int serial, int status, IEnumerable<KeyValuePair<string, string>> headers, byte[] body)
        {
            CheckSerial(serial);
            if (_responseStarted) throw new InvalidOperationException("The request was already answered.");
            _responseStarted = true;
            if (IsAborted) return false;
            _closeAfterResponse = !_head.KeepAlive || !_bodyComplete || _server.IsStopping;
            var withBody = _head.Method != "HEAD";
            var head = new StringBuilder(256);
            head.Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrase(status)).Append("\r\n");
            foreach (var h in headers) AppendHeader(head, h.Key, h.Value);
            AppendHeader(head, "Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
            AppendHeader(head, "Date", DateTime.UtcNow.ToString("r", CultureInfo.InvariantCulture));
            AppendHeader(head, "Connection", _closeAfterResponse ? "close" : "keep-alive");
            head.Append("\r\n");
            var headBytes = Encoding.ASCII.GetBytes(head.ToString());
            try
            {
                if (withBody && body.Length > 0 && body.Length <= 64 * 1024)
                {
                    var one = new byte[headBytes.Length + body.Length];
                    Buffer.BlockCopy(headBytes, 0, one, 0, headBytes.Length);
                    Buffer.BlockCopy(body, 0, one, headBytes.Length, body.Length);
                    await WriteAsync(one, 0, one.Length).ConfigureAwait(false);
                }
                else
                {
                    await WriteAsync(headBytes, 0, headBytes.Length).ConfigureAwait(false);
                    if (withBody && body.Length > 0) await WriteAsync(body, 0, body.Length).ConfigureAwait(false);
                }
                return true;
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                Abort();
                return false;
            }
        }

        private static void AppendHeader(StringBuilder head, string name, string value)
        {
            foreach (var c in name + value)
                if (c < ' ' || c > '~') throw new ArgumentException($"The response header '{name}' has a character HTTP headers cannot carry.");
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        private async Task WriteAsync(byte[] data, int offset, int count)
        {
            Arm(EmulatorHttpLimits.TransferTimeout);
            try { await _stream.WriteAsync(data, offset, count).ConfigureAwait(false); }
            finally { Disarm(); }
        }

        private async Task RefuseMalformedAsync(string problem)
        {
            _head = null;
            _responseStarted = false;
            var body = Encoding.UTF8.GetBytes("{\"Code\":\"InvalidArgument\",\"Message\":" + EmulatorJson.Quote("malformed HTTP request: " + problem) + "}");
            var headers = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
                          body.Length.ToString(CultureInfo.InvariantCulture) + "\r\nConnection: close\r\n\r\n";
            var bytes = Encoding.ASCII.GetBytes(headers);
            try
            {
                await WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
                await WriteAsync(body, 0, body.Length).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                // The client of a malformed request is gone too: nothing more to tell it.
            }
        }

        internal CancellationToken ClientGone(int serial)
        {
            CheckSerial(serial);
            return _clientGone.Token;
        }

        internal bool BodyComplete(int serial)
        {
            CheckSerial(serial);
            return _bodyComplete;
        }

        private void CheckSerial(int serial)
        {
            if (serial != _serial) throw new InvalidOperationException("The request this exchange belonged to is over.");
        }

        // ---- Closing -----------------------------------------------------------------------------------------------

        /// <summary>Resets the connection (RST, no answer): for Stop, drop faults and timeouts.</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
            try { _socket.LingerState = new LingerOption(true, 0); }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException) { /* already closed: nothing to reset */ }
            _socket.Close();
            _timer.Dispose();
        }

        private void Close()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
            try { _socket.Shutdown(SocketShutdown.Both); }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException) { /* the peer already reset it */ }
            _socket.Close();
            _timer.Dispose();
        }

        private void Arm(TimeSpan timeout)
        {
            try { _timer.Change(timeout, Timeout.InfiniteTimeSpan); }
            catch (ObjectDisposedException) { /* aborted: the pending operation fails on its own */ }
        }

        private void Disarm()
        {
            try { _timer.Change(Timeout.Infinite, Timeout.Infinite); }
            catch (ObjectDisposedException) { /* aborted already */ }
        }

        private static string ReasonPhrase(int status)
        {
            switch (status)
            {
                case 200: return "OK";
                case 201: return "Created";
                case 202: return "Accepted";
                case 204: return "No Content";
                case 400: return "Bad Request";
                case 401: return "Unauthorized";
                case 403: return "Forbidden";
                case 404: return "Not Found";
                case 405: return "Method Not Allowed";
                case 409: return "Conflict";
                case 413: return "Payload Too Large";
                case 429: return "Too Many Requests";
                case 500: return "Internal Server Error";
                case 502: return "Bad Gateway";
                case 503: return "Service Unavailable";
                default: return "Status";
            }
        }
    }
}
