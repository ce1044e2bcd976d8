using System.Collections;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Interop;

namespace FcInvoke.Commands
{
    public enum FcInvocationType { Sync, Async }

    public enum FcLogType { None, Tail }

    /// <summary>
    /// Invoke-FcFunction: one InvokeFunction call per input, FC 2.0 with -ServiceName, FC 3.0 without; with -ThrottleLimit,
    /// up to that many calls in flight (see <see cref="FanOut{T}"/>).
    /// Pipeline binding (the table in docs/cmdlets/Invoke-FcFunction.md): a piped row or value is the payload and may name
    /// the function with a FunctionName property; only FcInvoke's own objects (functions, results, tasks, services) choose
    /// the service and qualifier, and nothing piped chooses the task id; what the user names on the command line (a value
    /// or a delay-bind script block) always wins. Every error's TargetObject is the input (<see cref="InputOf"/>).
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "FcFunction", DefaultParameterSetName = PayloadSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FcInvocationResult))]
    public sealed class InvokeFcFunctionCommand : FcFunctionCmdlet, IPipedFunctionInput
    {
        private const string PayloadSet = "Payload";
        private const string FileSet = "InputFile";

        /// <summary>The event: a string is sent as UTF-8 as it is, byte[] raw, data as JSON; what is not data is refused (<see cref="PSJson"/>).</summary>
        [Parameter(Position = 1, ValueFromPipeline = true, ParameterSetName = PayloadSet)]
        [AllowNull]
        [AllowEmptyString]
        [Alias("Event", "Body")]
        public object Payload { get; set; }

        /// <summary>The piped object, whatever it binds to: the input results and errors name, and the connection of FcInvoke's own objects.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = FileSet)]
        [ValidateNotNullOrEmpty]
        [Alias("EventFile")]
        public string InputFile { get; set; }

        [Parameter]
        public FcInvocationType InvocationType { get; set; } = FcInvocationType.Sync;

        [Parameter]
        public FcLogType LogType { get; set; } = FcLogType.None;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("TaskId")]
        public string AsyncTaskId { get; set; }

        /// <summary>
        /// Gives each asynchronous invocation of this command the task id &lt;prefix&gt;&lt;n&gt;, n being the input's
        /// position (1-based), zero-padded to 6 digits: a batch that can be listed, waited for and stopped by its prefix,
        /// and resent safely like -AsyncTaskId.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AsyncTaskIdPrefix { get; set; }

        [Parameter]
        public SwitchParameter EnableAsyncTask { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TraceId { get; set; }

        /// <summary>Seconds FC waits before running an asynchronous invocation (x-fc-async-delay), 0 to 3600.</summary>
        [Parameter]
        [ValidateRange(0, FcInvocationSpec.MaxAsyncDelaySec)]
        public int AsyncDelaySec { get; set; }

        /// <summary>Extra request headers, e.g. the one a function with session affinity routes by.</summary>
        [Parameter]
        [ValidateNotNull]
        public IDictionary Header { get; set; }

        /// <summary>Bound for one call in seconds, retries included; 0 (the default) waits as long as the function runs.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <summary>How many invocations may be in flight at once for pipeline input (1, the default, runs them one by one).</summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 1;

        /// <summary>Write results as invocations finish instead of in input order.</summary>
        [Parameter]
        public SwitchParameter Unordered { get; set; }

        private InvocationBatch<FcInvocationResult> _batch;
        private bool _payloadOnCommandLine;
        /// <summary>The binding rules (shared with Invoke-FcHttpTrigger): what the user named, what rows may not choose.</summary>
        private PipelineBinding _binding;
        /// <summary>The position of the next input in the batch (-AsyncTaskIdPrefix), counted whether or not the input can be sent.</summary>
        private long _batchSequence;

        protected override void BeginProcessing()
        {
            if (AsyncTaskIdPrefix != null)
            {
                var problem = FcNames.CheckTaskIdPrefix(AsyncTaskIdPrefix);
                if (problem != null) ThrowTerminatingError(FcErrors.Input(FcErrorIds.InvalidArgument, problem, AsyncTaskIdPrefix));
            }
            _binding = new PipelineBinding(this, "the payload", "the service, qualifier or task id");
            _payloadOnCommandLine = _binding.IsNamed(nameof(Payload));
            _batch = new InvocationBatch<FcInvocationResult>(this, ThrottleLimit, Unordered.IsPresent, "Invoke-FcFunction", WriteResult);
        }

        protected override void ProcessRecord()
        {
            var piped = MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)) ? InputObject : null;
            // FcInvoke's own objects name what to invoke (and carry the connection they came from); they are never the event.
            bool fcObject = piped != null && IsFcObject(piped);
            if (fcObject && !_payloadOnCommandLine) Payload = null;

            var input = InputOf(piped);
            var failure = _batch.Next(input);
            var unnamed = piped == null ? null : _binding.ApplyFunctionRules(this, piped, fcObject, failure);
            if (unnamed != null)
            {
                WriteError(unnamed);
                return;
            }

            var spec = BuildSpec(input, failure);
            if (spec == null) return;
            failure.Function = spec.Function;

            var request = FcInvocation.BuildRequest(spec);
            var fromInput = ContextOf(piped);
            if (!ShouldProcess(DescribeForShouldProcess(request, fromInput), "Invoke")) return;

            var connected = Connection(fromInput);
            failure.Connection = connected;
            var options = CallOptions(TimeoutSec);
            _batch.Submit(failure, ct => InvokeOneAsync(connected, spec, request, options, input, ct));
        }

        protected override void EndProcessing() => _batch.Complete();

        /// <summary>
        /// The input of this invocation, as results (InputObject) and errors (TargetObject) name it: the piped object, else
        /// -Payload, else the -InputFile path, else the function as named.
        /// </summary>
        private object InputOf(PSObject piped)
        {
            if (piped != null) return InvocationInput.Plain(piped);
            if (ParameterSetName == FileSet) return InputFile;
            return Payload != null ? InvocationInput.Plain(Payload) : FunctionName;
        }

        /// <summary>Worker side: no cmdlet access. A function error becomes an exception so it is reported at once.</summary>
        private async Task<FcInvocationResult> InvokeOneAsync(FcConnected connected, FcInvocationSpec spec, FcRequest request, FcCallOptions options,
                                                              object input, CancellationToken cancellationToken)
        {
            var result = await FcInvocation.InvokeAsync(connected.Client, spec, request, options, Messages, cancellationToken).ConfigureAwait(false);
            result.InputObject = input;
            result.Context = connected.Context;
            if (result.IsFunctionError) throw new FcFunctionException(result);
            return result;
        }

        private void WriteResult(object item, FcInvocationResult result) =>
            WriteObject(result.InvocationType == "Async" ? FcViews.Mark(result, FcViews.AsyncResult) : (object)result);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _batch?.Dispose();
            base.Dispose(disposing);
        }

        /// <summary>Validates names, reads the payload and checks its size; null (with an error written) when this input cannot be sent.</summary>
        private FcInvocationSpec BuildSpec(object target, FcFailureContext failure)
        {
            // The n-th input of the command gets the n-th id of the batch, so the same inputs get the same ids again.
            var batchTaskId = AsyncTaskIdPrefix != null ? FcNames.BatchTaskId(AsyncTaskIdPrefix, ++_batchSequence) : null;
            if (batchTaskId != null && AsyncTaskId != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.InvalidArgument,
                    $"Give -AsyncTaskId or -AsyncTaskIdPrefix, not both (this input has the task id '{AsyncTaskId}').", target, failure));
                return null;
            }
            if (!TryGetFunction(target, out var function, failure)) return null;
            bool isAsync = InvocationType == FcInvocationType.Async ||
                           ((AsyncTaskId ?? batchTaskId) != null && !MyInvocation.BoundParameters.ContainsKey(nameof(InvocationType)));
            var spec = new FcInvocationSpec
            {
                Function = function,
                IsAsync = isAsync,
                // Without -LogType a synchronous invocation asks for its log tail, so a failure carries it; FC has none for async.
                LogTail = MyInvocation.BoundParameters.ContainsKey(nameof(LogType)) ? LogType == FcLogType.Tail : !isAsync,
                AsyncTaskId = AsyncTaskId ?? batchTaskId,
                EnableAsyncTask = EnableAsyncTask.IsPresent,
                TraceId = TraceId,
                AsyncDelaySec = MyInvocation.BoundParameters.ContainsKey(nameof(AsyncDelaySec)) ? AsyncDelaySec : (int?)null,
                Headers = PipelineBinding.HeaderPairs(Header),
            };

            try
            {
                spec.Body = ParameterSetName == FileSet
                    ? InvocationInput.ReadFile(this, InputFile, isAsync)
                    : FcRequestBody.FromBytes(PSJson.ToBody(Payload));
            }
            catch (FcInputException ex)
            {
                WriteError(FcErrors.Record(ex, target, failure));
                return null;
            }

            var problem = spec.Validate();
            if (problem != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.InvalidArgument, problem, target, failure));
                return null;
            }
            var tooLarge = FcNames.CheckPayloadSize(spec.Body.Length, spec.IsAsync);
            if (tooLarge != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.PayloadTooLarge, tooLarge, target, failure));
                return null;
            }
            return spec;
        }

        /// <summary>
        /// What ShouldProcess shows; built without the network, so neither -WhatIf nor -Confirm (before its answer) sends
        /// anything. -WhatIf shows the exact request, signed as it would be, secrets redacted (<see cref="FcRequestPreview"/>).
        /// </summary>
        private string DescribeForShouldProcess(FcRequest request, FcContext fromInput) =>
            MyInvocation.BoundParameters.ContainsKey("WhatIf")
                ? FcRequestPreview.Describe(request, FcConnector.Plan(this, Context == null ? fromInput : null))
                : request.Action + " " + request.PathAndQuery;
    }
}
