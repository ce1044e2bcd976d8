using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net.Sockets;
using System.Text;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcInvoke.Commands
{
    /// <summary>What a failure was about, for the message that says what to do: the function, the connection, the input.</summary>
    internal sealed class FcFailureContext
    {
        /// <summary>The function the command acted on, when it is known.</summary>
        public FcFunctionRef? Function { get; set; }
        /// <summary>The connection the command used (endpoint and where it came from), when it had one.</summary>
        public FcConnected Connection { get; set; }
        /// <summary>1-based position of the input in the pipeline; 0 when the command took no pipeline input.</summary>
        public int InputNumber { get; set; }
        /// <summary>The input (the error's TargetObject).</summary>
        public object Input { get; set; }
        /// <summary>For a call to an HTTP trigger: how it was authenticated (Anonymous, Signature, Jwt), once known.</summary>
        public string TriggerAuthentication { get; set; }
    }

    /// <summary>
    /// The one funnel from exceptions to error records: every failure that reaches a cmdlet becomes an ErrorRecord here,
    /// with a documented id (<see cref="FcErrorIds"/>, listed in docs/architecture.md), a fitting category, and the input
    /// it concerns as TargetObject (for Invoke-FcFunction always the input, whatever failed: see docs/cmdlets/Invoke-FcFunction.md).
    /// With a <see cref="FcFailureContext"/> the record also says what to do (ErrorDetails: shown instead of the exception's
    /// own message, which stays FC's; RecommendedAction) and, in a batch, which input failed. An exception nobody expected
    /// becomes FcUnexpectedError with the original inside. Cmdlets write the record from a catch body (never from an exception filter).
    /// </summary>
    internal static class FcErrors
    {
        public static ErrorRecord Record(Exception ex, object target, FcFailureContext context = null)
        {
            var record = Make(ex, target);
            if (context != null) Explain(record, ex, context);
            return record;
        }

        private static ErrorRecord Make(Exception ex, object target)
        {
            switch (ex)
            {
                case FcServiceException tooLarge when tooLarge.ErrorCode == FcServiceException.EntityTooLarge:
                    return new ErrorRecord(tooLarge, FcErrorIds.PayloadTooLarge, ErrorCategory.LimitsExceeded, target);
                case FcHttpException he:
                    // The function's own 4xx/5xx: the target is the whole answer, which names its input (InputObject).
                    return new ErrorRecord(he, FcErrorIds.HttpError, CategoryFor(he.StatusCode), he.Response);
                case FcFunctionException fe:
                    // The full result stays reachable as the exception's Result, shown by its own table view.
                    FcViews.Mark(fe.Result, FcViews.FunctionErrorResult);
                    return new ErrorRecord(fe, FcErrorIds.FunctionError, ErrorCategory.InvalidResult, target);
                case FcServiceException se:
                    return new ErrorRecord(se, FcErrorIds.ServiceError, CategoryFor(se.StatusCode), target);
                case FcTimeoutException te:
                    return new ErrorRecord(te, FcErrorIds.Timeout, ErrorCategory.OperationTimeout, target);
                case FcLoopbackViolationException lv:
                    return new ErrorRecord(lv, FcErrorIds.LoopbackOnly, ErrorCategory.SecurityError, target);
                case FcTransportException tr:
                    return new ErrorRecord(tr, FcErrorIds.ConnectionFailed, ErrorCategory.ConnectionError, target);
                case FcUnexpectedResponseException ue:
                    return new ErrorRecord(ue, FcErrorIds.UnexpectedResponse, ErrorCategory.InvalidResult, target);
                case FcResponseTooLargeException tl:
                    return new ErrorRecord(tl, FcErrorIds.ResponseTooLarge, ErrorCategory.LimitsExceeded, target);
                case FcPagingException pe:
                    return new ErrorRecord(pe, FcErrorIds.PagingStalled, ErrorCategory.InvalidResult, target);
                case FcCredentialException ce:
                    return new ErrorRecord(ce, ce.ErrorId, CredentialCategory(ce.Failure), target);
                case FcInputException ie:
                    return new ErrorRecord(ie, ie.ErrorId, InputCategory(ie.ErrorId), target);
                default:
                    return new ErrorRecord(
                        new InvalidOperationException($"FcInvoke failed unexpectedly ({ex.GetType().Name}: {ex.Message}). Please report this with the error record's details.", ex),
                        FcErrorIds.UnexpectedError, ErrorCategory.NotSpecified, target);
            }
        }

        /// <summary>Wait-FcAsyncTask's deadline passed; the target is the unfinished tasks' last known state.</summary>
        public static ErrorRecord WaitTimeout(string message, object target) =>
            new ErrorRecord(new FcTimeoutException(message), FcErrorIds.AsyncTaskWaitTimeout, ErrorCategory.OperationTimeout, target);

        /// <summary>Bad input found before sending, as an error record: what is wrong and what to do.</summary>
        public static ErrorRecord Input(string errorId, string message, object target, FcFailureContext context = null) =>
            Record(new FcInputException(errorId, message), target, context);

        /// <summary>
        /// PowerShell's own control flow (Ctrl+C, a downstream Select-Object -First, -ErrorAction Stop, exit): it passes
        /// through a cmdlet untouched and is never turned into an error record.
        /// </summary>
        public static bool IsFlowControl(Exception ex) =>
            ex is PipelineStoppedException || ex is ActionPreferenceStopException || ex is HaltCommandException || ex is FlowControlException;

        /// <summary>The message shown (ErrorDetails): in a batch the input first, then the exception's message and what to do.</summary>
        private static void Explain(ErrorRecord record, Exception ex, FcFailureContext context)
        {
            var hint = Hint(ex, context);
            var prefix = context.InputNumber > 0
                ? $"Input {context.InputNumber.ToString(CultureInfo.InvariantCulture)} ({Brief(context.Input)}): "
                : string.Empty;
            if (hint == null && prefix.Length == 0) return;
            var details = new ErrorDetails(prefix + record.Exception.Message + (hint == null ? string.Empty : " " + hint));
            if (hint != null) details.RecommendedAction = hint;
            record.ErrorDetails = details;
        }

        /// <summary>What to do next, for the failures where the exception alone does not say: null when there is nothing to add.</summary>
        internal static string Hint(Exception ex, FcFailureContext context)
        {
            var connection = context.Connection;
            switch (ex)
            {
                case FcServiceException se when se.ErrorCode == "FunctionNotFound" && context.Function.HasValue:
                {
                    var fn = context.Function.Value;
                    var where = Where(connection);
                    return fn.IsV2
                        ? $"FcInvoke looked for '{fn.FunctionName}' in the FC 2.0 service '{fn.ServiceName}' {where}. For an FC 3.0 function, leave -ServiceName out; " +
                          $"Get-FcFunction -ServiceName {fn.ServiceName} lists the service's functions."
                        : $"FcInvoke looked for the FC 3.0 function '{fn.FunctionName}' {where}. If it is in an FC 2.0 service, name the service: " +
                          $"-ServiceName <service> -FunctionName {fn.FunctionName}, or '<service>/{fn.FunctionName}'. Get-FcFunction -All lists every function, FC 3.0 and FC 2.0.";
                }
                case FcServiceException se when se.ErrorCode == "ServiceNotFound" && context.Function.HasValue && context.Function.Value.IsV2:
                    return $"FcInvoke looked for the FC 2.0 service '{context.Function.Value.ServiceName}' {Where(connection)}. Get-FcService lists the services; " +
                           "for an FC 3.0 function, leave -ServiceName out.";
                case FcServiceException se when context.TriggerAuthentication == "Signature" && (se.StatusCode == 401 || se.StatusCode == 403) &&
                                                connection?.Context != null:
                    return $"The call was signed with the credential from {connection.Context.Source}. FC checks a trigger's signature with the keys of the " +
                           "account that owns the function: use a credential of that account (an STS credential with its token).";
                case FcServiceException se when (se.ErrorCode == "InvalidAccessKeyID" || se.ErrorCode == "SignatureNotMatch" || se.StatusCode == 401) &&
                                                connection?.Context != null && context.TriggerAuthentication == null:
                    return $"The credential came from {connection.Context.Source}; check it belongs to the account at {connection.Endpoint} ({connection.Origin}).";
                case FcLoopbackViolationException _:
                    return null;
                case FcTransportException tr when connection != null:
                    return TransportHint(tr, connection);
                case FcTimeoutException te when connection != null && te.InnerException is FcConnectTimeoutException:
                    return $"Nothing answered at {connection.Endpoint} ({connection.Origin}) in time. Check that address and the network" +
                           (connection.IsAccountEndpoint ? " (and -Region, -AccountId)." : "; if it is an emulator, Get-FcEmulator shows whether it still runs.");
                default:
                    return null;
            }
        }

        private static string TransportHint(FcTransportException ex, FcConnected connection)
        {
            var socket = Innermost<SocketException>(ex);
            var at = $"{connection.Endpoint} ({connection.Origin})";
            if (socket != null && socket.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return connection.IsAccountEndpoint
                    ? $"Nothing accepted the connection at {at}. Check -Region and -AccountId."
                    : $"Nothing accepted the connection at {at}. Check that address; if it is an emulator, Get-FcEmulator shows whether it still runs " +
                      "(a stopped one does not answer: start another and connect to it with $emu = Start-FcEmulator ...; $emu | Connect-FcAccount).";
            }
            if (socket != null && (socket.SocketErrorCode == SocketError.HostNotFound || socket.SocketErrorCode == SocketError.NoData || socket.SocketErrorCode == SocketError.TryAgain))
            {
                var region = connection.IsAccountEndpoint && !string.IsNullOrEmpty(connection.Region) && !FcRegions.IsKnown(connection.Region)
                    ? $" '{connection.Region}' is not an FC region FcInvoke knows" + Closest(connection.Region) + "."
                    : string.Empty;
                return $"The host of {at} was not found.{region} Check the address" + (connection.IsAccountEndpoint ? ", -Region and -AccountId." : ".");
            }
            return $"The endpoint was {at}.";
        }

        internal static string Closest(string region)
        {
            var close = FcRegions.Closest(region);
            return close.Count == 0 ? string.Empty : " (did you mean " + string.Join(" or ", close) + "?)";
        }

        private static string Where(FcConnected connection)
        {
            if (connection == null) return "here";
            var account = string.IsNullOrEmpty(connection.AccountId) ? "an unnamed account" : "account " + connection.AccountId;
            var region = string.IsNullOrEmpty(connection.Region) ? "no region given" : "region " + connection.Region;
            return $"in {account}, {region} ({connection.Endpoint}, {connection.Origin})";
        }

        private static T Innermost<T>(Exception ex) where T : Exception
        {
            T found = null;
            for (var e = ex; e != null; e = e.InnerException) if (e is T t) found = t;
            return found;
        }

        /// <summary>A short rendering of an input for a message: its text, its first few properties, or its name.</summary>
        internal static string Brief(object input)
        {
            var value = input is PSObject pso && !(pso.BaseObject is PSCustomObject) ? pso.BaseObject : input;
            switch (value)
            {
                case null: return "no payload";
                case string s: return "'" + Cut(s.Replace("\r", " ").Replace("\n", " "), 40) + "'";
                case FcFunctionInfo f: return "function " + f.Function;
                case FcInvocationResult r: return "result of " + r.Function;
                case FcAsyncTask t: return "task " + t.TaskId;
                case FcServiceInfo s: return "service " + s.ServiceName;
                case IDictionary d: return Cut(Pairs(d.Keys.Cast<object>().Select(k => (Convert.ToString(k, CultureInfo.InvariantCulture), d[k]))), 60);
                case PSObject row: return Cut(Pairs(row.Properties.Select(p => (p.Name, SafeValue(p)))), 60);
                case byte[] bytes: return $"{bytes.Length:N0} bytes";
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                default: return value.GetType().Name;
            }
        }

        private static object SafeValue(PSPropertyInfo property)
        {
            try { return property.Value; } catch (GetValueException) { return null; }
        }

        private static string Pairs(System.Collections.Generic.IEnumerable<(string Name, object Value)> pairs)
        {
            var text = new StringBuilder("{");
            int n = 0;
            foreach (var (name, value) in pairs)
            {
                if (n == 3) { text.Append(", …"); break; }
                if (n++ > 0) text.Append(", ");
                var v = value is PSObject p ? p.BaseObject : value;
                text.Append(name).Append('=').Append(v is string s ? Cut(s, 20) : v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : v == null ? "" : "…");
            }
            return text.Append('}').ToString();
        }

        private static string Cut(string text, int max) => text.Length <= max ? text : text.Substring(0, max - 1) + "…";

        internal static ErrorCategory CategoryFor(int status)
        {
            switch (status)
            {
                case 400: return ErrorCategory.InvalidArgument;
                case 401:
                case 403: return ErrorCategory.PermissionDenied;
                case 404: return ErrorCategory.ObjectNotFound;
                case 409: return ErrorCategory.ResourceExists;
                case 412: return ErrorCategory.InvalidOperation;
                case 413:
                case 429:
                case 503: return ErrorCategory.LimitsExceeded;
                default: return status >= 500 ? ErrorCategory.ResourceUnavailable : ErrorCategory.InvalidOperation;
            }
        }

        private static ErrorCategory CredentialCategory(FcCredentialFailure failure)
        {
            switch (failure)
            {
                case FcCredentialFailure.ProfileNotFound: return ErrorCategory.ObjectNotFound;
                case FcCredentialFailure.InvalidFile: return ErrorCategory.ParserError;
                case FcCredentialFailure.InvalidArgument: return ErrorCategory.InvalidArgument;
                default: return ErrorCategory.AuthenticationError; // not found, STS, ECS metadata
            }
        }

        private static ErrorCategory InputCategory(string errorId)
        {
            switch (errorId)
            {
                case FcErrorIds.PayloadTooLarge: return ErrorCategory.LimitsExceeded;
                case FcErrorIds.InputFileNotFound:
                case FcErrorIds.HttpTriggerNotFound: return ErrorCategory.ObjectNotFound;
                case FcErrorIds.InputFileUnreadable: return ErrorCategory.ReadError;
                default: return ErrorCategory.InvalidArgument;
            }
        }
    }

    /// <summary>
    /// Type names that pick a table view for one kind of result (FcInvoke.Format.ps1xml): an asynchronous invocation shows its
    /// task id, a failed function its error, where a synchronous success shows its result. PowerShell keeps a type name
    /// added to an object for as long as the object lives, so the view follows the result wherever it is shown.
    /// </summary>
    internal static class FcViews
    {
        public const string AsyncResult = "FcInvoke.FcInvocationResult#Async";
        public const string FunctionErrorResult = "FcInvoke.FcInvocationResult#FunctionError";
        public const string AsyncHttpResponse = "FcInvoke.FcHttpResponse#Async";

        public static PSObject Mark(object value, string typeName)
        {
            var wrapped = PSObject.AsPSObject(value);
            if (!wrapped.TypeNames.Contains(typeName)) wrapped.TypeNames.Insert(0, typeName);
            return wrapped;
        }
    }
}
