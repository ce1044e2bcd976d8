using System;
using System.Text;

namespace FcInvoke
{
    /// <summary>One invocation of an FC function, as Invoke-FcFunction returns it.</summary>
    public sealed class FcInvocationResult
    {
        private string _result;

        /// <summary>Made by the module only (and never by PowerShell's type conversion from a piped hashtable or row).</summary>
        internal FcInvocationResult() { }

        public string FunctionName { get; internal set; }
        /// <summary>The FC 2.0 service; empty for FC 3.0 functions.</summary>
        public string ServiceName { get; internal set; }
        public string Qualifier { get; internal set; }
        /// <summary>Sync or Async.</summary>
        public string InvocationType { get; internal set; }
        public int StatusCode { get; internal set; }
        public string RequestId { get; internal set; }
        /// <summary>The response body as UTF-8 text (empty for async invocations).</summary>
        public string Result => _result ?? (_result = RawResult == null || RawResult.Length == 0 ? string.Empty : Encoding.UTF8.GetString(RawResult));
        public byte[] RawResult { get; internal set; }
        /// <summary>The function's log tail (X-Fc-Log-Result, decoded): the last 4 KB, asked for by default on synchronous invocations (-LogType None asks for none).</summary>
        public string Logs { get; internal set; }
        /// <summary>Set when the function failed: UnhandledInvocationError or HandledInvocationError.</summary>
        public string ErrorType { get; internal set; }
        /// <summary>The function's errorMessage, when it failed.</summary>
        public string ErrorMessage { get; internal set; }
        public bool IsFunctionError => !string.IsNullOrEmpty(ErrorType);
        public string AsyncTaskId { get; internal set; }
        /// <summary>
        /// True when this async submission was retried after an answer was lost (a 5xx, a dropped connection) and FC then
        /// answered 409 "already exists": the lost attempt had queued the task, exactly once. StatusCode and RequestId are then
        /// those of the 409 answer.
        /// </summary>
        public bool AcceptedEarlier { get; internal set; }
        public string InstanceId { get; internal set; }
        /// <summary>The version or alias that actually ran (X-Fc-Invocation-Service-Version).</summary>
        public string ExecutedVersion { get; internal set; }
        /// <summary>How long the function ran, as FC reports it (X-Fc-Invocation-Duration); null when FC reports none (asynchronous invocations).</summary>
        public TimeSpan? Duration { get; internal set; }
        public double? MaxMemoryUsageMB { get; internal set; }
        public string CodeChecksum { get; internal set; }
        /// <summary>Every response header, read-only and case-insensitive (e.g. the session id a function with session affinity returns).</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, string> Headers { get; internal set; }
        public string TraceId { get; internal set; }
        /// <summary>Round-trip time seen by the client, retries included.</summary>
        public TimeSpan Elapsed { get; internal set; }
        /// <summary>How many HTTP attempts the call took (more than 1 after throttling).</summary>
        public int Attempts { get; internal set; }
        public string ApiVersion { get; internal set; }
        /// <summary>The endpoint host that answered.</summary>
        public string Endpoint { get; internal set; }
        /// <summary>
        /// The input this result answers: the piped object (a row, a string, a function object...), else -Payload, else the
        /// -InputFile path, else the function's name. An error's TargetObject is the same thing, so results and errors pair with inputs.
        /// </summary>
        public object InputObject { get; internal set; }
        /// <summary>The connection the invocation used (endpoint, account, region, credential source; never a secret): piping the result into another FcInvoke cmdlet uses it.</summary>
        public FcContext Context { get; internal set; }

        public override string ToString() => Result;

        private object _parsed;
        private bool _isParsed;

        /// <summary>
        /// Result parsed as JSON (objects, arrays, numbers, as ConvertFrom-Json gives them), once; the text itself when it
        /// is not JSON; null when empty.
        /// </summary>
        public object ResultObject
        {
            get
            {
                if (!_isParsed)
                {
                    var parse = JsonParser;
                    _parsed = string.IsNullOrWhiteSpace(Result) ? null : parse != null ? parse(Result) : Result;
                    _isParsed = true;
                }
                return _parsed;
            }
        }

        /// <summary>The function as tables show it and -FunctionName accepts it: 'service/function:qualifier', parts omitted when absent.</summary>
        public string Function => FcNameFormat.Function(ServiceName, FunctionName, Qualifier);

        /// <summary>
        /// Turns JSON text into the objects a PowerShell user expects (PSCustomObject and friends). The PowerShell layer
        /// sets it (this assembly has no PowerShell in it); without it ResultObject is the text.
        /// </summary>
        internal static Func<string, object> JsonParser { get; set; }
    }
}
