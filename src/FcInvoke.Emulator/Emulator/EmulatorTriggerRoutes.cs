using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// HTTP triggers: requests arriving on trigger URLs (checked as FC's trigger gateway checks them, then run with the
    /// request as $Event), and ListTriggers/GetTrigger, which publish the URLs so clients discover them offline.
    /// Trigger errors use FC 3.0's error body (http-triggers.md §5).
    /// </summary>
    internal sealed class EmulatorTriggerRoutes
    {
        private const int MaxPathAndQueryBytes = 4 * 1024;
        private const int MaxRequestHeaderBytes = 8 * 1024;
        private static readonly HashSet<string> HopByHop = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "expect",
        };

        private readonly Dictionary<string, EmulatorHttpTrigger> _byFunction;
        private readonly Dictionary<string, EmulatorHttpTrigger> _byPrefix;
        private readonly EmulatorFunctions _functions;
        private readonly EmulatorAuthenticator _auth;
        private readonly EmulatorBodyReader _bodies;
        private readonly EmulatorFaultInjector _faults;
        private readonly EmulatorInvokeHandler _invoke;
        private readonly EmulatorFunctionHost _host;
        private readonly EmulatorIdentity _identity;
        private readonly EmulatorTimes _times;
        private readonly Random _weights = new Random();
        private readonly CancellationToken _shutdown;

        public EmulatorTriggerRoutes(IEnumerable<EmulatorHttpTrigger> triggers, EmulatorFunctions functions, EmulatorAuthenticator auth,
                                     EmulatorBodyReader bodies, EmulatorFaultInjector faults, EmulatorInvokeHandler invoke, EmulatorFunctionHost host,
                                     EmulatorIdentity identity, EmulatorTimes times, CancellationToken shutdown)
        {
            var list = triggers.ToList();
            _byFunction = list.ToDictionary(t => t.FunctionKey, StringComparer.Ordinal);
            _byPrefix = list.ToDictionary(t => t.DomainPrefix, StringComparer.Ordinal);
            _functions = functions;
            _auth = auth;
            _bodies = bodies;
            _faults = faults;
            _invoke = invoke;
            _host = host;
            _identity = identity;
            _times = times;
            _shutdown = shutdown;
        }

        /// <summary>The emulator's base URL, known once it listens.</summary>
        public Uri Endpoint { get; set; }

        /// <summary>Each function's trigger URL on the emulator (urlInternet).</summary>
        public IDictionary<string, Uri> UrlsByFunction => _byFunction.ToDictionary(t => t.Key, t => t.Value.UrlInternet(Endpoint), StringComparer.Ordinal);

        /// <summary>True when the request was for a trigger URL; it has then been answered.</summary>
        public async Task<bool> TryHandleRequestAsync(EmulatorCall call)
        {
            if (!call.Path.StartsWith(EmulatorHttpTrigger.PathRoot, StringComparison.Ordinal)) return false;
            var rest = call.Path.Substring(EmulatorHttpTrigger.PathRoot.Length);
            var slash = rest.IndexOf('/');
            var label = slash < 0 ? rest : rest.Substring(0, slash);
            var rawFunctionPath = slash < 0 ? "/" : rest.Substring(slash);
            var intranet = label.EndsWith(EmulatorHttpTrigger.IntranetSuffix, StringComparison.Ordinal);
            if (!_byPrefix.TryGetValue(intranet ? label.Substring(0, label.Length - EmulatorHttpTrigger.IntranetSuffix.Length) : label, out var trigger))
            {
                await call.ErrorAsync(new EmulatorError(404, "DomainNameNotFound", $"domain name '{label}' does not exist")).ConfigureAwait(false);
                return true;
            }
            string signedSha256 = null;
            IDictionary<string, object> claims = null;
            var refusal = CheckLimits(call) ?? CheckMethod(call, trigger) ?? Authenticate(call, trigger, out signedSha256, out claims);
            if (refusal != null) { await call.ErrorAsync(refusal).ConfigureAwait(false); return true; }

            var function = _functions.Find(trigger.FunctionKey);
            var unresolved = function.Versioning.Resolve(trigger.Qualifier, function.IsV2, function.VersioningOwner, NextWeightDraw, out var version);
            if (unresolved != null) { await call.ErrorAsync(unresolved).ConfigureAwait(false); return true; }
            call.Qualifier = trigger.Qualifier;
            call.Version = version;

            var isAsync = EmulatorInvokeHandler.IsAsync(call.Headers);
            var bodyError = await _bodies.ReadAsync(call, isAsync ? FcNames.DefaultAsyncPayloadBytes : FcNames.MaxSyncPayloadBytes, signedSha256).ConfigureAwait(false);
            if (bodyError != null) { await call.ErrorAsync(bodyError).ConfigureAwait(false); return true; }
            if (await _faults.TryRefuseBeforeRunAsync(call, _shutdown).ConfigureAwait(false)) return true;

            var request = RequestObject(call, trigger, rawFunctionPath, intranet, claims);
            if (isAsync) await AcceptTaskAsync(call, function, request).ConfigureAwait(false);
            else await RunAsync(call, function, request).ConfigureAwait(false);
            return true;
        }

        private async Task AcceptTaskAsync(EmulatorCall call, EmulatedFunction function, PSObject request)
        {
            var taskId = await _invoke.AcceptTaskAsync(call, function, request, Encoding.UTF8.GetString(call.Body), call.Headers[FcHeaders.AsyncTaskId],
                outcome => Encoding.UTF8.GetString(EmulatorTriggerResponse.From(outcome, _host.ToJson).Body)).ConfigureAwait(false);
            if (taskId == null || await EmulatorFaultInjector.TryApplyAfterRunAsync(call).ConfigureAwait(false)) return;
            call.SetHeader(FcHeaders.AsyncTaskId, taskId);
            await call.RespondAsync(202, null, Array.Empty<byte>()).ConfigureAwait(false);
        }

        private async Task RunAsync(EmulatorCall call, EmulatedFunction function, PSObject request)
        {
            var slot = await _invoke.WaitForSlotAsync(call).ConfigureAwait(false);
            if (slot == null) return;
            EmulatorTriggerResponse response;
            using (slot)
            {
                var context = _invoke.FunctionContext(call, function, "Sync", null);
                context.Properties.Add(new PSNoteProperty("TriggerName", EmulatorHttpTrigger.Name));
                var outcome = await _invoke.RunAsync(function, request, context, call.RequestId, _shutdown, keepOutput: true).ConfigureAwait(false);
                call.FunctionOutcome = outcome.Name;
                response = EmulatorTriggerResponse.From(outcome, _host.ToJson); // while the slot's runspace is still free for ConvertTo-Json
            }
            if (await EmulatorFaultInjector.TryApplyAfterRunAsync(call).ConfigureAwait(false)) return;
            if (response.Problem != null)
            {
                await call.ErrorAsync(new EmulatorError(502, "BadResponse", "BadResponse: " + response.Problem)).ConfigureAwait(false);
                return;
            }
            foreach (var h in response.Headers) call.SetHeader(h.Key, h.Value);
            // FC's default domains make browsers download what a trigger returns (http-triggers.md §5).
            if (!response.Headers.Any(h => string.Equals(h.Key, "Content-Disposition", StringComparison.OrdinalIgnoreCase)))
                call.SetHeader("Content-Disposition", "attachment");
            await call.RespondAsync(response.StatusCode, response.ContentType, response.Body).ConfigureAwait(false);
        }

        /// <summary>FC's trigger limits (http-triggers.md §5): path with query up to 4 KB, headers up to 8 KB.</summary>
        private static EmulatorError CheckLimits(EmulatorCall call)
        {
            if (call.Path.Length + call.Query.Length + 1 > MaxPathAndQueryBytes)
                return new EmulatorError(400, "InvalidArgument", "the request path and query are longer than 4 KB");
            if (call.Headers.Sum(h => h.Key.Length + h.Value.Length + 4) > MaxRequestHeaderBytes)
                return new EmulatorError(400, "InvalidArgument", "the request headers are larger than 8 KB");
            return null;
        }

        private static EmulatorError CheckMethod(EmulatorCall call, EmulatorHttpTrigger trigger) =>
            trigger.Methods.Contains(call.Method) ? null
            : new EmulatorError(405, "MethodNotAllowed", $"the HTTP trigger of '{trigger.FunctionKey}' takes {string.Join(", ", trigger.Methods)}, not {call.Method}");

        private EmulatorError Authenticate(EmulatorCall call, EmulatorHttpTrigger trigger, out string signedSha256, out IDictionary<string, object> claims)
        {
            signedSha256 = null;
            claims = null;
            switch (trigger.AuthType)
            {
                case "function":
                    return _auth.AuthenticateTrigger(call.Method, call.Path, call.Query, call.Headers, DateTimeOffset.UtcNow, out signedSha256);
                case "jwt":
                    var authorization = call.Headers["authorization"];
                    if (authorization == null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                        return new EmulatorError(401, "InvalidToken", "the JWT trigger needs a token in 'Authorization: Bearer <token>'");
                    var problem = trigger.Jwks.Verify(authorization.Substring(7).Trim(), DateTimeOffset.UtcNow, out claims);
                    return problem == null ? null : new EmulatorError(401, "InvalidToken", "the JWT was refused: " + problem);
                default:
                    return null; // anonymous: anyone with the URL may call (http-triggers.md §3)
            }
        }

        /// <summary>
        /// $Event of a trigger call: FC's event fields (http-triggers.md, "HTTP触发器调用函数": headers and query values of
        /// repeated names joined with ',') as a PowerShell object, with the body both as text and as bytes.
        /// </summary>
        private PSObject RequestObject(EmulatorCall call, EmulatorHttpTrigger trigger, string rawFunctionPath, bool intranet, IDictionary<string, object> claims)
        {
            var headers = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (var h in call.Headers)
            {
                if (HopByHop.Contains(h.Key)) continue;
                headers[h.Key] = headers[h.Key] is string earlier ? earlier + "," + h.Value : h.Value;
            }
            var query = new Hashtable(StringComparer.Ordinal);
            foreach (var q in call.QueryPairs) query[q.Key] = query[q.Key] is string earlier ? earlier + "," + q.Value : q.Value;
            var baseUrl = intranet ? trigger.UrlIntranet(Endpoint) : trigger.UrlInternet(Endpoint);
            var request = new PSObject();
            request.Properties.Add(new PSNoteProperty("Method", call.Method));
            request.Properties.Add(new PSNoteProperty("Path", PercentEncoding.Decode(rawFunctionPath)));
            request.Properties.Add(new PSNoteProperty("RawPath", rawFunctionPath));
            request.Properties.Add(new PSNoteProperty("Query", query));
            request.Properties.Add(new PSNoteProperty("QueryString", call.Query));
            request.Properties.Add(new PSNoteProperty("Headers", headers));
            request.Properties.Add(new PSNoteProperty("Body", Encoding.UTF8.GetString(call.Body)));
            request.Properties.Add(new PSNoteProperty("BodyBytes", call.Body));
            request.Properties.Add(new PSNoteProperty("Url", baseUrl.AbsoluteUri + (rawFunctionPath == "/" ? string.Empty : rawFunctionPath) + (call.Query.Length > 0 ? "?" + call.Query : string.Empty)));
            request.Properties.Add(new PSNoteProperty("Intranet", intranet));
            request.Properties.Add(new PSNoteProperty("JwtClaims", claims == null ? null : new Hashtable(claims.ToDictionary(c => c.Key, c => c.Value), StringComparer.Ordinal)));
            return request;
        }

        public Task ListAsync(EmulatorCall call, EmulatedFunction function)
        {
            var triggers = _byFunction.TryGetValue(function.Key, out var trigger) ? new[] { trigger } : new EmulatorHttpTrigger[0];
            return EmulatorPaging.ListAsync(call, triggers, "triggers", t => EmulatorHttpTrigger.Name, (w, t) => Write(w, t, function, call.IsV2));
        }

        public Task GetAsync(EmulatorCall call, EmulatedFunction function, string triggerName)
        {
            if (triggerName == EmulatorHttpTrigger.Name && _byFunction.TryGetValue(function.Key, out var trigger))
                return call.RespondAsync(200, "application/json", EmulatorJson.Write(w => Write(w, trigger, function, call.IsV2)));
            return call.ErrorAsync(new EmulatorError(404, "TriggerNotFound", $"trigger '{triggerName}' does not exist in function '{function.FunctionName}'"));
        }

        /// <summary>FC's Trigger: FC 3.0 puts the URLs under httpTrigger, FC 2.0 at the top level (http-triggers.md §1).</summary>
        private void Write(Utf8JsonWriter w, EmulatorHttpTrigger trigger, EmulatedFunction function, bool v2)
        {
            w.WriteStartObject();
            w.WriteString("triggerName", EmulatorHttpTrigger.Name);
            w.WriteString("triggerId", trigger.TriggerId);
            w.WriteString("triggerType", "http");
            w.WriteString("qualifier", trigger.Qualifier);
            w.WriteString("triggerConfig", trigger.TriggerConfigJson());
            w.WriteString("description", string.Empty);
            w.WriteString("invocationRole", string.Empty);
            w.WriteString("sourceArn", string.Empty);
            w.WriteString("createdTime", _times.Created(v2));
            w.WriteString("lastModifiedTime", _times.Created(v2));
            if (v2)
            {
                w.WriteString("urlInternet", trigger.UrlInternet(Endpoint).AbsoluteUri);
                w.WriteString("urlIntranet", trigger.UrlIntranet(Endpoint).AbsoluteUri);
            }
            else
            {
                w.WriteString("targetArn", _identity.FunctionArn(function.FunctionName));
                w.WriteString("status", "OK");
                w.WriteStartObject("httpTrigger");
                w.WriteString("urlInternet", trigger.UrlInternet(Endpoint).AbsoluteUri);
                w.WriteString("urlIntranet", trigger.UrlIntranet(Endpoint).AbsoluteUri);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }

        private double NextWeightDraw()
        {
            lock (_weights) return _weights.NextDouble();
        }
    }
}
