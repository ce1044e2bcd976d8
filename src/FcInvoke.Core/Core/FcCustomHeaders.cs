using System;
using System.Collections.Generic;

namespace FcInvoke.Core
{
    /// <summary>
    /// Request headers a caller adds to an invocation (e.g. the header a function names for session affinity). Refused
    /// before sending: headers the signature or HTTP itself owns, and the x-fc-* headers the module sets from its own
    /// parameters (the message names the parameter to use instead).
    /// </summary>
    internal static class FcCustomHeaders
    {
        /// <summary>x-fc-* headers that come from a parameter, with that parameter.</summary>
        private static readonly Dictionary<string, string> FromParameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [FcHeaders.InvocationType] = "-InvocationType",
            [FcHeaders.LogType] = "-LogType",
            [FcHeaders.AsyncTaskId] = "-AsyncTaskId",
            [FcHeaders.StatefulAsyncInvocationId] = "-AsyncTaskId",
            [FcHeaders.StatefulAsyncInvocationEnable] = "-EnableAsyncTask",
            [FcHeaders.TraceId] = "-TraceId",
            [FcHeaders.AccountId] = "-AccountId",
            [FcHeaders.AsyncDelay] = "-AsyncDelaySec",
        };

        /// <summary>Headers that describe the connection or the message, not the call: HTTP sets them.</summary>
        private static readonly HashSet<string> Protocol = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "host", "authorization", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "expect",
            "proxy-authorization", "proxy-connection",
        };

        /// <summary>Null when every header may be sent; otherwise what is wrong with the first that may not, and what to do.</summary>
        public static string Check(IEnumerable<KeyValuePair<string, string>> headers)
        {
            foreach (var h in headers)
            {
                var name = h.Key ?? string.Empty;
                if (name.Length == 0) return "-Header has an entry without a name.";
                foreach (var c in name)
                {
                    // RFC 9110 token characters only.
                    if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".IndexOf(c) >= 0)
                        return $"-Header '{name}' is not a valid HTTP header name.";
                }
                foreach (var c in h.Value ?? string.Empty)
                {
                    if (c == '\r' || c == '\n' || c == '\0') return $"The value of -Header '{name}' contains a line break or NUL.";
                }
                if (name.StartsWith("x-acs-", StringComparison.OrdinalIgnoreCase))
                    return $"-Header '{name}': x-acs-* headers belong to the request signature, which the module makes.";
                if (name.StartsWith("content-", StringComparison.OrdinalIgnoreCase))
                    return $"-Header '{name}': the content headers describe the payload, which the module sends; give the payload with -Payload or -InputFile.";
                if (Protocol.Contains(name))
                    return $"-Header '{name}' is set by HTTP or by the signature, not by a caller.";
                if (FromParameters.TryGetValue(name, out var parameter))
                    return $"-Header '{name}': use {parameter} instead.";
            }
            return null;
        }
    }
}
