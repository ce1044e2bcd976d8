using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>A declared alias: the version it points to and, for a canary, extra versions with the share of calls each gets.</summary>
    internal sealed class EmulatorAlias
    {
        public EmulatorAlias(string name, string versionId, IDictionary<string, double> additionalVersionWeight = null, string description = null)
        {
            Name = name;
            VersionId = versionId;
            AdditionalVersionWeight = new SortedDictionary<string, double>(additionalVersionWeight ?? new Dictionary<string, double>(), StringComparer.Ordinal);
            Description = description ?? string.Empty;
        }

        public string Name { get; }
        public string VersionId { get; }
        public IReadOnlyDictionary<string, double> AdditionalVersionWeight { get; }
        public string Description { get; }

        /// <summary>Null when the alias follows FC's rules (name, versions, weights), otherwise the first problem.</summary>
        public string Check()
        {
            if (string.Equals(Name, "LATEST", StringComparison.OrdinalIgnoreCase)) return "LATEST is not an alias: every function has it.";
            var problem = FcNames.CheckQualifier(Name);
            if (problem != null) return problem;
            if (IsVersionNumber(Name)) return $"'{Name}' is a version number; an alias name starts with a letter or '_'.";
            if (!IsVersionNumber(VersionId)) return $"The alias '{Name}' points at '{VersionId}'; an alias points at a published version (a number), not LATEST.";
            double total = 0;
            foreach (var weight in AdditionalVersionWeight)
            {
                if (!IsVersionNumber(weight.Key)) return $"The alias '{Name}' gives a weight to '{weight.Key}', which is not a version number.";
                if (weight.Key == VersionId) return $"additionalVersionWeight of the alias '{Name}' should not contain its major version {VersionId}.";
                if (double.IsNaN(weight.Value) || weight.Value < 0 || weight.Value > 1) return $"The alias '{Name}' gives version {weight.Key} a weight outside 0 to 1.";
                total += weight.Value;
            }
            return total > 1 + 1e-9 ? $"The additional version weights of the alias '{Name}' add up to more than 1." : null;
        }

        public bool SameAs(EmulatorAlias other) =>
            other.Name == Name && other.VersionId == VersionId && other.Description == Description &&
            other.AdditionalVersionWeight.Count == AdditionalVersionWeight.Count &&
            AdditionalVersionWeight.All(w => other.AdditionalVersionWeight.TryGetValue(w.Key, out var v) && v == w.Value);

        /// <summary>The version a call through this alias runs: an additional version with its weight's probability, else the main one.</summary>
        public string PickVersion(double draw)
        {
            double edge = 0;
            foreach (var weight in AdditionalVersionWeight)
                if (draw < (edge += weight.Value)) return weight.Key;
            return VersionId;
        }

        public static bool IsVersionNumber(string text) =>
            !string.IsNullOrEmpty(text) && text.Length <= 18 && text.All(c => c >= '0' && c <= '9') && text[0] != '0';
    }

    /// <summary>
    /// The aliases and published versions a qualifier resolves against: a function's on FC 3.0, its service's on FC 2.0
    /// (where aliases and versions belong to the service). Versions exist when an alias points at them.
    /// </summary>
    internal sealed class EmulatorVersioning
    {
        public static readonly EmulatorVersioning None = new EmulatorVersioning(Array.Empty<EmulatorAlias>());

        public EmulatorVersioning(IEnumerable<EmulatorAlias> aliases)
        {
            Aliases = aliases.OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
            Versions = Aliases.SelectMany(a => new[] { a.VersionId }.Concat(a.AdditionalVersionWeight.Keys))
                              .Distinct(StringComparer.Ordinal)
                              .OrderBy(v => long.Parse(v, CultureInfo.InvariantCulture))
                              .ToList();
        }

        public IReadOnlyList<EmulatorAlias> Aliases { get; }
        public IReadOnlyList<string> Versions { get; }
        /// <summary>False for a function (or service) with no declared alias: it then accepts any valid qualifier.</summary>
        public bool IsDeclared => Aliases.Count > 0;

        public EmulatorAlias FindAlias(string name) => Aliases.FirstOrDefault(a => a.Name == name);

        /// <summary>
        /// The version a qualifier runs, or FC's 404. LATEST (or none) always resolves. With nothing declared any valid
        /// qualifier resolves: a version number to itself, an alias name to LATEST. With declarations, only declared
        /// aliases and their versions do. <paramref name="owner"/> names the function (FC 3.0) or service (FC 2.0).
        /// </summary>
        public EmulatorError Resolve(string qualifier, bool v2, string owner, Func<double> draw, out string version)
        {
            version = "LATEST";
            if (qualifier == null || qualifier == "LATEST") return null;
            if (!IsDeclared)
            {
                if (EmulatorAlias.IsVersionNumber(qualifier)) version = qualifier;
                return null;
            }
            var scope = v2 ? "service" : "function";
            if (EmulatorAlias.IsVersionNumber(qualifier))
            {
                if (Versions.Contains(qualifier)) { version = qualifier; return null; }
                return new EmulatorError(404, "VersionNotFound", $"version '{qualifier}' of {scope} '{owner}' does not exist");
            }
            var alias = FindAlias(qualifier);
            if (alias == null) return new EmulatorError(404, "AliasNotFound", $"alias '{qualifier}' of {scope} '{owner}' does not exist");
            version = alias.AdditionalVersionWeight.Count == 0 ? alias.VersionId : alias.PickVersion(draw());
            return null;
        }
    }
}
