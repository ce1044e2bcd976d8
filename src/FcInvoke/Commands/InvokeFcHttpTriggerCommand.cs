// A little over the usual size: 25 parameters in two parameter sets are about 150 of these lines; the request an input
// makes is built in InvokeFcHttpTriggerCommand.Request.cs.
using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcInvoke.Commands
{
    /// <summary>How Invoke-FcHttpTrigger authenticates a call (what the trigger's auth type asks for).</summary>
    public enum FcHttpAuthentication
    {
        /// <summary>Nothing added: triggers of auth type anonymous.</summary>
        Anonymous,
        /// <summary>FC's trigger signature with the connection's credential: triggers of auth type function.</summary>
        Signature,
        /// <summary>-Token as "Authorization: Bearer": triggers of auth type jwt (and FC's bearer tokens).</summary>
        Jwt,
    }

    /// <summary>
    /// Invoke-FcHttpTrigger: one HTTP call per input to a function's HTTP trigger, given by URL (-Uri) or found with
    /// ListTriggers (-FunctionName); authenticated as the trigger's auth type asks (anonymous, FC's signature, a JWT); with
    /// -ThrottleLimit, up to that many calls in flight (<see cref="FanOut{T}"/>). Pipeline binding as Invoke-FcFunction's
    /// (<see cref="PipelineBinding"/>): a piped row or value is the body, FcInvoke's own objects name the function and bring
    /// their connection, and the URL, path, query, headers, method and task id come from the command line only (values or
    /// delay-bind script blocks). The core does the work (<see cref="FcHttpTriggerCall"/>, <see cref="FcTriggerDiscovery"/>);
    /// this class parses parameters, checks what can be checked before sending, and writes results and errors.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "FcHttpTrigger", DefaultParameterSetName = FunctionSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FcHttpResponse))]
    public sealed partial class InvokeFcHttpTriggerCommand : FcCmdlet, IPipedFunctionInput
    {
        private const string FunctionSet = "Function";
        private const string UriSet = "Uri";
        private const string DefaultTextType = "text/plain; charset=utf-8";
        private const string DefaultDataType = "application/json";

        /// <summary>The trigger URL (or its base, with -Path).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = UriSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        [Alias("Url")]
        public Uri Uri { get; set; }

        /// <summary>The function whose HTTP trigger is called, found with ListTriggers; 'service/function:qualifier' accepted.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = FunctionSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Name")]
        [ArgumentCompleter(typeof(FcFunctionNameCompleter))]
        public string FunctionName { get; set; }

        [Parameter(ParameterSetName = FunctionSet, ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(FcServiceNameCompleter))]
        public string ServiceName { get; set; }

        [Parameter(ParameterSetName = FunctionSet, ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(FcQualifierCompleter))]
        public string Qualifier { get; set; }

        /// <summary>The path under the trigger URL, as text ('/api/jobs'); the module percent-encodes it.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Path { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", IgnoreCase = true)]
        public string Method { get; set; }

        /// <summary>Query parameters: names and values (an array value repeats the name).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public IDictionary Query { get; set; }

        /// <summary>Extra request headers.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public IDictionary Header { get; set; }

        /// <summary>The body: a string as UTF-8, bytes raw, data as JSON (as Invoke-FcFunction's payload).</summary>
        [Parameter(Position = 2, ValueFromPipeline = true)]
        [AllowNull]
        [AllowEmptyString]
        [Alias("Payload")]
        public object Body { get; set; }

        /// <summary>The piped object, whatever it binds to: the input results and errors name, and the connection of FcInvoke's own objects.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        /// <summary>A file whose bytes are the body (instead of -Body or a piped value).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string InputFile { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ContentType { get; set; }

        [Parameter]
        public FcHttpAuthentication Authentication { get; set; }

        /// <summary>The JWT (or bearer token) for a jwt trigger: a SecureString, or text (held as a SecureString once bound).</summary>
        [Parameter]
        [ValidateNotNull]
        [SecretTransformation]
        public SecureString Token { get; set; }

        [Parameter]
        public FcInvocationType InvocationType { get; set; } = FcInvocationType.Sync;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("TaskId")]
        public string AsyncTaskId { get; set; }

        /// <summary>Bound for one call in seconds, retries included; 0 (the default) waits as long as the function runs.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 1;

        [Parameter]
        public SwitchParameter Unordered { get; set; }

        /// <summary>Write a function's 4xx/5xx answer as a result instead of an FcHttpError.</summary>
        [Parameter]
        public SwitchParameter SkipHttpErrorCheck { get; set; }

        private InvocationBatch<FcHttpResponse> _batch;
        private PipelineBinding _binding;
        private bool _bodyOnCommandLine;
        /// <summary>Each function's trigger, found once per command (fan-out calls the same function many times).</summary>
        private readonly ConcurrentDictionary<(FcConnected, string, bool), Lazy<Task<FcTriggerTarget>>> _targets =
            new ConcurrentDictionary<(FcConnected, string, bool), Lazy<Task<FcTriggerTarget>>>();
        /// <summary>
        /// For -Uri calls, once per command and connection source (the command's, or a piped object's context): the plan
        /// when credentials are configured (null: none), the plan a signed call needs, and the connection to each origin.
        /// Pipeline thread only.
        /// </summary>
        private readonly Dictionary<(FcContext, bool), FcConnectionPlan> _plans = new Dictionary<(FcContext, bool), FcConnectionPlan>();
        private readonly Dictionary<(string, bool, FcContext), FcConnected> _uriConnections = new Dictionary<(string, bool, FcContext), FcConnected>();

        private bool ByUri => ParameterSetName == UriSet;
        private bool FromFile => InputFile != null;

        protected override void BeginProcessing()
        {
            _binding = new PipelineBinding(this, "the body", "the function, service or qualifier (the URL, path, query, headers, method and task id come from the command line)");
            _bodyOnCommandLine = _binding.IsNamed(nameof(Body));
            _batch = new InvocationBatch<FcHttpResponse>(this, ThrottleLimit, Unordered.IsPresent, "Invoke-FcHttpTrigger", WriteResult);
        }

        protected override void ProcessRecord()
        {
            var piped = MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)) ? InputObject : null;
            bool fcObject = piped != null && IsFcObject(piped);
            if (fcObject && !_bodyOnCommandLine) Body = null;

            var input = InputOf(piped);
            var failure = _batch.Next(input);
            if (piped != null && !ApplyBindingRules(piped, fcObject, failure)) return;

            if (FromFile && Body != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.InvalidArgument,
                    "-InputFile sends a file as the body, and this input has a body too (-Body, or a piped value): give one of them.", input, failure));
                return;
            }
            var spec = BuildSpec(input, failure);
            if (spec == null) return;
            failure.Function = spec.Function;
            var fromInput = ContextOf(piped);
            var options = CallOptions(TimeoutSec);

            if (spec.Uri != null) ProcessUri(spec, input, failure, fromInput, options);
            else ProcessFunction(spec, input, failure, fromInput, options);
        }

        protected override void EndProcessing() => _batch.Complete();

        /// <summary>A call to a URL: authenticated as -Authentication says, else with -Token, else signed when credentials are configured, else anonymous.</summary>
        private void ProcessUri(FcHttpCallSpec spec, object input, FcFailureContext failure, FcContext fromInput, FcCallOptions options)
        {
            FcConnectionPlan plan = null;
            var auth = spec.ChosenAuthentication ??
                       ((plan = PlanFor(fromInput, required: false)) != null ? FcTriggerAuth.Signature : FcTriggerAuth.Anonymous);
            if (auth == FcTriggerAuth.Signature && plan == null) plan = PlanFor(fromInput, required: true);
            failure.TriggerAuthentication = auth.ToString();

            var request = FcHttpTriggerCall.BuildRequest(spec, spec.Uri, auth);
            var tooLong = FcHttpTriggerCall.CheckLimits(request);
            if (tooLong != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.InvalidArgument, tooLong, input, failure));
                return;
            }
            var preview = MyInvocation.BoundParameters.ContainsKey("WhatIf")
                ? FcRequestPreview.DescribeTrigger(request, plan?.Credentials)
                : $"{spec.Method} {request.TargetUri.AbsoluteUri}";
            if (!ShouldProcess(preview, "Invoke")) return;

            var signed = auth == FcTriggerAuth.Signature;
            var source = Context == null ? fromInput : null;
            var key = (request.Origin.AbsoluteUri, signed, source);
            if (!_uriConnections.TryGetValue(key, out var connected))
                _uriConnections[key] = connected = FcConnector.ConnectTrigger(this, request.Origin, signed ? plan : null, source, "from -Uri");
            failure.Connection = connected;
            _batch.Submit(failure, ct => CallAsync(connected, spec, request, options, input, ct));
        }

        /// <summary>
        /// The connection plan of a -Uri call, once per connection source: with <paramref name="required"/> false, the plan
        /// only when a credential is configured without the network (else null: the call is anonymous by default); with
        /// true, the plan a signed call needs (the default chain's network sources included; none at all ends the command).
        /// </summary>
        private FcConnectionPlan PlanFor(FcContext fromInput, bool required)
        {
            var source = Context == null ? fromInput : null;
            if (!_plans.TryGetValue((source, required), out var plan))
                _plans[(source, required)] = plan = required ? FcConnector.Plan(this, source) : FcConnector.TryPlan(this, source);
            return plan;
        }

        /// <summary>A call to a function's trigger: found with ListTriggers (once per function in this command), authenticated as its auth type says.</summary>
        private void ProcessFunction(FcHttpCallSpec spec, object input, FcFailureContext failure, FcContext fromInput, FcCallOptions options)
        {
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm"))
            {
                if (!ShouldProcess(DescribeDiscovered(spec, fromInput), "Invoke")) return;
            }
            else if (!ShouldProcess($"{spec.Method} {spec.Function} (HTTP trigger)", "Invoke")) return;

            var connected = Connection(fromInput);
            failure.Connection = connected;
            _batch.Submit(failure, ct => CallFunctionAsync(connected, spec, failure, options, input, ct));
        }

        /// <summary>-WhatIf for a function's trigger: nothing is sent, not even ListTriggers; the URL (and, unless given, the authentication) are placeholders.</summary>
        private string DescribeDiscovered(FcHttpCallSpec spec, FcContext fromInput)
        {
            var fn = spec.Function.Value;
            var where = $"<the {(spec.Intranet ? "intranet" : "public")} URL of the HTTP trigger of '{fn}'" +
                        (fn.Qualifier == null ? string.Empty : $" (qualifier {fn.Qualifier})") + ", found with ListTriggers when sent>";
            var auth = spec.ChosenAuthentication ?? FcTriggerAuth.Anonymous;
            var authLine = spec.ChosenAuthentication.HasValue ? null
                : "<as the trigger's authType says, found with ListTriggers when sent: anonymous none, function FC's signature, jwt -Token>";
            var request = FcHttpTriggerCall.BuildRequest(spec, FcRequestPreview.TriggerStandIn, auth);
            var credentials = auth == FcTriggerAuth.Signature ? FcConnector.Plan(this, Context == null ? fromInput : null).Credentials : null;
            return FcRequestPreview.DescribeTrigger(request, credentials, where, authLine);
        }

        /// <summary>Worker side: no cmdlet access.</summary>
        private async Task<FcHttpResponse> CallFunctionAsync(FcConnected discovery, FcHttpCallSpec spec, FcFailureContext failure, FcCallOptions options,
                                                             object input, CancellationToken cancellationToken)
        {
            var fn = spec.Function.Value;
            var key = (discovery, fn.ToString(), spec.Intranet);
            var lazy = _targets.GetOrAdd(key, _ => new Lazy<Task<FcTriggerTarget>>(() =>
                FcTriggerDiscovery.FindAsync(discovery.Client, fn, spec.Intranet, options, Messages, cancellationToken)));
            var target = await lazy.Value.ConfigureAwait(false);

            var auth = spec.ChosenAuthentication ?? FcHttpCallSpec.AuthFor(target.AuthType, target.Function.ToString(), out var unsupported) ??
                       throw new FcInputException(FcErrorIds.InvalidArgument, unsupported);
            failure.TriggerAuthentication = auth.ToString();
            var problem = spec.CheckAgainst(target, auth);
            if (problem != null) throw new FcInputException(FcErrorIds.InvalidArgument, problem);
            spec.Function = target.Function;

            var request = FcHttpTriggerCall.BuildRequest(spec, target.BaseUri, auth);
            problem = FcHttpTriggerCall.CheckLimits(request);
            if (problem != null) throw new FcInputException(FcErrorIds.InvalidArgument, problem);
            var connected = FcConnector.ConnectTrigger(discovery, request.Origin, $"the HTTP trigger of '{target.Function}', found with ListTriggers {discovery.Origin}");
            failure.Connection = connected;
            return await CallAsync(connected, spec, request, options, input, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Worker side: the call, and the function's own 4xx/5xx as an exception so it is reported at once (unless -SkipHttpErrorCheck).</summary>
        private async Task<FcHttpResponse> CallAsync(FcConnected connected, FcHttpCallSpec spec, FcRequest request, FcCallOptions options,
                                                     object input, CancellationToken cancellationToken)
        {
            var response = await FcHttpTriggerCall.SendAsync(connected.Client, spec, request, options, Messages, cancellationToken).ConfigureAwait(false);
            response.InputObject = input;
            response.Context = connected.Context;
            if (response.StatusCode >= 400 && !response.AcceptedEarlier && !SkipHttpErrorCheck.IsPresent) throw FcHttpTriggerCall.Refusal(response);
            return response;
        }

        private void WriteResult(object item, FcHttpResponse response) =>
            WriteObject(response.InvocationType == "Async" ? FcViews.Mark(response, FcViews.AsyncHttpResponse) : (object)response);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _batch?.Dispose();
            base.Dispose(disposing);
        }

        /// <summary>
        /// The input of this call, as results (InputObject) and errors (TargetObject) name it: the piped object, else -Body,
        /// else the -InputFile path, else the URL or function as named.
        /// </summary>
        private object InputOf(PSObject piped)
        {
            if (piped != null) return InvocationInput.Plain(piped);
            if (FromFile) return InputFile;
            if (Body != null) return InvocationInput.Plain(Body);
            return ByUri ? (object)Uri : FunctionName;
        }

        /// <summary>
        /// What a piped object may choose (<see cref="PipelineBinding"/>): the function rules both invoking cmdlets share,
        /// and a plain row or FcInvoke's own object never chooses the URL, path, query, headers or method (a warning names
        /// the property not used, once per command). Returns false, with the error written, when this input names nothing to call.
        /// </summary>
        private bool ApplyBindingRules(PSObject piped, bool fcObject, FcFailureContext failure)
        {
            if (_binding.Drop(piped, nameof(Path), Path)) Path = null;
            if (_binding.Drop(piped, nameof(Method), Method)) Method = null;
            if (_binding.Drop(piped, nameof(Query), Query == null ? null : "set")) Query = null;
            if (_binding.Drop(piped, nameof(Header), Header == null ? null : "set")) Header = null;
            if (_binding.FromPipeline(nameof(Uri)))
            {
                _binding.WarnColumn(piped, Uri?.OriginalString, nameof(Uri), "Uri", "Url");
                Uri = null;
                WriteError(FcErrors.Input(FcErrorIds.InvalidArgument,
                    "No URL is named for this input: give it on the command line (Invoke-FcHttpTrigger -Uri <url>), or per input with -Uri { $_.<property> }.",
                    failure.Input, failure));
                return false;
            }
            var unnamed = _binding.ApplyFunctionRules(this, piped, fcObject, failure);
            if (unnamed == null) return true;
            WriteError(unnamed);
            return false;
        }
    }
}
