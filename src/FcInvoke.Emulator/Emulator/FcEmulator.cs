using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// A local Function Compute: a loopback HTTP server speaking the FC invoke and async-task APIs of 2021-04-06 and
    /// 2023-03-30, verifying ACS3 signatures, and running PowerShell script blocks as functions.
    /// </summary>
    public sealed class FcEmulator : IDisposable
    {
        private static readonly ConcurrentDictionary<int, FcEmulator> Running = new ConcurrentDictionary<int, FcEmulator>();

        private readonly HttpListener _listener;
        private readonly Dictionary<string, EmulatedFunction> _functions;
        private readonly EmulatorFunctionHost _host;
        private readonly EmulatorAuthenticator _auth = new EmulatorAuthenticator();
        private readonly EmulatorTaskStore _tasks = new EmulatorTaskStore();
        private readonly CancellationTokenSource _shutdown = new CancellationTokenSource();
        private readonly string _instanceId;
        private readonly SecureString _secret;
        private readonly ConcurrentQueue<FcEmulatorRequest> _journal = new ConcurrentQueue<FcEmulatorRequest>();
        private readonly ConcurrentDictionary<string, long> _inputExecutions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private readonly Random _faultRandom = new Random();
        private volatile FcEmulatorFaults _faults;
        private const int JournalSize = 2000;
        private long _requestCount;
        private long _sequence;
        private int _stopped;

        private readonly EmulatorCatalog _catalog;

        private FcEmulator(HttpListener listener, int port, IDictionary<string, string> functions, int maxConcurrency,
                           IDictionary<string, string[]> aliases, FcEmulatorFaults faults)
        {
            _faults = faults ?? FcEmulatorFaults.None;
            _listener = listener;
            Port = port;
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
            _functions = functions.ToDictionary(f => f.Key, f => new EmulatedFunction(f.Key, f.Value), StringComparer.Ordinal);
            _host = new EmulatorFunctionHost(maxConcurrency);
            _instanceId = "c-emu-" + RandomHex(6);
            AccountId = RandomDigits(16);
            AccessKeyId = "LTAIemu" + RandomHex(8);
            var secret = RandomHex(15);
            _auth.Accept(AccessKeyId, secret);
            _secret = new SecureString();
            foreach (var c in secret) _secret.AppendChar(c);
            _secret.MakeReadOnly();
            StartedAt = DateTimeOffset.Now;
            _catalog = new EmulatorCatalog(_functions.Values.Select(f => new EmulatorCatalog.Entry
            {
                Key = f.Key, ServiceName = f.ServiceName, FunctionName = f.FunctionName, Script = f.Script, CodeChecksum = f.CodeChecksum,
                Aliases = aliases != null && aliases.TryGetValue(f.Key, out var names) ? names : Array.Empty<string>(),
            }), StartedAt, AccountId, Region);
        }

        public Uri Endpoint { get; }
        public int Port { get; }
        public string AccountId { get; }
        public string Region => "cn-hangzhou";
        public string AccessKeyId { get; }
        /// <summary>The generated key pair this emulator accepts: AccessKey ID as user name, secret as password.</summary>
        public PSCredential Credential => new PSCredential(AccessKeyId, _secret);
        public string[] Functions => _functions.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        public DateTimeOffset StartedAt { get; }
        public bool IsRunning => _stopped == 0;
        public long RequestCount => Interlocked.Read(ref _requestCount);

        /// <summary>The most recent requests (up to 2,000), oldest first, with the Authorization header redacted: what a runbook really sent.</summary>
        public FcEmulatorRequest[] RecentRequests => _journal.ToArray();

        /// <summary>The faults injected into function requests (Start-FcEmulator -ThrottleRate …).</summary>
        public FcEmulatorFaults Faults
        {
            get => _faults;
            internal set => _faults = value ?? FcEmulatorFaults.None;
        }

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
        internal void ResetCounters()
        {
            while (_journal.TryDequeue(out _)) { }
            foreach (var f in _functions.Values) Interlocked.Exchange(ref f.Executions, 0);
            _inputExecutions.Clear();
            Interlocked.Exchange(ref _requestCount, 0);
        }

        /// <summary>How many times each function ran (sync and async), keyed like -Function.</summary>
        public IDictionary<string, long> ExecutionCounts =>
            _functions.ToDictionary(f => f.Key, f => Interlocked.Read(ref f.Value.Executions), StringComparer.Ordinal);

        /// <summary>
        /// How many times a function ran for each input (sync and async, all functions together), keyed by the event:
        /// its text when at most <see cref="InputKeyMaxLength"/> characters, otherwise "sha256:" and the hex SHA-256 of its UTF-8 bytes
        /// (see <see cref="InputKey"/>). Requests refused by a fault before the run never count.
        /// </summary>
        public IDictionary<string, long> InputExecutionCounts => new Dictionary<string, long>(_inputExecutions, StringComparer.Ordinal);

        internal const int InputKeyMaxLength = 1024;

        /// <summary>The key of <see cref="InputExecutionCounts"/> for an event text.</summary>
        internal static string InputKey(string eventText)
        {
            eventText = eventText ?? string.Empty;
            return eventText.Length <= InputKeyMaxLength ? eventText : "sha256:" + Acs3Signer.HexSha256(Encoding.UTF8.GetBytes(eventText));
        }

        internal static IReadOnlyCollection<FcEmulator> All => Running.Values.ToList();

        /// <summary>Starts an emulator on 127.0.0.1; port 0 picks a free port.</summary>
        internal static FcEmulator Start(IDictionary<string, string> functions, int port, int maxConcurrency,
                                         IDictionary<string, string[]> aliases = null, FcEmulatorFaults faults = null)
        {
            foreach (var key in functions.Keys)
            {
                var problem = CheckFunctionKey(key);
                if (problem != null) throw new ArgumentException(problem);
            }
            foreach (var entry in aliases ?? new Dictionary<string, string[]>())
            {
                var problem = CheckAliases(entry.Key, entry.Value, functions.Keys);
                if (problem != null) throw new ArgumentException(problem);
            }
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
                var emulator = new FcEmulator(listener, chosen, functions, maxConcurrency, aliases, faults);
                Running[chosen] = emulator;
                Task.Run(emulator.AcceptLoopAsync);
                return emulator;
            }
        }

        /// <summary>'function' (FC 3.0) or 'service/function' (FC 2.0), each following FC's naming rules.</summary>
        internal static string CheckFunctionKey(string key)
        {
            var parts = (key ?? string.Empty).Split('/');
            if (parts.Length > 2) return $"'{key}' is not 'functionName' or 'serviceName/functionName'.";
            return parts.Length == 2
                ? FcNames.CheckServiceName(parts[0]) ?? FcNames.CheckFunctionName(parts[1])
                : FcNames.CheckFc3FunctionName(parts[0]);
        }

        /// <summary>Aliases are given per emulated function ('fn' or 'svc/fn'), each a valid alias name other than LATEST.</summary>
        internal static string CheckAliases(string key, IEnumerable<string> names, IEnumerable<string> functionKeys)
        {
            if (!functionKeys.Contains(key, StringComparer.Ordinal)) return $"-Alias names '{key}', which is not one of the emulated functions (-Function).";
            foreach (var name in names ?? Enumerable.Empty<string>())
            {
                if (string.Equals(name, "LATEST", StringComparison.OrdinalIgnoreCase)) return "LATEST is not an alias: every function has it.";
                var problem = FcNames.CheckQualifier(name);
                if (problem != null) return problem;
            }
            return null;
        }

        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
            Running.TryRemove(Port, out _);
            _shutdown.Cancel();
            try { _listener.Stop(); } catch (ObjectDisposedException) { /* already closed */ }
            _listener.Close();
            _host.Dispose();
        }

        public void Dispose() => Stop();

        public override string ToString() => Endpoint.ToString();

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
            Interlocked.Increment(ref _requestCount);
            var requestId = NewRequestId();
            var call = new EmulatorCall(context, requestId, Record);
            try
            {
                await RouteAsync(call).ConfigureAwait(false);
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

        private void Record(EmulatorCall call)
        {
            _journal.Enqueue(call.ToJournalEntry());
            while (_journal.Count > JournalSize && _journal.TryDequeue(out _)) { }
        }

        private async Task RouteAsync(EmulatorCall call)
        {
            var segments = call.Segments;
            if (segments.Length == 0 || !FcApiVersions.TryParse(segments[0], out var version))
            {
                await call.ErrorAsync(new EmulatorError(400, "PathNotSupported", $"'{call.Method}' against '{call.Path}' is not supported")).ConfigureAwait(false);
                return;
            }
            call.IsV2 = version == FcApiVersion.V20210406;
            call.Body = await call.ReadBodyAsync(FcNames.MaxSyncPayloadBytes + 1024 * 1024).ConfigureAwait(false);
            if (call.Body == null)
            {
                await call.ErrorAsync(new EmulatorError(400, "EntityTooLarge", $"payload size exceeds maximum allowed size ({FcNames.MaxSyncPayloadBytes} bytes)")).ConfigureAwait(false);
                return;
            }
            var authError = _auth.Verify(call.Method, call.Path, call.Query, call.Headers, call.Body, DateTimeOffset.UtcNow);
            if (authError != null) { await call.ErrorAsync(authError).ConfigureAwait(false); return; }
            if (await _catalog.TryRouteAsync(call, segments).ConfigureAwait(false)) return;

            // Path after the version: [services/{s}/]functions/{f}/<rest>
            int i = 1;
            string service = null;
            if (call.IsV2)
            {
                if (segments.Length < 3 || segments[1] != "services") { await NotSupported(call).ConfigureAwait(false); return; }
                service = segments[2];
                i = 3;
            }
            if (segments.Length < i + 2 || segments[i] != "functions") { await NotSupported(call).ConfigureAwait(false); return; }
            var functionName = segments[i + 1];
            var rest = segments.Skip(i + 2).ToArray();

            var function = FindFunction(call, service, functionName, out var notFound);
            if (function == null) { await call.ErrorAsync(notFound).ConfigureAwait(false); return; }
            var fault = await InjectFaultAsync(call).ConfigureAwait(false);
            if (fault == FcEmulatorFault.Throttle || fault == FcEmulatorFault.ServerError || fault == FcEmulatorFault.Drop) return;

            var taskCollection = call.IsV2 ? "stateful-async-invocations" : "async-tasks";
            if (rest.Length == 1 && rest[0] == "invocations" && call.Method == "POST")
                await InvokeAsync(call, function, fault).ConfigureAwait(false);
            else if (rest.Length == 1 && rest[0] == taskCollection && call.Method == "GET")
                await ListTasksAsync(call, function).ConfigureAwait(false);
            else if (rest.Length == 2 && rest[0] == taskCollection && call.Method == "GET")
                await GetTaskAsync(call, function, rest[1]).ConfigureAwait(false);
            else if (call.Method == "PUT" && rest.Length >= 2 && rest[0] == taskCollection &&
                     ((call.IsV2 && rest.Length == 2) || (!call.IsV2 && rest.Length == 3 && rest[2] == "stop")))
                await StopTaskAsync(call, function, rest[1]).ConfigureAwait(false);
            else
                await NotSupported(call).ConfigureAwait(false);
        }

        private static Task NotSupported(EmulatorCall call) =>
            call.ErrorAsync(new EmulatorError(400, "PathNotSupported", $"'{call.Method}' against '{call.Path}' is not supported"));

        private EmulatedFunction FindFunction(EmulatorCall call, string service, string functionName, out EmulatorError notFound)
        {
            notFound = null;
            var key = service != null ? service + "/" + functionName : functionName;
            if (_functions.TryGetValue(key, out var function)) return function;
            if (service != null && !_functions.Keys.Any(k => k.StartsWith(service + "/", StringComparison.Ordinal)))
                notFound = new EmulatorError(404, "ServiceNotFound", $"service '{service}' does not exist");
            else
                notFound = new EmulatorError(404, "FunctionNotFound", service != null
                    ? $"function '{functionName}' does not exist in service '{service}'"
                    : $"function '{functionName}' does not exist.");
            return null;
        }

        /// <summary>
        /// Draws this request's fault and applies the added latency. A "before run" fault is answered here (the caller stops);
        /// an "after run" fault is returned for the invocation to apply once the function ran.
        /// </summary>
        private async Task<FcEmulatorFault> InjectFaultAsync(EmulatorCall call)
        {
            var faults = _faults;
            if (faults.IsNone) return FcEmulatorFault.None;
            if (faults.LatencyMs > 0) await Task.Delay(faults.LatencyMs, _shutdown.Token).ConfigureAwait(false);
            double draw;
            lock (_faultRandom) draw = _faultRandom.NextDouble();
            var fault = faults.Pick(draw);
            call.Fault = fault;
            switch (fault)
            {
                case FcEmulatorFault.Throttle:
                    await call.ErrorAsync(new EmulatorError(429, "ResourceExhausted", "Function concurrency limit exceeded (injected fault)")).ConfigureAwait(false);
                    break;
                case FcEmulatorFault.ServerError:
                    await call.ErrorAsync(InjectedServerError()).ConfigureAwait(false);
                    break;
                case FcEmulatorFault.Drop:
                    call.Drop();
                    break;
            }
            return fault;
        }

        /// <summary>Answers an invocation that already ran (or was accepted) as its "after run" fault says; false when there is none.</summary>
        private static async Task<bool> ApplyAfterRunFaultAsync(EmulatorCall call, FcEmulatorFault fault)
        {
            if (fault == FcEmulatorFault.ServerErrorAfterRun)
            {
                await call.ErrorAsync(InjectedServerError()).ConfigureAwait(false);
                return true;
            }
            if (fault == FcEmulatorFault.DropAfterRun)
            {
                call.Drop();
                return true;
            }
            return false;
        }

        private static EmulatorError InjectedServerError() =>
            new EmulatorError(500, "InternalServerError", "an internal error has occurred. Please retry. (injected fault)");

        private async Task InvokeAsync(EmulatorCall call, EmulatedFunction function, FcEmulatorFault fault)
        {
            var isAsync = string.Equals(call.Headers["x-fc-invocation-type"], "Async", StringComparison.OrdinalIgnoreCase);
            var limit = isAsync ? FcNames.DefaultAsyncPayloadBytes : FcNames.MaxSyncPayloadBytes;
            if (call.Body.Length > limit)
            {
                await call.ErrorAsync(new EmulatorError(400, "EntityTooLarge", $"payload size exceeds maximum allowed size ({limit} bytes)")).ConfigureAwait(false);
                return;
            }
            var qualifier = call.QueryValue("qualifier");
            var eventText = Encoding.UTF8.GetString(call.Body);
            var taskIdHeader = call.IsV2 ? FcHeaders.StatefulAsyncInvocationId : FcHeaders.AsyncTaskId;

            if (isAsync)
            {
                var taskId = call.Headers[taskIdHeader];
                if (taskId != null && FcNames.CheckTaskId(taskId) is string bad)
                {
                    await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", bad)).ConfigureAwait(false);
                    return;
                }
                taskId = taskId ?? Guid.NewGuid().ToString("D");
                var task = new EmulatorTask(taskId, function.ServiceName, function.FunctionName, qualifier, eventText, call.RequestId, NowMs());
                if (!_tasks.TryAdd(function.Key, task))
                {
                    await call.ErrorAsync(new EmulatorError(409, call.IsV2 ? "StatefulAsyncInvocationAlreadyExists" : "AsyncTaskAlreadyExists",
                        $"an async task with id '{taskId}' already exists for function '{function.FunctionName}'")).ConfigureAwait(false);
                    return;
                }
                _ = Task.Run(() => RunTaskAsync(function, task, call));
                if (await ApplyAfterRunFaultAsync(call, fault).ConfigureAwait(false)) return;
                call.SetHeader(taskIdHeader, taskId);
                await call.RespondAsync(202, null, Array.Empty<byte>()).ConfigureAwait(false);
                return;
            }

            var context = FunctionContext(call, function, qualifier, "Sync", null);
            var outcome = await RunAsync(function, eventText, context, call.RequestId, _shutdown.Token).ConfigureAwait(false);
            if (await ApplyAfterRunFaultAsync(call, fault).ConfigureAwait(false)) return;
            call.SetHeader(FcHeaders.InvocationDuration, ((long)outcome.Duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            call.SetHeader(FcHeaders.MaxMemoryUsage, (GC.GetTotalMemory(false) / 1048576.0).ToString("0.##", CultureInfo.InvariantCulture));
            call.SetHeader(FcHeaders.CodeChecksum, function.CodeChecksum);
            call.SetHeader(FcHeaders.InstanceId, _instanceId);
            call.SetHeader(FcHeaders.ServiceVersion, qualifier ?? "LATEST");
            if (string.Equals(call.Headers["x-fc-log-type"], "Tail", StringComparison.OrdinalIgnoreCase))
                call.SetHeader(FcHeaders.LogResult, Convert.ToBase64String(Tail(outcome.Log, 4096)));
            if (outcome.Failed || outcome.Stopped) call.SetHeader(FcHeaders.ErrorType, "UnhandledInvocationError");
            await call.RespondAsync(200, "application/octet-stream", outcome.Body).ConfigureAwait(false);
        }

        private async Task RunTaskAsync(EmulatedFunction function, EmulatorTask task, EmulatorCall call)
        {
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(task.Stop.Token, _shutdown.Token))
            {
                if (!task.Transition("Dequeued", NowMs()) || !task.Transition("Running", NowMs())) return;
                task.InstanceId = _instanceId;
                var context = FunctionContext(call, function, task.Qualifier, "Async", task.Id);
                FunctionOutcome outcome;
                try
                {
                    outcome = await RunAsync(function, task.Payload, context, task.RequestId, linked.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    outcome = new FunctionOutcome { Failed = true, ErrorMessage = ex.Message, ErrorType = ex.GetType().Name };
                }
                var duration = (long)outcome.Duration.TotalMilliseconds;
                if (outcome.Stopped || task.Stop.IsCancellationRequested)
                    task.Finish("Stopped", NowMs(), null, "the task was stopped", duration, string.Empty);
                else if (outcome.Failed)
                    task.Finish("Failed", NowMs(), null, outcome.ErrorMessage, duration, "{\"Error\":\"UnhandledInvocationError\"}");
                else
                    task.Finish("Succeeded", NowMs(), Encoding.UTF8.GetString(outcome.Body), null, duration, string.Empty);
            }
        }

        private async Task<FunctionOutcome> RunAsync(EmulatedFunction function, string eventText, PSObject context, string requestId, CancellationToken token)
        {
            Interlocked.Increment(ref function.Executions);
            _inputExecutions.AddOrUpdate(InputKey(eventText), 1, (_, n) => n + 1);
            return await _host.RunAsync(function.Script, eventText, context, requestId, token).ConfigureAwait(false);
        }

        private PSObject FunctionContext(EmulatorCall call, EmulatedFunction function, string qualifier, string invocationType, string taskId)
        {
            var context = new PSObject();
            context.Properties.Add(new PSNoteProperty("RequestId", call.RequestId));
            context.Properties.Add(new PSNoteProperty("FunctionName", function.FunctionName));
            context.Properties.Add(new PSNoteProperty("ServiceName", function.ServiceName));
            context.Properties.Add(new PSNoteProperty("Qualifier", qualifier ?? "LATEST"));
            context.Properties.Add(new PSNoteProperty("InvocationType", invocationType));
            context.Properties.Add(new PSNoteProperty("AsyncTaskId", taskId));
            context.Properties.Add(new PSNoteProperty("TraceId", call.Headers["x-fc-trace-id"]));
            context.Properties.Add(new PSNoteProperty("AccountId", AccountId));
            context.Properties.Add(new PSNoteProperty("Region", Region));
            return context;
        }

        private async Task GetTaskAsync(EmulatorCall call, EmulatedFunction function, string taskId)
        {
            var task = _tasks.Find(function.Key, taskId);
            if (task == null) { await call.ErrorAsync(TaskNotFound(call, taskId)).ConfigureAwait(false); return; }
            await call.RespondAsync(200, "application/json", EmulatorTaskJson.One(task.Snapshot(), call.IsV2, AccountId, Region)).ConfigureAwait(false);
        }

        private async Task StopTaskAsync(EmulatorCall call, EmulatedFunction function, string taskId)
        {
            var task = _tasks.Find(function.Key, taskId);
            if (task == null) { await call.ErrorAsync(TaskNotFound(call, taskId)).ConfigureAwait(false); return; }
            var status = task.Snapshot().Status;
            if (EmulatorTask.IsTerminal(status))
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", $"the async task '{taskId}' has already finished ({status})")).ConfigureAwait(false);
                return;
            }
            if (status == "Running" || status == "Dequeued")
            {
                task.Transition("Stopping", NowMs());
                task.Stop.Cancel();
            }
            else
            {
                task.Stop.Cancel();
                task.Finish("Stopped", NowMs(), null, "the task was stopped", 0, string.Empty);
            }
            await call.RespondAsync(200, null, Array.Empty<byte>()).ConfigureAwait(false);
        }

        private async Task ListTasksAsync(EmulatorCall call, EmulatedFunction function)
        {
            var limitText = call.QueryValue("limit");
            int limit = call.IsV2 ? 50 : 20;
            if (limitText != null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 100))
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", $"limit must be between 1 and 100, not '{limitText}'")).ConfigureAwait(false);
                return;
            }
            var sort = call.QueryValue("sortOrderByTime");
            if (sort != null && sort != "asc" && sort != "desc")
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", $"sortOrderByTime must be asc or desc, not '{sort}'")).ConfigureAwait(false);
                return;
            }
            var token = call.QueryValue("nextToken");
            if (token != null && !EmulatorTaskStore.IsValidToken(token))
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", "nextToken is not valid")).ConfigureAwait(false);
                return;
            }
            var query = new EmulatorTaskQuery
            {
                Status = call.QueryValue("status"),
                IdPrefix = call.QueryValue(call.IsV2 ? "invocationIdPrefix" : "prefix"),
                StartedBegin = ParseLong(call.QueryValue("startedTimeBegin")),
                StartedEnd = ParseLong(call.QueryValue("startedTimeEnd")),
                Descending = sort == "desc",
                Limit = limit,
                NextToken = token,
            };
            var includePayload = string.Equals(call.QueryValue("includePayload"), "true", StringComparison.OrdinalIgnoreCase);
            var (page, next) = _tasks.List(function.Key, query);
            await call.RespondAsync(200, "application/json", EmulatorTaskJson.Page(page, next, call.IsV2, AccountId, Region, includePayload)).ConfigureAwait(false);
        }

        private static EmulatorError TaskNotFound(EmulatorCall call, string taskId) => call.IsV2
            ? new EmulatorError(404, "StatefulAsyncInvocationNotFound", $"stateful async invocation '{taskId}' does not exist")
            : new EmulatorError(404, "AsyncTaskNotFound", $"async task '{taskId}' does not exist");

        private static long? ParseLong(string text) =>
            long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (long?)null;

        internal static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        /// <summary>The last <paramref name="max"/> bytes of the log as UTF-8, cut at a character boundary (FC returns the last 4 KB).</summary>
        internal static byte[] Tail(string log, int max)
        {
            var bytes = Encoding.UTF8.GetBytes(log ?? string.Empty);
            if (bytes.Length <= max) return bytes;
            int start = bytes.Length - max;
            while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80) start++;
            var tail = new byte[bytes.Length - start];
            Buffer.BlockCopy(bytes, start, tail, 0, tail.Length);
            return tail;
        }

        private string NewRequestId() =>
            $"1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Interlocked.Increment(ref _sequence):x6}{RandomHex(3)}";

        private static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            try { return ((IPEndPoint)probe.LocalEndpoint).Port; }
            finally { probe.Stop(); }
        }

        private static string RandomHex(int bytes)
        {
            var buffer = new byte[bytes];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(buffer);
            return Acs3Signer.ToHex(buffer);
        }

        private static string RandomDigits(int count)
        {
            var buffer = new byte[count];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(buffer);
            var sb = new StringBuilder(count);
            sb.Append((char)('1' + buffer[0] % 9));
            for (int i = 1; i < count; i++) sb.Append((char)('0' + buffer[i] % 10));
            return sb.ToString();
        }

        private sealed class EmulatedFunction
        {
            public EmulatedFunction(string key, string script)
            {
                Key = key;
                Script = script;
                var slash = key.IndexOf('/');
                ServiceName = slash < 0 ? null : key.Substring(0, slash);
                FunctionName = slash < 0 ? key : key.Substring(slash + 1);
                CodeChecksum = Fnv1a64(script).ToString(CultureInfo.InvariantCulture);
            }

            public string Key { get; }
            public string Script { get; }
            public string ServiceName { get; }
            public string FunctionName { get; }
            public string CodeChecksum { get; }
            public long Executions;

            private static ulong Fnv1a64(string text)
            {
                ulong hash = 14695981039346656037UL;
                foreach (var b in Encoding.UTF8.GetBytes(text))
                {
                    hash ^= b;
                    hash *= 1099511628211UL;
                }
                return hash;
            }
        }
    }
}
