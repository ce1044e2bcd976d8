using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>One emulated function: its key ('fn' for FC 3.0, 'svc/fn' for FC 2.0), script and aliases.</summary>
    internal sealed class EmulatedFunction
    {
        public EmulatedFunction(string key, string script, IReadOnlyList<string> aliases)
        {
            Key = key;
            Script = script;
            var slash = key.IndexOf('/');
            ServiceName = slash < 0 ? null : key.Substring(0, slash);
            FunctionName = slash < 0 ? key : key.Substring(slash + 1);
            CodeChecksum = Fnv1a64(script).ToString(CultureInfo.InvariantCulture);
            Aliases = aliases ?? Array.Empty<string>();
        }

        public string Key { get; }
        public string Script { get; }
        public string ServiceName { get; }
        public string FunctionName { get; }
        public string CodeChecksum { get; }
        public IReadOnlyList<string> Aliases { get; }
        public bool IsV2 => ServiceName != null;
        public readonly string Id = Guid.NewGuid().ToString("D");

        /// <summary>The description of an emulated function: its script's leading '# comment' line, if any.</summary>
        public string Description
        {
            get
            {
                var first = (Script ?? string.Empty).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? string.Empty;
                return first.StartsWith("#", StringComparison.Ordinal) ? first.TrimStart('#').Trim() : string.Empty;
            }
        }

        /// <summary>A stable checksum of the script, standing in for FC's CRC-64 of the code package.</summary>
        private static ulong Fnv1a64(string text)
        {
            ulong hash = 14695981039346656037UL;
            foreach (var b in Encoding.UTF8.GetBytes(text))
            {
                hash ^= b;
                hash *= 1099511628211UL;
            }
            return hash;
        }
    }

    /// <summary>The emulated functions by key, and FC's naming rules for declaring them.</summary>
    internal sealed class EmulatorFunctions
    {
        private readonly Dictionary<string, EmulatedFunction> _byKey;

        public EmulatorFunctions(IDictionary<string, string> scripts, IDictionary<string, string[]> aliases)
        {
            _byKey = scripts.ToDictionary(
                f => f.Key,
                f => new EmulatedFunction(f.Key, f.Value, aliases != null && aliases.TryGetValue(f.Key, out var names) ? names : null),
                StringComparer.Ordinal);
        }

        public IReadOnlyCollection<EmulatedFunction> All => _byKey.Values;

        public string[] Keys => _byKey.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

        /// <summary>The function, or null with FC's 404 (ServiceNotFound on FC 2.0 when no function of the service exists).</summary>
        public EmulatedFunction Find(string service, string functionName, out EmulatorError notFound)
        {
            notFound = null;
            var key = service != null ? service + "/" + functionName : functionName;
            if (_byKey.TryGetValue(key, out var function)) return function;
            if (service != null && !_byKey.Keys.Any(k => k.StartsWith(service + "/", StringComparison.Ordinal)))
                notFound = new EmulatorError(404, "ServiceNotFound", $"service '{service}' does not exist");
            else
                notFound = new EmulatorError(404, "FunctionNotFound", service != null
                    ? $"function '{functionName}' does not exist in service '{service}'"
                    : $"function '{functionName}' does not exist.");
            return null;
        }

        /// <summary>'function' (FC 3.0) or 'service/function' (FC 2.0), each following FC's naming rules.</summary>
        public static string CheckFunctionKey(string key)
        {
            var parts = (key ?? string.Empty).Split('/');
            if (parts.Length > 2) return $"'{key}' is not 'functionName' or 'serviceName/functionName'.";
            return parts.Length == 2
                ? FcNames.CheckServiceName(parts[0]) ?? FcNames.CheckFunctionName(parts[1])
                : FcNames.CheckFunctionName(parts[0]);
        }

        /// <summary>Aliases are given per emulated function ('fn' or 'svc/fn'), each a valid alias name other than LATEST.</summary>
        public static string CheckAliases(string key, IEnumerable<string> names, IEnumerable<string> functionKeys)
        {
            if (!functionKeys.Contains(key, StringComparer.Ordinal)) return $"-Alias names '{key}', which is not one of the emulated functions (-Function).";
            foreach (var name in names ?? Enumerable.Empty<string>())
            {
                if (string.Equals(name, "LATEST", StringComparison.OrdinalIgnoreCase)) return "LATEST is not an alias: every function has it.";
                var problem = FcNames.CheckQualifier(name);
                if (problem != null) return problem;
            }
            return null;
        }
    }
}
