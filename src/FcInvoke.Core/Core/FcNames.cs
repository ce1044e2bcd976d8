using System.Text.RegularExpressions;

namespace FcInvoke.Core
{
    /// <summary>FC's naming rules, checked before anything is sent so a typo gets a clear message instead of a 400.</summary>
    internal static class FcNames
    {
        private static readonly Regex FunctionPattern = new Regex("^[A-Za-z_][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant);
        private static readonly Regex ServicePattern = new Regex("^[A-Za-z_][A-Za-z0-9_-]{0,127}$", RegexOptions.CultureInvariant);
        private static readonly Regex QualifierPattern = new Regex("^(?:[A-Za-z_][A-Za-z0-9_-]{0,127}|[0-9]{1,128})$", RegexOptions.CultureInvariant);
        private static readonly Regex TaskIdPattern = new Regex("^[A-Za-z_][A-Za-z0-9_-]{0,127}$", RegexOptions.CultureInvariant);

        public const long MaxSyncPayloadBytes = 32L * 1024 * 1024;
        public const long MaxAsyncPayloadBytes = 128L * 1024;

        public static string CheckFunctionName(string name) =>
            Check(name, FunctionPattern, "function name", "1 to 64 letters, digits, '_' or '-', not starting with a digit or '-'");

        public static string CheckServiceName(string name) =>
            Check(name, ServicePattern, "service name", "1 to 128 letters, digits, '_' or '-', not starting with a digit or '-'");

        public static string CheckQualifier(string name) =>
            Check(name, QualifierPattern, "qualifier", "LATEST, a version number, or an alias of 1 to 128 letters, digits, '_' or '-' not starting with '-'");

        public static string CheckTaskId(string name) =>
            Check(name, TaskIdPattern, "async task id", "1 to 128 letters, digits, '_' or '-', starting with a letter or '_'");

        /// <summary>Null when the function reference is valid, otherwise the first problem found.</summary>
        public static string CheckFunction(FcFunctionRef fn) =>
            CheckFunctionName(fn.FunctionName)
            ?? (fn.ServiceName != null ? CheckServiceName(fn.ServiceName) : null)
            ?? (fn.Qualifier != null ? CheckQualifier(fn.Qualifier) : null);

        public static string CheckPayloadSize(long length, bool isAsync)
        {
            var limit = isAsync ? MaxAsyncPayloadBytes : MaxSyncPayloadBytes;
            return length <= limit
                ? null
                : $"The payload is {length:N0} bytes; FC accepts at most {limit:N0} bytes for {(isAsync ? "an asynchronous" : "a synchronous")} invocation.";
        }

        private static string Check(string value, Regex pattern, string what, string rule)
        {
            if (string.IsNullOrEmpty(value)) return $"The {what} is empty.";
            return pattern.IsMatch(value) ? null : $"'{value}' is not a valid {what}: FC expects {rule}.";
        }
    }
}
