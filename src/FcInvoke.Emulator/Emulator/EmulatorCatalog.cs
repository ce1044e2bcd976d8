using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The emulator's control plane, read-only: ListServices/GetService (2021-04-06), ListFunctions/GetFunction (both),
    /// ListAliases/ListVersions, in FC's JSON shapes with limit/prefix/nextToken paging.
    /// </summary>
    internal sealed class EmulatorCatalog
    {
        private const int DefaultLimit = 20;
        private readonly IReadOnlyList<EmulatedFunction> _functions;
        private readonly DateTimeOffset _created;
        private readonly EmulatorIdentity _identity;

        public EmulatorCatalog(IEnumerable<EmulatedFunction> functions, DateTimeOffset created, EmulatorIdentity identity)
        {
            _functions = functions.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
            _created = created;
            _identity = identity;
        }

        /// <summary>Answers the call when it is a catalog read; false leaves it to the invoke and task routes.</summary>
        public async Task<bool> TryRouteAsync(EmulatorCall call, string[] s)
        {
            if (call.Method != "GET") return false;
            if (call.IsV2)
            {
                if (s.Length == 2 && s[1] == "services") { await ListAsync(call, Services(), "services", WriteService).ConfigureAwait(false); return true; }
                if (s.Length < 3 || s[1] != "services") return false;
                var service = s[2];
                var members = _functions.Where(f => f.ServiceName == service).ToList();
                if (s.Length == 3 || (s.Length == 4 && (s[3] == "functions" || s[3] == "aliases" || s[3] == "versions")) ||
                    (s.Length == 5 && s[3] == "functions"))
                {
                    if (members.Count == 0) { await call.ErrorAsync(new EmulatorError(404, "ServiceNotFound", $"service '{service}' does not exist")).ConfigureAwait(false); return true; }
                }
                if (s.Length == 3) { await WriteOneAsync(call, w => WriteService(w, service)).ConfigureAwait(false); return true; }
                if (s.Length == 4 && s[3] == "functions") { await ListAsync(call, members, "functions", WriteFunction).ConfigureAwait(false); return true; }
                if (s.Length == 4 && s[3] == "aliases") { await ListAsync(call, AliasesOf(members), "aliases", WriteAlias).ConfigureAwait(false); return true; }
                if (s.Length == 4 && s[3] == "versions") { await ListAsync(call, VersionsOf(members), "versions", WriteVersion).ConfigureAwait(false); return true; }
                if (s.Length == 5 && s[3] == "functions") return await GetFunctionAsync(call, members.FirstOrDefault(f => f.FunctionName == s[4]), s[4], service).ConfigureAwait(false);
                return false;
            }
            if (s.Length < 2 || s[1] != "functions") return false;
            if (s.Length == 2) { await ListAsync(call, _functions.Where(f => f.ServiceName == null).ToList(), "functions", WriteFunction).ConfigureAwait(false); return true; }
            var function = _functions.FirstOrDefault(f => f.ServiceName == null && f.FunctionName == s[2]);
            if (s.Length == 3) return await GetFunctionAsync(call, function, s[2], null).ConfigureAwait(false);
            if (s.Length == 4 && (s[3] == "aliases" || s[3] == "versions"))
            {
                if (function == null) return await GetFunctionAsync(call, null, s[2], null).ConfigureAwait(false);
                var one = new[] { function };
                if (s[3] == "aliases") await ListAsync(call, AliasesOf(one), "aliases", WriteAlias).ConfigureAwait(false);
                else await ListAsync(call, VersionsOf(one), "versions", WriteVersion).ConfigureAwait(false);
                return true;
            }
            return false;
        }

        private async Task<bool> GetFunctionAsync(EmulatorCall call, EmulatedFunction function, string name, string service)
        {
            if (function == null)
            {
                await call.ErrorAsync(new EmulatorError(404, "FunctionNotFound", service != null
                    ? $"function '{name}' does not exist in service '{service}'"
                    : $"function '{name}' does not exist.")).ConfigureAwait(false);
                return true;
            }
            await WriteOneAsync(call, w => WriteFunction(w, function)).ConfigureAwait(false);
            return true;
        }

        private List<string> Services() => _functions.Where(f => f.ServiceName != null).Select(f => f.ServiceName).Distinct(StringComparer.Ordinal).ToList();

        private static List<string> AliasesOf(IEnumerable<EmulatedFunction> functions) =>
            functions.SelectMany(f => f.Aliases).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToList();

        /// <summary>Every emulated alias points at version 1, which exists once any alias does.</summary>
        private static List<string> VersionsOf(IEnumerable<EmulatedFunction> functions) =>
            AliasesOf(functions).Count > 0 ? new List<string> { "1" } : new List<string>();

        /// <summary>One page in name order: limit (1 to 100, default 20), prefix, and nextToken = the name to continue from.</summary>
        private async Task ListAsync<T>(EmulatorCall call, IReadOnlyList<T> items, string arrayName, Action<Utf8JsonWriter, T> write)
        {
            var limitText = call.QueryValue("limit");
            int limit = DefaultLimit;
            if (limitText != null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 100))
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", $"limit must be between 1 and 100, not '{limitText}'")).ConfigureAwait(false);
                return;
            }
            var prefix = call.QueryValue("prefix") ?? string.Empty;
            var from = call.QueryValue("nextToken");
            var matching = items.Where(i => NameOf(i).StartsWith(prefix, StringComparison.Ordinal) &&
                                            (from == null || string.CompareOrdinal(NameOf(i), from) >= 0)).ToList();
            var page = matching.Take(limit).ToList();
            var next = matching.Count > limit ? NameOf(matching[limit]) : null;
            var body = Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray(arrayName);
                foreach (var item in page) write(w, item);
                w.WriteEndArray();
                if (next != null) w.WriteString("nextToken", next);
                w.WriteEndObject();
            });
            await call.RespondAsync(200, "application/json", body).ConfigureAwait(false);
        }

        private static string NameOf<T>(T item) => item is EmulatedFunction e ? e.FunctionName : item as string ?? string.Empty;

        private static Task WriteOneAsync(EmulatorCall call, Action<Utf8JsonWriter> write) =>
            call.RespondAsync(200, "application/json", Json(write));

        private static byte[] Json(Action<Utf8JsonWriter> write)
        {
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream)) write(w);
                return stream.ToArray();
            }
        }

        /// <summary>FC 3.0 writes '2023-04-01T08:15:27Z'; FC 2.0 '2023-04-01T08:15:27.000+0000'.</summary>
        private string Time(bool v2) => v2
            ? _created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture)
            : _created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        private void WriteFunction(Utf8JsonWriter w, EmulatedFunction f)
        {
            var v2 = f.ServiceName != null;
            w.WriteStartObject();
            w.WriteString("functionName", f.FunctionName);
            w.WriteString("functionId", f.Id);
            if (!v2) w.WriteString("functionArn", _identity.FunctionArn(f.FunctionName));
            w.WriteString("description", f.Description);
            w.WriteString("runtime", "powershell");
            w.WriteString("handler", "index.handler");
            w.WriteNumber("timeout", 60);
            w.WriteNumber("memorySize", 512);
            if (!v2) w.WriteNumber("cpu", 0.35);
            w.WriteNumber("diskSize", 512);
            w.WriteNumber("instanceConcurrency", 1);
            w.WriteNumber("codeSize", Encoding.UTF8.GetByteCount(f.Script ?? string.Empty));
            w.WriteString("codeChecksum", f.CodeChecksum);
            w.WriteString("createdTime", Time(v2));
            w.WriteString("lastModifiedTime", Time(v2));
            w.WriteEndObject();
        }

        private void WriteService(Utf8JsonWriter w, string service)
        {
            w.WriteStartObject();
            w.WriteString("serviceName", service);
            w.WriteString("serviceId", _functions.First(f => f.ServiceName == service).Id);
            w.WriteString("description", string.Empty);
            w.WriteString("role", string.Empty);
            w.WriteBoolean("internetAccess", true);
            w.WriteString("createdTime", Time(true));
            w.WriteString("lastModifiedTime", Time(true));
            w.WriteEndObject();
        }

        private void WriteAlias(Utf8JsonWriter w, string alias)
        {
            w.WriteStartObject();
            w.WriteString("aliasName", alias);
            w.WriteString("versionId", "1");
            w.WriteString("description", string.Empty);
            w.WriteEndObject();
        }

        private void WriteVersion(Utf8JsonWriter w, string version)
        {
            w.WriteStartObject();
            w.WriteString("versionId", version);
            w.WriteString("description", string.Empty);
            w.WriteEndObject();
        }
    }
}
