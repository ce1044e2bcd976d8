using System;

namespace FcInvoke
{
    /// <summary>
    /// The function ran and failed (FC answered 200 with X-Fc-Error-Type). The full result, logs and request id
    /// included, is in <see cref="Result"/>; it is also the error record's TargetObject, and its InputObject is the input.
    /// </summary>
    public class FcFunctionException : Exception
    {
        public FcFunctionException(FcInvocationResult result)
            : base($"Function '{FcNameFormat.Function(result.ServiceName, result.FunctionName, result.Qualifier)}' failed ({result.ErrorType}): {result.ErrorMessage}" +
                   (string.IsNullOrEmpty(result.RequestId) ? string.Empty : $" (RequestId {result.RequestId})"))
        {
            Result = result;
        }

        public FcInvocationResult Result { get; }
        public string ErrorType => Result.ErrorType;
        public string RequestId => Result.RequestId;
    }
}
