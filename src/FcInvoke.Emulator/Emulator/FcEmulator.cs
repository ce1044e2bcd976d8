using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// A local Function Compute: a loopback HTTP server speaking the FC invoke and async-task APIs of 2021-04-06 and
    /// 2023-03-30, verifying ACS3 signatures, and running PowerShell script blocks as functions. This class is the
    /// public face and the lifecycle; the work is done by the components it wires together in its constructor.
    /// </summary>
    public sealed class FcEmulator : IDisposable
    {
        private static readonly ConcurrentDictionary<int, FcEmulator> Running = new ConcurrentDictionary<int, FcEmulator>();

        private readonly CancellationTokenSource _shutdown = new CancellationTokenSource();
        private readonly EmulatorFunctions _functions;
        private readonly EmulatorFunctionHost _host;
        private readonly EmulatorAuthenticator _auth = new EmulatorAuthenticator();
        private readonly EmulatorJournal _journal;
        private readonly EmulatorFaultInjector _faults;
        private readonly EmulatorListener _listener;
        private readonly SecureString _secret;
        private int _stopped;

        private FcEmulator(int port, IDictionary<string, string> functions, int maxConcurrency,
                           IDictionary<string, string[]> aliases, FcEmulatorFaults faults)
        {
            AccountId = EmulatorKeyGenerator.AccountId();
            AccessKeyId = EmulatorKeyGenerator.AccessKeyId();
            var secret = EmulatorKeyGenerator.AccessKeySecret();
            _auth.Accept(AccessKeyId, secret);
            _secret = new SecureString();
            foreach (var c in secret) _secret.AppendChar(c);
            _secret.MakeReadOnly();
            StartedAt = DateTimeOffset.Now;

            var identity = new EmulatorIdentity(AccountId, Region, EmulatorKeyGenerator.InstanceId());
            _functions = new EmulatorFunctions(functions, aliases);
            _journal = new EmulatorJournal(_functions.Keys);
            _faults = new EmulatorFaultInjector(faults);
            _host = new EmulatorFunctionHost(maxConcurrency);
            var tasks = new EmulatorTaskStore();
            var router = new EmulatorRouter(_auth, new EmulatorCatalog(_functions.All, StartedAt, identity), _functions, _faults,
                new EmulatorInvokeHandler(_host, _journal, tasks, identity, _shutdown.Token),
                new EmulatorTaskRoutes(tasks, identity), _shutdown.Token);
            _listener = EmulatorListener.Start(port, router.RouteAsync, _journal, _shutdown.Token);
            Port = _listener.Port;
            Endpoint = new Uri($"http://127.0.0.1:{Port}/");
        }

        public Uri Endpoint { get; }
        public int Port { get; }
        public string AccountId { get; }
        public string Region => "cn-hangzhou";
        public string AccessKeyId { get; }
        /// <summary>The generated key pair this emulator accepts: AccessKey ID as user name, secret as password.</summary>
        public PSCredential Credential => new PSCredential(AccessKeyId, _secret);
        public string[] Functions => _functions.Keys;
        public DateTimeOffset StartedAt { get; }
        public bool IsRunning => _stopped == 0;
        public long RequestCount => _journal.RequestCount;

        /// <summary>The most recent requests (up to 2,000), oldest first, with the Authorization header redacted: what a runbook really sent.</summary>
        public FcEmulatorRequest[] RecentRequests => _journal.Entries;

        /// <summary>The faults injected into function requests (Start-FcEmulator -ThrottleRate …).</summary>
        public FcEmulatorFaults Faults
        {
            get => _faults.Faults;
            internal set => _faults.Faults = value;
        }

        /// <summary>How many times each function ran (sync and async), keyed like -Function.</summary>
        public IDictionary<string, long> ExecutionCounts => _journal.ExecutionCounts;

        /// <summary>
        /// How many times a function ran for each input (sync and async, all functions together), keyed by the event:
        /// its text when at most 1,024 characters, otherwise "sha256:" and the hex SHA-256 of its UTF-8 bytes.
        /// Requests refused by a fault before the run never count.
        /// </summary>
        public IDictionary<string, long> InputExecutionCounts => _journal.InputExecutionCounts;

        /// <summary>
        /// Makes the emulator accept another key pair as well as its own, e.g. the temporary credentials a test's STS or
        /// metadata fixture hands out; with a token, requests must carry that STS token too.
        /// </summary>
        internal void AcceptKey(string accessKeyId, string accessKeySecret, string securityToken = null)
        {
            if (string.IsNullOrWhiteSpace(accessKeyId)) throw new ArgumentException("The AccessKey ID is empty.", nameof(accessKeyId));
            if (string.IsNullOrEmpty(accessKeySecret)) throw new ArgumentException("The AccessKey secret is empty.", nameof(accessKeySecret));
            _auth.Accept(accessKeyId, accessKeySecret, string.IsNullOrEmpty(securityToken) ? null : securityToken);
        }

        /// <summary>Forgets the request journal and the execution counts (per function and per input).</summary>
        internal void ResetCounters() => _journal.Reset();

        internal static IReadOnlyCollection<FcEmulator> All => Running.Values.ToList();

        /// <summary>Starts an emulator on 127.0.0.1; port 0 picks a free port.</summary>
        internal static FcEmulator Start(IDictionary<string, string> functions, int port, int maxConcurrency,
                                         IDictionary<string, string[]> aliases = null, FcEmulatorFaults faults = null)
        {
            foreach (var key in functions.Keys)
            {
                var problem = EmulatorFunctions.CheckFunctionKey(key);
                if (problem != null) throw new ArgumentException(problem);
            }
            foreach (var entry in aliases ?? new Dictionary<string, string[]>())
            {
                var problem = EmulatorFunctions.CheckAliases(entry.Key, entry.Value, functions.Keys);
                if (problem != null) throw new ArgumentException(problem);
            }
            var emulator = new FcEmulator(port, functions, maxConcurrency, aliases, faults);
            Running[emulator.Port] = emulator;
            return emulator;
        }

        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
            Running.TryRemove(Port, out _);
            _shutdown.Cancel();
            _listener.Stop();
            _host.Dispose();
        }

        public void Dispose() => Stop();

        public override string ToString() => Endpoint.ToString();
    }
}
