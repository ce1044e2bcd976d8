using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// One request at the FC level: the HTTP exchange plus what FC adds (request id, error shapes, the journal entry).
    /// Every call is journaled exactly once, just before its answer leaves, so a client that has its answer also sees
    /// the entry; a client that left is journaled as 499 (FC's ClientClosedRequest), a reset without answer as 0.
    /// </summary>
    internal sealed class EmulatorCall
    {
        private readonly EmulatorHttpExchange _http;
        private readonly EmulatorJournal _journal;
        private readonly List<KeyValuePair<string, string>> _responseHeaders = new List<KeyValuePair<string, string>>();
        private readonly Func<bool> _isStopping;
        private List<KeyValuePair<string, string>> _query;
        private IDisposable _bodyLease;
        private FcEmulatorRequest _entry;
        private int _answered;

        public EmulatorCall(EmulatorHttpExchange http, string requestId, EmulatorJournal journal, Func<bool> isStopping)
        {
            _http = http;
            RequestId = requestId;
            _journal = journal;
            _isStopping = isStopping;
            Segments = http.Path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Select(s => PercentEncoding.Decode(s)).ToArray();
        }

        public string RequestId { get; }
        public string Method => _http.Method;
        /// <summary>The path as sent (percent-encoded), what the signature covers.</summary>
        public string Path => _http.Path;
        public string Query => _http.Query;
        /// <summary>The path's segments, percent-decoded.</summary>
        public string[] Segments { get; }
        public EmulatorHeaders Headers => _http.Headers;
        public bool HasBody => _http.HasBody;
        public long? ContentLength => _http.ContentLength;
        public byte[] Body { get; set; }
        /// <summary>API 2021-04-06: decides the error body shape and the JSON shapes.</summary>
        public bool IsV2 { get; set; }
        /// <summary>The qualifier the request named (LATEST when none), once the router checked it.</summary>
        public string Qualifier { get; set; } = "LATEST";
        /// <summary>The version the qualifier resolved to: what x-fc-invocation-service-version reports.</summary>
        public string Version { get; set; } = "LATEST";
        /// <summary>The fault injected into this exchange, if any.</summary>
        public FcEmulatorFault Fault { get; set; }
        /// <summary>What the function run by this request did (Succeeded, Failed, Stopped); null when none ran.</summary>
        public string FunctionOutcome { get; set; }
        public int StatusCode { get; private set; }
        public bool IsAnswered => Volatile.Read(ref _answered) != 0;
        /// <summary>Cancelled when the client leaves while its request is handled.</summary>
        public CancellationToken ClientGone => _http.ClientGone;

        public List<KeyValuePair<string, string>> QueryPairs => _query ?? (_query = PercentEncoding.ParseQuery(Query));

        public string QueryValue(string name)
        {
            foreach (var q in QueryPairs) if (q.Key == name) return q.Value;
            return null;
        }

        public Task<int> ReadBodyAsync(byte[] buffer, int offset, int count) => _http.ReadBodyAsync(buffer, offset, count);

        /// <summary>Keeps a body's memory reservation until the call is answered.</summary>
        public void HoldBody(IDisposable lease) => _bodyLease = lease;

        public void SetHeader(string name, string value)
        {
            _responseHeaders.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
            _responseHeaders.Add(new KeyValuePair<string, string>(name, value));
        }

        public async Task RespondAsync(int status, string contentType, byte[] body)
        {
            if (Interlocked.Exchange(ref _answered, 1) != 0) throw new InvalidOperationException("The request was already answered.");
            try
            {
                if (_http.IsAborted) { Record(0); return; }
                if (ClientGone.IsCancellationRequested) { Record(499); return; }
                var headers = new List<KeyValuePair<string, string>>(_responseHeaders.Count + 2)
                {
                    new KeyValuePair<string, string>(FcHeaders.RequestId, RequestId),
                };
                if (contentType != null) headers.Add(new KeyValuePair<string, string>("Content-Type", contentType));
                headers.AddRange(_responseHeaders);
                Record(status);
                if (!await _http.SendAsync(status, headers, body ?? Array.Empty<byte>()).ConfigureAwait(false))
                    _entry.StatusCode = _isStopping() ? 0 : 499;
            }
            finally
            {
                ReleaseBody();
            }
        }

        /// <summary>FC's error body: ErrorCode/ErrorMessage for 2021-04-06, Code/Message/RequestId for 2023-03-30.</summary>
        public Task ErrorAsync(EmulatorError error) => RespondAsync(error.Status, "application/json", EmulatorJson.Write(w =>
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
        }));

        /// <summary>Closes the connection without an answer (an injected fault); the journal shows status 0.</summary>
        public void Drop()
        {
            if (Interlocked.Exchange(ref _answered, 1) != 0) throw new InvalidOperationException("The request was already answered.");
            Record(0);
            _http.Reset();
            ReleaseBody();
        }

        /// <summary>Journals a request that can no longer be answered: 499 when the client left, 0 when the emulator reset it.</summary>
        public void RecordUnanswered()
        {
            if (Interlocked.Exchange(ref _answered, 1) != 0) return;
            Record(_http.IsAborted || _isStopping() ? 0 : 499);
            _http.Reset();
            ReleaseBody();
        }

        private void ReleaseBody()
        {
            _bodyLease?.Dispose();
            _bodyLease = null;
        }

        private void Record(int status)
        {
            StatusCode = status;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in Headers)
            {
                var lower = h.Key.ToLowerInvariant();
                headers[lower] = EmulatorJournal.IsSecretHeader(lower) ? "<redacted>"
                                 : headers.TryGetValue(lower, out var earlier) ? earlier + "," + h.Value : h.Value;
            }
            _entry = new FcEmulatorRequest(DateTimeOffset.Now, Method, PercentEncoding.Decode(Path), Query, headers, Body?.Length ?? 0,
                                           status, RequestId, Fault, FunctionOutcome);
            _journal.Record(_entry);
        }
    }

    /// <summary>One request the emulator received, as its journal keeps it (no secrets).</summary>
    public sealed class FcEmulatorRequest
    {
        internal FcEmulatorRequest(DateTimeOffset time, string method, string path, string query, IDictionary<string, string> headers,
                                   long bodyLength, int statusCode, string requestId, FcEmulatorFault fault, string functionOutcome)
        {
            Time = time; Method = method; Path = path; Query = query; Headers = headers;
            BodyLength = bodyLength; StatusCode = statusCode; RequestId = requestId; Fault = fault; FunctionOutcome = functionOutcome;
        }

        public DateTimeOffset Time { get; }
        public string Method { get; }
        public string Path { get; }
        public string Query { get; }
        /// <summary>The request headers, names lower-case; Authorization and security tokens read "&lt;redacted&gt;".</summary>
        public IDictionary<string, string> Headers { get; }
        /// <summary>Body bytes read (a request refused from its headers reads none).</summary>
        public long BodyLength { get; }
        /// <summary>The status answered; 499 when the client left before its answer (FC's ClientClosedRequest), 0 when none was sent (a drop fault, Stop-FcEmulator).</summary>
        public int StatusCode { get; internal set; }
        public string RequestId { get; }
        /// <summary>The fault injected into this request (None when it was answered normally).</summary>
        public FcEmulatorFault Fault { get; }
        /// <summary>What the function this request ran did: Succeeded, Failed or Stopped; empty when it ran none (or queued an async task).</summary>
        public string FunctionOutcome { get; }

        public override string ToString() => $"{Method} {Path} -> {StatusCode}" + (Fault == FcEmulatorFault.None ? string.Empty : $" ({Fault})");
    }
}
