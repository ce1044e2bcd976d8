using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The emulator's control plane, read-only: ListServices/GetService (2021-04-06), ListFunctions/GetFunction,
    /// ListAliases/GetAlias and ListVersions (both), in FC's JSON shapes with limit/prefix/nextToken paging.
    /// </summary>
    internal sealed class EmulatorCatalog
    {
        private readonly IReadOnlyList<EmulatedFunction> _functions;
        private readonly EmulatorTimes _times;
        private readonly EmulatorIdentity _identity;

        public EmulatorCatalog(IEnumerable<EmulatedFunction> functions, EmulatorTimes times, EmulatorIdentity identity)
        {
            _functions = functions.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
            _times = times;
            _identity = identity;
        }

        public Task ListServicesAsync(EmulatorCall call) =>
            EmulatorPaging.ListAsync(call, Services(), "services", s => s, WriteService);

        public Task GetServiceAsync(EmulatorCall call, string service) =>
            call.RespondAsync(200, "application/json", EmulatorJson.Write(w => WriteService(w, service)));

        /// <summary>A service's functions (FC 2.0), or every FC 3.0 function.</summary>
        public Task ListFunctionsAsync(EmulatorCall call, string service) =>
            EmulatorPaging.ListAsync(call, _functions.Where(f => f.ServiceName == service).ToList(), "functions", f => f.FunctionName, WriteFunction);

        public Task GetFunctionAsync(EmulatorCall call, EmulatedFunction function) =>
            call.RespondAsync(200, "application/json", EmulatorJson.Write(w => WriteFunction(w, function)));

        public Task ListAliasesAsync(EmulatorCall call, EmulatorVersioning versioning) =>
            EmulatorPaging.ListAsync(call, versioning.Aliases, "aliases", a => a.Name, (w, a) => WriteAlias(w, a, call.IsV2));

        public async Task GetAliasAsync(EmulatorCall call, EmulatorVersioning versioning, string name, string owner)
        {
            var alias = versioning.FindAlias(name);
            if (alias == null)
            {
                await call.ErrorAsync(new EmulatorError(404, "AliasNotFound", $"alias '{name}' of {(call.IsV2 ? "service" : "function")} '{owner}' does not exist")).ConfigureAwait(false);
                return;
            }
            await call.RespondAsync(200, "application/json", EmulatorJson.Write(w => WriteAlias(w, alias, call.IsV2))).ConfigureAwait(false);
        }

        public Task ListVersionsAsync(EmulatorCall call, EmulatorVersioning versioning) =>
            EmulatorPaging.ListAsync(call, versioning.Versions, "versions", v => v, (w, v) => WriteVersion(w, v, call.IsV2), byNumber: true);

        private List<string> Services() => _functions.Where(f => f.ServiceName != null).Select(f => f.ServiceName).Distinct(StringComparer.Ordinal).ToList();

        private void WriteFunction(Utf8JsonWriter w, EmulatedFunction f)
        {
            var v2 = f.IsV2;
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
            w.WriteString("createdTime", _times.Created(v2));
            w.WriteString("lastModifiedTime", _times.Created(v2));
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
            w.WriteString("createdTime", _times.Created(true));
            w.WriteString("lastModifiedTime", _times.Created(true));
            w.WriteEndObject();
        }

        /// <summary>FC's Alias: name, the version it points at, and the canary weights (an empty map when there are none).</summary>
        private void WriteAlias(Utf8JsonWriter w, EmulatorAlias alias, bool v2)
        {
            w.WriteStartObject();
            w.WriteString("aliasName", alias.Name);
            w.WriteString("versionId", alias.VersionId);
            w.WriteStartObject("additionalVersionWeight");
            foreach (var weight in alias.AdditionalVersionWeight) w.WriteNumber(weight.Key, weight.Value);
            w.WriteEndObject();
            w.WriteString("description", alias.Description);
            w.WriteString("createdTime", _times.Created(v2));
            w.WriteString("lastModifiedTime", _times.Created(v2));
            w.WriteEndObject();
        }

        private void WriteVersion(Utf8JsonWriter w, string version, bool v2)
        {
            w.WriteStartObject();
            w.WriteString("versionId", version);
            w.WriteString("description", string.Empty);
            w.WriteString("createdTime", _times.Created(v2));
            w.WriteString("lastModifiedTime", _times.Created(v2));
            w.WriteEndObject();
        }
    }

    /// <summary>The one time every emulated resource was created, in each API version's format.</summary>
    internal sealed class EmulatorTimes
    {
        private readonly DateTimeOffset _created;

        public EmulatorTimes(DateTimeOffset created) { _created = created; }

        /// <summary>FC 3.0 writes '2023-04-01T08:15:27Z'; FC 2.0 '2023-04-01T08:15:27.000+0000'.</summary>
        public string Created(bool v2) => v2
            ? _created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture)
            : _created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>FC's list paging for named resources: limit (1 to 100, default 20), prefix, and nextToken = the name to continue from.</summary>
    internal static class EmulatorPaging
    {
        public const int DefaultLimit = 20;

        public static async Task ListAsync<T>(EmulatorCall call, IReadOnlyList<T> items, string arrayName, Func<T, string> nameOf,
                                              Action<Utf8JsonWriter, T> write, bool byNumber = false)
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
            var ordered = byNumber ? items.OrderBy(i => nameOf(i).Length).ThenBy(i => nameOf(i), StringComparer.Ordinal).ToList()
                                   : items.OrderBy(i => nameOf(i), StringComparer.Ordinal).ToList();
            var start = from == null ? 0 : ordered.FindIndex(i => Compare(nameOf(i), from, byNumber) >= 0);
            var matching = (start < 0 ? new List<T>() : ordered.Skip(start).ToList())
                           .Where(i => nameOf(i).StartsWith(prefix, StringComparison.Ordinal)).ToList();
            var page = matching.Take(limit).ToList();
            var next = matching.Count > limit ? nameOf(matching[limit]) : null;
            var body = EmulatorJson.Write(w =>
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

        private static int Compare(string name, string from, bool byNumber) =>
            byNumber && name.Length != from.Length ? name.Length.CompareTo(from.Length) : string.CompareOrdinal(name, from);
    }
}
