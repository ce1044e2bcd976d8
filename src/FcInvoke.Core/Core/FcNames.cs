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

        /// <summary>FC's limit for a synchronous invocation's payload (fc-protocol.md §6).</summary>
        public const long MaxSyncPayloadBytes = 32L * 1024 * 1024;
        /// <summary>FC's default limit for an asynchronous invocation's payload; the emulator enforces it.</summary>
        public const long DefaultAsyncPayloadBytes = 128L * 1024;
        /// <summary>The highest asynchronous limit FC grants an account (on request): the local check never refuses less.</summary>
        public const long HighestAsyncPayloadBytes = 256L * 1024;

        /// <summary>What a runbook author needs to know when FC (or the local check) refuses a payload as too large.</summary>
        public const string PayloadLimits =
            "FC accepts up to 32 MB for a synchronous invocation and 128 KB for an asynchronous one (256 KB where the account's limit was raised); " +
            "send less, or store the data (for example in OSS) and pass its location.";

        public static string CheckFunctionName(string name) =>
            Check(name, FunctionPattern, "function name", "1 to 64 letters, digits, '_' or '-', not starting with a digit or '-'");

        /// <summary>
        /// A function name of the FC 3.0 API: FC's rule, or 'service$function' — the name a function upgraded from FC 2.0
        /// has in FC 3.0 (its service's and its own name, each under its own rule, joined by '$').
        /// </summary>
        public static string CheckFc3FunctionName(string name)
        {
            var dollar = name?.IndexOf('$') ?? -1;
            if (dollar < 0) return CheckFunctionName(name);
            if (ServicePattern.IsMatch(name.Substring(0, dollar)) && FunctionPattern.IsMatch(name.Substring(dollar + 1))) return null;
            return $"'{name}' is not a valid function name: FC expects 1 to 64 letters, digits, '_' or '-', not starting with a digit or '-' " +
                   "(or, for a function upgraded from FC 2.0, 'service$function', each part following its own rule).";
        }

        public static string CheckServiceName(string name) =>
            Check(name, ServicePattern, "service name", "1 to 128 letters, digits, '_' or '-', not starting with a digit or '-'");

        public static string CheckQualifier(string name) =>
            Check(name, QualifierPattern, "qualifier", "LATEST, a version number, or an alias of 1 to 128 letters, digits, '_' or '-' not starting with '-'");

        public static string CheckTaskId(string name) =>
            Check(name, TaskIdPattern, "async task id", "1 to 128 letters, digits, '_' or '-', starting with a letter or '_'");

        /// <summary>Digits of the sequence in a batch task id: <c>&lt;prefix&gt;000001</c> (more digits past 999,999).</summary>
        public const int BatchSequenceDigits = 6;
        /// <summary>FC's longest task id (PROTO §6; <see cref="TaskIdPattern"/>).</summary>
        public const int MaxTaskIdLength = 128;

        /// <summary>The id of the <paramref name="sequence"/>-th (1-based) async invocation of a batch: the prefix and the zero-padded number.</summary>
        public static string BatchTaskId(string prefix, long sequence) =>
            prefix + sequence.ToString("D" + BatchSequenceDigits, System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Null when a batch's ids (<see cref="BatchTaskId"/>) are valid task ids; otherwise why not.</summary>
        public static string CheckTaskIdPrefix(string prefix)
        {
            if (string.IsNullOrEmpty(prefix)) return "The async task id prefix is empty.";
            var first = BatchTaskId(prefix, 1);
            if (first.Length > MaxTaskIdLength)
                return $"The async task id prefix '{prefix}' is {prefix.Length} characters: with the {BatchSequenceDigits}-digit sequence the ids " +
                       $"would be {first.Length} characters, and FC accepts at most {MaxTaskIdLength}. Use a prefix of at most {MaxTaskIdLength - BatchSequenceDigits} characters.";
            return TaskIdPattern.IsMatch(first)
                ? null
                : $"'{prefix}' is not a valid async task id prefix: the ids would be '{first}', '{BatchTaskId(prefix, 2)}', ..., and FC expects " +
                  "1 to 128 letters, digits, '_' or '-', starting with a letter or '_'.";
        }

        /// <summary>Null when the function reference is valid, otherwise the first problem found.</summary>
        public static string CheckFunction(FcFunctionRef fn) =>
            (fn.ServiceName != null ? CheckServiceName(fn.ServiceName) ?? CheckFunctionName(fn.FunctionName) : CheckFc3FunctionName(fn.FunctionName))
            ?? (fn.Qualifier != null ? CheckQualifier(fn.Qualifier) : null);

        public static string CheckPayloadSize(long length, bool isAsync)
        {
            var limit = isAsync ? HighestAsyncPayloadBytes : MaxSyncPayloadBytes;
            return length <= limit
                ? null
                : $"The payload is {length:N0} bytes, more than FC accepts for {(isAsync ? "an asynchronous" : "a synchronous")} invocation. {PayloadLimits}";
        }

        private static string Check(string value, Regex pattern, string what, string rule)
        {
            if (string.IsNullOrEmpty(value)) return $"The {what} is empty.";
            return pattern.IsMatch(value) ? null : $"'{value}' is not a valid {what}: FC expects {rule}.";
        }
    }
}
