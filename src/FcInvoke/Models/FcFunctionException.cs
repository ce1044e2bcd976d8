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
            : base($"Function '{Describe(result)}' failed ({result.ErrorType}): {result.ErrorMessage}" +
                   (string.IsNullOrEmpty(result.RequestId) ? string.Empty : $" (RequestId {result.RequestId})"))
        {
            Result = result;
        }

        public FcInvocationResult Result { get; }
        public string ErrorType => Result.ErrorType;
        public string RequestId => Result.RequestId;

        private static string Describe(FcInvocationResult r) =>
            (string.IsNullOrEmpty(r.ServiceName) ? string.Empty : r.ServiceName + "/") + r.FunctionName +
            (string.IsNullOrEmpty(r.Qualifier) ? string.Empty : ":" + r.Qualifier);
    }
}
