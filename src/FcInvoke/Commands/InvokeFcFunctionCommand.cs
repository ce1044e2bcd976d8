using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
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
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "FcFunction", DefaultParameterSetName = PayloadSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FcInvocationResult))]
    public sealed class InvokeFcFunctionCommand : FcFunctionCmdlet
    {
        private const string PayloadSet = "Payload";
        private const string FileSet = "InputFile";

        /// <summary>The event: a string is sent as UTF-8 as it is, byte[] raw, anything else as JSON.</summary>
        [Parameter(Position = 1, ValueFromPipeline = true, ParameterSetName = PayloadSet)]
        [AllowNull]
        [AllowEmptyString]
        [Alias("Event", "Body")]
        public object Payload { get; set; }

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

        private FanOut<FcInvocationResult> _fanOut;
        private bool _payloadOnCommandLine;
        /// <summary>The position of the next input in the batch (-AsyncTaskIdPrefix), counted whether or not the input can be sent.</summary>
        private long _batchSequence;

        protected override void BeginProcessing()
        {
            if (AsyncTaskIdPrefix != null)
            {
                var problem = FcNames.CheckTaskIdPrefix(AsyncTaskIdPrefix);
                if (problem != null) ThrowTerminatingError(FcErrors.Input(FcErrorIds.InvalidArgument, problem, AsyncTaskIdPrefix));
            }
            _payloadOnCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Payload));
            ConfigureMessages();
            _fanOut = new FanOut<FcInvocationResult>(this, Messages, ThrottleLimit, !Unordered.IsPresent, "Invoke-FcFunction",
                                                     (input, result) => WriteObject(result), WriteFailure, PipelineStopToken);
        }

        protected override void ProcessRecord()
        {
            // A function piped in (Get-FcFunction | Invoke-FcFunction) names what to invoke; it is not the event.
            if (!_payloadOnCommandLine && PSJson.Unwrap(Payload) is FcFunctionInfo) Payload = null;
            var input = ParameterSetName == FileSet ? InputFile : (object)Payload ?? FunctionName;
            var spec = BuildSpec(input);
            if (spec == null) return;

            var request = FcInvocation.BuildRequest(spec);
            if (!ShouldProcess(DescribeForShouldProcess(request), "Invoke")) return;

            var client = Connect();
            var options = CallOptions(TimeoutSec);
            _fanOut.Submit(input, ct => InvokeOneAsync(client, spec, request, options, input, ct));
        }

        protected override void EndProcessing() => _fanOut.Complete();

        /// <summary>Worker side: no cmdlet access. A function error becomes an exception so it is reported at once.</summary>
        private async Task<FcInvocationResult> InvokeOneAsync(FcClient client, FcInvocationSpec spec, FcRequest request, FcCallOptions options,
                                                              object input, CancellationToken cancellationToken)
        {
            var result = await FcInvocation.InvokeAsync(client, spec, request, options, Messages, cancellationToken).ConfigureAwait(false);
            result.InputObject = input;
            if (result.IsFunctionError) throw new FcFunctionException(result);
            return result;
        }

        private void WriteFailure(object input, Exception error) => WriteError(FcErrors.Record(error, input));

        protected override void Dispose(bool disposing)
        {
            if (disposing) _fanOut?.Dispose();
            base.Dispose(disposing);
        }

        /// <summary>Validates names, reads the payload and checks its size; null (with an error written) when this input cannot be sent.</summary>
        private FcInvocationSpec BuildSpec(object target)
        {
            // The n-th input of the command gets the n-th id of the batch, so the same inputs get the same ids again.
            var batchTaskId = AsyncTaskIdPrefix != null ? FcNames.BatchTaskId(AsyncTaskIdPrefix, ++_batchSequence) : null;
            if (batchTaskId != null && AsyncTaskId != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.InvalidArgument,
                    $"Give -AsyncTaskId or -AsyncTaskIdPrefix, not both (this input has the task id '{AsyncTaskId}').", target));
                return null;
            }
            bool isAsync = InvocationType == FcInvocationType.Async ||
                           ((AsyncTaskId ?? batchTaskId) != null && !MyInvocation.BoundParameters.ContainsKey(nameof(InvocationType)));
            var spec = new FcInvocationSpec
            {
                Function = Function,
                IsAsync = isAsync,
                LogTail = LogType == FcLogType.Tail,
                AsyncTaskId = AsyncTaskId ?? batchTaskId,
                EnableAsyncTask = EnableAsyncTask.IsPresent,
                TraceId = TraceId,
                AsyncDelaySec = MyInvocation.BoundParameters.ContainsKey(nameof(AsyncDelaySec)) ? AsyncDelaySec : (int?)null,
                Headers = HeaderPairs(),
            };

            if (!CheckIdentity(target)) return null;

            try
            {
                spec.Body = ParameterSetName == FileSet ? ReadInputFile(target, isAsync) : FcRequestBody.FromBytes(PSJson.ToBody(Payload));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ItemNotFoundException)
            {
                WriteError(FcErrors.Record(new FcInputException(FcErrorIds.InputFileUnreadable, $"The input file '{InputFile}' cannot be read: {ex.Message}", ex), InputFile));
                return null;
            }
            catch (FcInputException ex)
            {
                WriteError(FcErrors.Record(ex, target));
                return null;
            }
            if (spec.Body == null) return null;

            var problem = spec.Validate();
            if (problem != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.InvalidArgument, problem, target));
                return null;
            }
            var tooLarge = FcNames.CheckPayloadSize(spec.Body.Length, spec.IsAsync);
            if (tooLarge != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.PayloadTooLarge, tooLarge, target));
                return null;
            }
            return spec;
        }

        /// <summary>-Header as name/value pairs: values as text, several values joined with ", " as HTTP folds them.</summary>
        private List<KeyValuePair<string, string>> HeaderPairs()
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (Header == null) return pairs;
            foreach (DictionaryEntry entry in Header)
            {
                var value = PSJson.Unwrap(entry.Value);
                var text = value is IEnumerable many && !(value is string)
                    ? string.Join(", ", many.Cast<object>().Select(Text))
                    : Text(value);
                pairs.Add(new KeyValuePair<string, string>(Text(entry.Key), text));
            }
            return pairs;
        }

        private static string Text(object value) => Convert.ToString(PSJson.Unwrap(value), CultureInfo.InvariantCulture) ?? string.Empty;

        private FcRequestBody ReadInputFile(object target, bool isAsync)
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(InputFile);
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                WriteError(FcErrors.Input(FcErrorIds.InputFileNotFound, $"The input file '{path}' does not exist.", InputFile));
                return null;
            }
            var tooLarge = FcNames.CheckPayloadSize(info.Length, isAsync);
            if (tooLarge != null) throw new FcInputException(FcErrorIds.PayloadTooLarge, tooLarge);
            return FcRequestBody.FromFile(path);
        }

        /// <summary>
        /// What ShouldProcess shows; built without the network, so neither -WhatIf nor -Confirm (before its answer) sends
        /// anything. -WhatIf shows the exact request, signed as it would be, secrets redacted (<see cref="FcRequestPreview"/>).
        /// </summary>
        private string DescribeForShouldProcess(FcRequest request) =>
            MyInvocation.BoundParameters.ContainsKey("WhatIf")
                ? FcRequestPreview.Describe(request, FcConnector.Plan(this))
                : request.Action + " " + request.PathAndQuery;
    }
}
