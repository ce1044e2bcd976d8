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
        public EmulatedFunction(string key, string script)
        {
            Key = key;
            Script = script;
            var slash = key.IndexOf('/');
            ServiceName = slash < 0 ? null : key.Substring(0, slash);
            FunctionName = slash < 0 ? key : key.Substring(slash + 1);
            CodeChecksum = Fnv1a64(script).ToString(CultureInfo.InvariantCulture);
        }

        public string Key { get; }
        public string Script { get; }
        public string ServiceName { get; }
        public string FunctionName { get; }
        public string CodeChecksum { get; }
        /// <summary>What qualifiers resolve against: the function's aliases (FC 3.0) or its service's (FC 2.0).</summary>
        public EmulatorVersioning Versioning { get; internal set; } = EmulatorVersioning.None;
        /// <summary>The function (FC 3.0) or service (FC 2.0) that owns the aliases, as FC's messages name it.</summary>
        public string VersioningOwner => ServiceName ?? FunctionName;
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

    /// <summary>The emulated functions by key, their aliases, and FC's naming rules for declaring them.</summary>
    internal sealed class EmulatorFunctions
    {
        private readonly Dictionary<string, EmulatedFunction> _byKey;

        /// <param name="aliases">Declared aliases per function key; on FC 2.0 those of a service's functions form the service's set.</param>
        public EmulatorFunctions(IDictionary<string, string> scripts, IDictionary<string, IReadOnlyList<EmulatorAlias>> aliases)
        {
            _byKey = scripts.ToDictionary(f => f.Key, f => new EmulatedFunction(f.Key, f.Value), StringComparer.Ordinal);
            aliases = aliases ?? new Dictionary<string, IReadOnlyList<EmulatorAlias>>();
            foreach (var function in _byKey.Values.Where(f => !f.IsV2))
                if (aliases.TryGetValue(function.Key, out var own)) function.Versioning = new EmulatorVersioning(own);
            foreach (var service in _byKey.Values.Where(f => f.IsV2).GroupBy(f => f.ServiceName, StringComparer.Ordinal))
            {
                var versioning = new EmulatorVersioning(ServiceAliases(service.Key, aliases));
                foreach (var function in service) function.Versioning = versioning;
            }
        }

        public IReadOnlyCollection<EmulatedFunction> All => _byKey.Values;

        public string[] Keys => _byKey.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

        public bool HasService(string service) => _byKey.Values.Any(f => f.ServiceName == service);

        /// <summary>The aliases and versions of an FC 2.0 service (shared by its functions).</summary>
        public EmulatorVersioning ServiceVersioning(string service) =>
            _byKey.Values.FirstOrDefault(f => f.ServiceName == service)?.Versioning ?? EmulatorVersioning.None;

        /// <summary>The function, or null with FC's 404 (ServiceNotFound on FC 2.0 when no function of the service exists).</summary>
        public EmulatedFunction Find(string service, string functionName, out EmulatorError notFound)
        {
            notFound = null;
            var key = service != null ? service + "/" + functionName : functionName;
            if (_byKey.TryGetValue(key, out var function)) return function;
            notFound = service != null && !HasService(service)
                ? ServiceNotFound(service)
                : new EmulatorError(404, "FunctionNotFound", service != null
                    ? $"function '{functionName}' does not exist in service '{service}'"
                    : $"function '{functionName}' does not exist.");
            return null;
        }

        /// <summary>A declared function by its key ('fn' or 'svc/fn'); null when there is none.</summary>
        public EmulatedFunction Find(string key) => _byKey.TryGetValue(key, out var function) ? function : null;

        public static EmulatorError ServiceNotFound(string service) => new EmulatorError(404, "ServiceNotFound", $"service '{service}' does not exist");

        /// <summary>'function' (FC 3.0) or 'service/function' (FC 2.0), each following FC's naming rules.</summary>
        public static string CheckFunctionKey(string key)
        {
            var parts = (key ?? string.Empty).Split('/');
            if (parts.Length > 2) return $"'{key}' is not 'functionName' or 'serviceName/functionName'.";
            return parts.Length == 2
                ? FcNames.CheckServiceName(parts[0]) ?? FcNames.CheckFunctionName(parts[1])
                : FcNames.CheckFc3FunctionName(parts[0]);
        }

        /// <summary>
        /// Null when the alias declarations are valid: each names an emulated function and follows FC's rules, and on
        /// FC 2.0 an alias declared for several functions of one service is the same everywhere (it belongs to the service).
        /// </summary>
        public static string CheckAliases(IDictionary<string, IReadOnlyList<EmulatorAlias>> aliases, ICollection<string> functionKeys)
        {
            foreach (var entry in aliases)
            {
                if (!functionKeys.Contains(entry.Key)) return $"-Alias names '{entry.Key}', which is not one of the emulated functions (-Function).";
                foreach (var alias in entry.Value)
                {
                    var problem = alias.Check();
                    if (problem != null) return problem;
                }
                if (entry.Value.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() != entry.Value.Count)
                    return $"-Alias declares an alias of '{entry.Key}' twice.";
            }
            foreach (var service in aliases.Where(a => a.Key.Contains('/')).GroupBy(a => a.Key.Substring(0, a.Key.IndexOf('/')), StringComparer.Ordinal))
            {
                try { ServiceAliases(service.Key, aliases); }
                catch (ArgumentException ex) { return ex.Message; }
            }
            return null;
        }

        private static List<EmulatorAlias> ServiceAliases(string service, IDictionary<string, IReadOnlyList<EmulatorAlias>> aliases)
        {
            var merged = new Dictionary<string, (EmulatorAlias alias, string from)>(StringComparer.Ordinal);
            foreach (var entry in aliases.Where(a => a.Key.StartsWith(service + "/", StringComparison.Ordinal)).OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                foreach (var alias in entry.Value)
                {
                    if (merged.TryGetValue(alias.Name, out var earlier) && !earlier.alias.SameAs(alias))
                        throw new ArgumentException($"The alias '{alias.Name}' is declared differently for '{earlier.from}' and '{entry.Key}'; FC 2.0 aliases belong to the service '{service}', so declare it the same way.");
                    merged[alias.Name] = (alias, entry.Key);
                }
            }
            return merged.Values.Select(m => m.alias).ToList();
        }
    }
}
