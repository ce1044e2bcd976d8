using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// What the emulator observed, for tests and users to assert on: the most recent requests (secrets redacted), the
    /// number of requests, and how often each function and each input ran.
    /// </summary>
    internal sealed class EmulatorJournal
    {
        public const int Capacity = 2000;
        public const int InputKeyMaxLength = 1024;
        /// <summary>Distinct inputs counted; past it new inputs are not counted, so the counts cannot grow without bound.</summary>
        public const int MaxCountedInputs = 100000;

        private readonly ConcurrentQueue<FcEmulatorRequest> _entries = new ConcurrentQueue<FcEmulatorRequest>();
        private readonly ConcurrentDictionary<string, long> _executions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, long> _inputExecutions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, long> _operations = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private long _requestCount;

        public EmulatorJournal(IEnumerable<string> functionKeys)
        {
            foreach (var key in functionKeys) _executions[key] = 0;
        }

        public long RequestCount => Interlocked.Read(ref _requestCount);

        public FcEmulatorRequest[] Entries => _entries.ToArray();

        public IDictionary<string, long> ExecutionCounts => new Dictionary<string, long>(_executions, StringComparer.Ordinal);

        public IDictionary<string, long> InputExecutionCounts => new Dictionary<string, long>(_inputExecutions, StringComparer.Ordinal);

        public void CountRequest() => Interlocked.Increment(ref _requestCount);

        /// <summary>Authenticated API requests per FC action (GetAsyncTask, ListStatefulAsyncInvocations, InvokeFunction, ...).</summary>
        public IDictionary<string, long> OperationCounts => new Dictionary<string, long>(_operations, StringComparer.Ordinal);

        public void CountOperation(string action) => _operations.AddOrUpdate(action, 1, (_, n) => n + 1);

        /// <summary>Keeps the entry, dropping the oldest beyond <see cref="Capacity"/>.</summary>
        public void Record(FcEmulatorRequest entry)
        {
            _entries.Enqueue(entry);
            while (_entries.Count > Capacity && _entries.TryDequeue(out _)) { }
        }

        /// <summary>Counts one run of a function for an input, before it starts (so a test waiting on the count sees a started run).</summary>
        public void CountExecution(string functionKey, string eventText)
        {
            _executions.AddOrUpdate(functionKey, 1, (_, n) => n + 1);
            var key = InputKey(eventText);
            if (_inputExecutions.ContainsKey(key) || _inputExecutions.Count < MaxCountedInputs)
                _inputExecutions.AddOrUpdate(key, 1, (_, n) => n + 1);
        }

        /// <summary>Forgets the journal and all counts.</summary>
        public void Reset()
        {
            while (_entries.TryDequeue(out _)) { }
            foreach (var key in _executions.Keys.ToList()) _executions[key] = 0;
            _inputExecutions.Clear();
            _operations.Clear();
            Interlocked.Exchange(ref _requestCount, 0);
        }

        /// <summary>Headers whose values are secrets: the journal keeps their names, not their values.</summary>
        public static bool IsSecretHeader(string lowerName) =>
            lowerName == "authorization" || lowerName == "proxy-authorization" || lowerName == "x-acs-security-token" || lowerName == "x-fc-security-token";

        /// <summary>The key of <see cref="InputExecutionCounts"/> for an event: its text, or "sha256:" and the hex SHA-256 of a long one.</summary>
        public static string InputKey(string eventText)
        {
            eventText = eventText ?? string.Empty;
            return eventText.Length <= InputKeyMaxLength ? eventText : "sha256:" + Acs3Signer.HexSha256(Encoding.UTF8.GetBytes(eventText));
        }
    }
}
