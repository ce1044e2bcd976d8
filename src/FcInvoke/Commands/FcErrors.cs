using System;
using System.Management.Automation;
using FcInvoke.Credentials;

namespace FcInvoke.Commands
{
    /// <summary>
    /// The one funnel from exceptions to error records: every failure that reaches a cmdlet becomes an ErrorRecord here,
    /// with a documented id (<see cref="FcErrorIds"/>, listed in docs/architecture.md), a fitting category, and the input
    /// it concerns as TargetObject. An exception nobody expected becomes FcUnexpectedError with the original inside.
    /// Cmdlets write the record from a catch body (never from an exception filter).
    /// </summary>
    internal static class FcErrors
    {
        public static ErrorRecord Record(Exception ex, object target)
        {
            switch (ex)
            {
                case FcServiceException tooLarge when tooLarge.ErrorCode == FcServiceException.EntityTooLarge:
                    return new ErrorRecord(tooLarge, FcErrorIds.PayloadTooLarge, ErrorCategory.LimitsExceeded, target);
                case FcFunctionException fe:
                    return new ErrorRecord(fe, FcErrorIds.FunctionError, ErrorCategory.InvalidResult, fe.Result);
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
        public static ErrorRecord Input(string errorId, string message, object target) =>
            Record(new FcInputException(errorId, message), target);

        /// <summary>
        /// PowerShell's own control flow (Ctrl+C, a downstream Select-Object -First, -ErrorAction Stop, exit): it passes
        /// through a cmdlet untouched and is never turned into an error record.
        /// </summary>
        public static bool IsFlowControl(Exception ex) =>
            ex is PipelineStoppedException || ex is ActionPreferenceStopException || ex is HaltCommandException || ex is FlowControlException;

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
                case FcErrorIds.InputFileNotFound: return ErrorCategory.ObjectNotFound;
                case FcErrorIds.InputFileUnreadable: return ErrorCategory.ReadError;
                default: return ErrorCategory.InvalidArgument;
            }
        }
    }
}
