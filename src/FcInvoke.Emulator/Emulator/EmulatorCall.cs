using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>One HTTP exchange with the emulator: the request as received (raw path and query, for the signature) and the answer.</summary>
    internal sealed class EmulatorCall
    {
        private readonly HttpListenerContext _context;
        private readonly List<KeyValuePair<string, string>> _query;

        private readonly Action<EmulatorCall> _beforeResponse;
        private int _answered;

        /// <param name="beforeResponse">Runs once, just before the answer (or the dropped connection) reaches the client, so whatever
        /// it records is visible once the client has its answer.</param>
        public EmulatorCall(HttpListenerContext context, string requestId, Action<EmulatorCall> beforeResponse)
        {
            _beforeResponse = beforeResponse;
            _context = context;
            RequestId = requestId;
            var raw = context.Request.RawUrl ?? "/";
            var q = raw.IndexOf('?');
            Path = q < 0 ? raw : raw.Substring(0, q);
            Query = q < 0 ? string.Empty : raw.Substring(q + 1);
            Segments = Path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Select(s => PercentEncoding.Decode(s)).ToArray();
            _query = EmulatorAuthenticator.ParseQuery(Query);
        }

        public string RequestId { get; }
        public string Method => _context.Request.HttpMethod;
        public string Path { get; }
        public string Query { get; }
        public string[] Segments { get; }
        public NameValueCollection Headers => _context.Request.Headers;
        public byte[] Body { get; set; }
        /// <summary>API 2021-04-06: decides the error body shape and the task JSON shape.</summary>
        public bool IsV2 { get; set; }

        public string QueryValue(string name)
        {
            foreach (var q in _query) if (q.Key == name) return q.Value;
            return null;
        }

        /// <summary>The whole body, or null when it is larger than <paramref name="max"/>.</summary>
        public async Task<byte[]> ReadBodyAsync(long max)
        {
            var request = _context.Request;
            if (!request.HasEntityBody) return Array.Empty<byte>();
            if (request.ContentLength64 > max) return null;
            using (var ms = request.ContentLength64 > 0 ? new MemoryStream((int)request.ContentLength64) : new MemoryStream())
            {
                var buffer = new byte[81920];
                int n;
                while ((n = await request.InputStream.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
                {
                    if (ms.Length + n > max) return null;
                    ms.Write(buffer, 0, n);
                }
                return ms.Length == ms.Capacity ? ms.GetBuffer() : ms.ToArray();
            }
        }

        public int StatusCode { get; private set; }
        /// <summary>The fault injected into this exchange, if any.</summary>
        public FcEmulatorFault Fault { get; set; }

        private void Answered()
        {
            if (Interlocked.Exchange(ref _answered, 1) == 0) _beforeResponse?.Invoke(this);
        }

        /// <summary>Closes the connection without an answer (an injected fault); the journal shows status 0.</summary>
        public void Drop()
        {
            StatusCode = 0;
            Answered();
            // The managed HttpListener (Linux, macOS) answers an aborted response with an empty 200 before closing, so its
            // socket is reset directly; on Windows (http.sys) Abort itself resets the connection.
            var socket = ManagedSocket(_context);
            if (socket != null)
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (Exception) { /* already gone */ }
            }
            try { _context.Response.Abort(); } catch (Exception) { /* already gone */ }
        }

        private static readonly FieldInfo ContextConnection =
            typeof(HttpListenerContext).GetField("_connection", BindingFlags.NonPublic | BindingFlags.Instance);
        private static readonly FieldInfo ConnectionSocket =
            ContextConnection?.FieldType.GetField("_socket", BindingFlags.NonPublic | BindingFlags.Instance);

        private static Socket ManagedSocket(HttpListenerContext context)
        {
            try { return ConnectionSocket?.GetValue(ContextConnection.GetValue(context)) as Socket; }
            catch (Exception) { return null; }
        }

        public FcEmulatorRequest ToJournalEntry()
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string name in Headers.AllKeys)
            {
                var lower = name.ToLowerInvariant();
                headers[lower] = lower == "authorization" || lower == "x-acs-security-token" ? "<redacted>" : Headers[name];
            }
            return new FcEmulatorRequest(DateTimeOffset.Now, Method, PercentEncoding.Decode(Path), Query, headers, Body?.Length ?? 0, StatusCode, RequestId, Fault);
        }

        public void SetHeader(string name, string value) => _context.Response.Headers[name] = value;

        public async Task RespondAsync(int status, string contentType, byte[] body)
        {
            var response = _context.Response;
            response.StatusCode = status;
            StatusCode = status;
            response.Headers[FcHeaders.RequestId] = RequestId;
            if (contentType != null) response.ContentType = contentType;
            response.ContentLength64 = body.Length;
            Answered();
            if (body.Length > 0) await response.OutputStream.WriteAsync(body, 0, body.Length).ConfigureAwait(false);
            response.Close();
        }

        /// <summary>FC's error body: ErrorCode/ErrorMessage for 2021-04-06, Code/Message/RequestId for 2023-03-30.</summary>
        public Task ErrorAsync(EmulatorError error)
        {
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    if (IsV2)
                    {
                        w.WriteString("ErrorCode", error.Code);
                        w.WriteString("ErrorMessage", error.Message);
                    }
                    else
                    {
                        w.WriteString("Code", error.Code);
                        w.WriteString("Message", error.Message);
                        w.WriteString("RequestId", RequestId);
                    }
                    w.WriteEndObject();
                }
                return RespondAsync(error.Status, "application/json", stream.ToArray());
            }
        }
    }

    /// <summary>One request the emulator received, as its journal keeps it (no secrets).</summary>
    public sealed class FcEmulatorRequest
    {
        internal FcEmulatorRequest(DateTimeOffset time, string method, string path, string query, IDictionary<string, string> headers,
                                   long bodyLength, int statusCode, string requestId, FcEmulatorFault fault)
        {
            Time = time; Method = method; Path = path; Query = query; Headers = headers;
            BodyLength = bodyLength; StatusCode = statusCode; RequestId = requestId; Fault = fault;
        }

        public DateTimeOffset Time { get; }
        public string Method { get; }
        public string Path { get; }
        public string Query { get; }
        public IDictionary<string, string> Headers { get; }
        public long BodyLength { get; }
        public int StatusCode { get; }
        public string RequestId { get; }
        /// <summary>The fault injected into this request (None when it was answered normally); a dropped request has StatusCode 0.</summary>
        public FcEmulatorFault Fault { get; }

        public override string ToString() => $"{Method} {Path} -> {StatusCode}" + (Fault == FcEmulatorFault.None ? string.Empty : $" ({Fault})");
    }
}
