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
        private readonly EmulatorFifoQuota _slots;
        private readonly EmulatorFifoQuota _bodyBudget;
        private readonly EmulatorTaskStore _tasks;
        private readonly EmulatorTriggerRoutes _triggers;
        private readonly SecureString _secret;
        private int _stopped;

        private FcEmulator(int port, IDictionary<string, string> functions, int maxConcurrency,
                           IDictionary<string, IReadOnlyList<EmulatorAlias>> aliases, FcEmulatorFaults faults, IEnumerable<EmulatorHttpTrigger> triggers)
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
            var times = new EmulatorTimes(StartedAt);
            _functions = new EmulatorFunctions(functions, aliases);
            _journal = new EmulatorJournal(_functions.Keys);
            _faults = new EmulatorFaultInjector(faults);
            _host = new EmulatorFunctionHost(maxConcurrency);
            _slots = new EmulatorFifoQuota(maxConcurrency);
            _bodyBudget = new EmulatorFifoQuota(EmulatorBodyReader.BudgetBytes);
            _tasks = new EmulatorTaskStore();
            var invoke = new EmulatorInvokeHandler(_host, _journal, _tasks, _slots, identity, _shutdown.Token);
            var bodies = new EmulatorBodyReader(_bodyBudget, _shutdown.Token);
            _triggers = new EmulatorTriggerRoutes(triggers, _functions, _auth, bodies, _faults, invoke, _host, identity, times, _shutdown.Token);
            var router = new EmulatorRouter(_auth, _functions, bodies, _faults,
                new EmulatorCatalog(_functions.All, times, identity), new EmulatorAsyncConfigRoutes(_functions.All, times, identity),
                _triggers, invoke, new EmulatorTaskRoutes(_tasks, identity), _journal, _shutdown.Token);
            _listener = EmulatorListener.Start(port, router.RouteAsync, _journal, _shutdown.Token);
            Port = _listener.Port;
            Endpoint = new Uri($"http://127.0.0.1:{Port}/");
            _triggers.Endpoint = Endpoint;
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

        /// <summary>
        /// Authenticated API requests per FC action, keyed by the action's name in the request's API version
        /// (GetAsyncTask, ListAsyncTasks, GetStatefulAsyncInvocation, ListStatefulAsyncInvocations, InvokeFunction, ...):
        /// what a runbook's wait or listing cost. Reset with the other counters.
        /// </summary>
        public IDictionary<string, long> OperationCounts => _journal.OperationCounts;

        /// <summary>
        /// The HTTP trigger URL (urlInternet) of each function declared with -HttpTrigger, keyed like -Function. The function
        /// sees the path under it; urlIntranet is the same URL with "-vpc" appended, and ListTriggers/GetTrigger give both.
        /// </summary>
        public IDictionary<string, Uri> HttpTriggerUrls => _triggers.UrlsByFunction;

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
        /// Requests refused by a fault before the run never count. At most 100,000 distinct inputs are counted.
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

        /// <summary>
        /// How far task listings lag behind the tasks (a test hook): a listing shows the tasks as they stood this long ago,
        /// so a task appears in listings only this long after it was accepted. GetAsyncTask is never behind.
        /// </summary>
        internal TimeSpan ListingLag
        {
            get => _tasks.ListingLag;
            set => _tasks.ListingLag = value < TimeSpan.Zero ? TimeSpan.Zero : value;
        }

        /// <summary>Forgets the request journal and the execution counts (per function and per input).</summary>
        internal void ResetCounters()
        {
            _journal.Reset();
            _bodyBudget.ResetPeak();
        }

        /// <summary>The emulator's bounded resources as they are now, for tests that prove the bounds hold.</summary>
        internal IDictionary<string, long> Diagnostics() => new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["OpenConnections"] = _listener.OpenConnections,
            ["BodyBytesHeld"] = _bodyBudget.Used,
            ["BodyBytesPeak"] = _bodyBudget.Peak,
            ["BodyBytesCapacity"] = _bodyBudget.Capacity,
            ["BodiesWaiting"] = _bodyBudget.Waiting,
            ["SlotsBusy"] = _slots.Used,
            ["SlotsWaiting"] = _slots.Waiting,
            ["RememberedNonces"] = _auth.RememberedNonces,
            ["Tasks"] = _tasks.Count,
            ["TaskBytes"] = _tasks.RetainedBytes,
        };

        internal static IReadOnlyCollection<FcEmulator> All => Running.Values.ToList();

        /// <summary>Starts an emulator on 127.0.0.1; port 0 picks a free port.</summary>
        internal static FcEmulator Start(IDictionary<string, string> functions, int port, int maxConcurrency,
                                         IDictionary<string, IReadOnlyList<EmulatorAlias>> aliases = null, FcEmulatorFaults faults = null,
                                         IEnumerable<EmulatorHttpTrigger> triggers = null)
        {
            foreach (var key in functions.Keys)
            {
                var problem = EmulatorFunctions.CheckFunctionKey(key);
                if (problem != null) throw new ArgumentException(problem);
            }
            aliases = aliases ?? new Dictionary<string, IReadOnlyList<EmulatorAlias>>();
            var aliasProblem = EmulatorFunctions.CheckAliases(aliases, functions.Keys);
            if (aliasProblem != null) throw new ArgumentException(aliasProblem);
            var triggerList = (triggers ?? Enumerable.Empty<EmulatorHttpTrigger>()).ToList();
            var triggerProblem = CheckTriggers(triggerList, new EmulatorFunctions(functions, aliases));
            if (triggerProblem != null) throw new ArgumentException(triggerProblem);
            var emulator = new FcEmulator(port, functions, maxConcurrency, aliases, faults, triggerList);
            Running[emulator.Port] = emulator;
            return emulator;
        }

        /// <summary>Null when each trigger names a declared function (one trigger each) and FC would accept it.</summary>
        internal static string CheckTriggers(IReadOnlyCollection<EmulatorHttpTrigger> triggers, EmulatorFunctions functions)
        {
            foreach (var trigger in triggers)
            {
                var function = functions.Find(trigger.FunctionKey);
                if (function == null) return $"-HttpTrigger names '{trigger.FunctionKey}', which is not one of the emulated functions (-Function).";
                var problem = trigger.Check(function);
                if (problem != null) return problem;
            }
            var twice = triggers.GroupBy(t => t.FunctionKey, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            return twice == null ? null : $"-HttpTrigger declares two triggers for '{twice.Key}'; the emulator gives each function one.";
        }

        /// <summary>
        /// Stops at once: every connection is reset (a request in flight gets no answer rather than a false one), running
        /// functions and waiting tasks are cancelled, and the runspace pool is closed in the background, so a function
        /// that ignores cancellation cannot hold Stop up.
        /// </summary>
        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
            Running.TryRemove(Port, out _);
            _listener.Stop();
            _shutdown.Cancel();
            var closing = System.Threading.Tasks.Task.Run(() => _host.Dispose());
            closing.Wait(TimeSpan.FromMilliseconds(500));
        }

        public void Dispose() => Stop();

        public override string ToString() => Endpoint.ToString();
    }
}
