using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FcInvoke.Core
{
    /// <summary>One page of a list call and the token of the next, or null after the last page.</summary>
    internal sealed class FcPage<T>
    {
        public FcPage(IReadOnlyList<T> items, string nextToken, string action = null)
        {
            Items = items;
            NextToken = string.IsNullOrEmpty(nextToken) ? null : nextToken;
            Action = action;
        }

        public IReadOnlyList<T> Items { get; }
        public string NextToken { get; }
        /// <summary>The list action that returned the page, e.g. ListFunctions.</summary>
        public string Action { get; }
    }

    /// <summary>Maps FC's function, service, alias and version JSON (both API versions) to the module's objects.</summary>
    internal static class FcCatalogJson
    {
        private static readonly Regex CompactOffset = new Regex(@"([+-]\d{2})(\d{2})$", RegexOptions.CultureInvariant);

        public static FcPage<FcFunctionInfo> ParseFunctionPage(FcResponse response, string action, string serviceName, FcApiVersion version) =>
            ParsePage(response, action, "functions", e => ParseFunction(e, serviceName, version));

        public static FcFunctionInfo ParseFunction(FcResponse response, string action, string serviceName, FcApiVersion version)
        {
            using (var doc = FcResponseText.ParseObject(response, action)) return ParseFunction(doc.RootElement, serviceName, version);
        }

        public static FcPage<FcServiceInfo> ParseServicePage(FcResponse response, string action) =>
            ParsePage(response, action, "services", ParseService);

        public static FcServiceInfo ParseService(FcResponse response, string action)
        {
            using (var doc = FcResponseText.ParseObject(response, action)) return ParseService(doc.RootElement);
        }

        /// <summary>The alias names of a ListAliases answer.</summary>
        public static FcPage<string> ParseAliasPage(FcResponse response, string action) => ParsePage(response, action, "aliases", e => String(e, "aliasName"));

        /// <summary>The version ids of a ListVersions answer.</summary>
        public static FcPage<string> ParseVersionPage(FcResponse response, string action) => ParsePage(response, action, "versions", e => String(e, "versionId"));

        private static FcFunctionInfo ParseFunction(JsonElement e, string serviceName, FcApiVersion version) => new FcFunctionInfo
        {
            FunctionName = String(e, "functionName"),
            ServiceName = string.IsNullOrEmpty(serviceName) ? null : serviceName,
            Description = String(e, "description") ?? string.Empty,
            Runtime = String(e, "runtime"),
            Handler = String(e, "handler"),
            Timeout = Int(e, "timeout"),
            MemorySize = Int(e, "memorySize"),
            Cpu = Double(e, "cpu"),
            DiskSize = Int(e, "diskSize"),
            InstanceConcurrency = Int(e, "instanceConcurrency"),
            CodeSize = Long(e, "codeSize"),
            CodeChecksum = String(e, "codeChecksum"),
            CreatedTime = Time(String(e, "createdTime")),
            LastModifiedTime = Time(String(e, "lastModifiedTime")),
            FunctionId = String(e, "functionId"),
            FunctionArn = String(e, "functionArn"),
            ApiVersion = version.ToWire(),
            Json = e.GetRawText(),
        };

        private static FcServiceInfo ParseService(JsonElement e) => new FcServiceInfo
        {
            ServiceName = String(e, "serviceName"),
            Description = String(e, "description") ?? string.Empty,
            Role = String(e, "role"),
            InternetAccess = Bool(e, "internetAccess"),
            CreatedTime = Time(String(e, "createdTime")),
            LastModifiedTime = Time(String(e, "lastModifiedTime")),
            ServiceId = String(e, "serviceId"),
            ApiVersion = FcApiVersions.V2,
            Json = e.GetRawText(),
        };

        /// <summary>FC 3.0 writes '2023-04-01T08:15:27Z', FC 2.0 '2016-08-15T15:00:00.000+0000' (offset without a colon).</summary>
        public static DateTimeOffset? Time(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            var normalized = CompactOffset.Replace(text.Trim(), "$1:$2");
            return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null;
        }

        private static FcPage<T> ParsePage<T>(FcResponse response, string action, string arrayName, Func<JsonElement, T> map)
        {
            using (var doc = FcResponseText.ParseObject(response, action))
            {
                var items = new List<T>();
                if (TryGet(doc.RootElement, arrayName, out var array) && array.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in array.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object) items.Add(map(item));
                    }
                }
                return new FcPage<T>(items, String(doc.RootElement, "nextToken"), action);
            }
        }

        /// <summary>Property lookup that tolerates the casing differences between API versions and SDK dumps.</summary>
        private static bool TryGet(JsonElement e, string name, out JsonElement value)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                if (e.TryGetProperty(name, out value)) return true;
                foreach (var p in e.EnumerateObject())
                {
                    if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) { value = p.Value; return true; }
                }
            }
            value = default;
            return false;
        }

        private static string String(JsonElement e, string name)
        {
            if (!TryGet(e, name, out var v)) return null;
            switch (v.ValueKind)
            {
                case JsonValueKind.String: return v.GetString();
                case JsonValueKind.Number: return v.GetRawText();
                default: return null;
            }
        }

        private static long? Long(JsonElement e, string name) =>
            TryGet(e, name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : (long?)null;

        private static int? Int(JsonElement e, string name)
        {
            var l = Long(e, name);
            return l.HasValue && l.Value >= int.MinValue && l.Value <= int.MaxValue ? (int)l.Value : (int?)null;
        }

        private static double? Double(JsonElement e, string name) =>
            TryGet(e, name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? d : (double?)null;

        private static bool? Bool(JsonElement e, string name)
        {
            if (!TryGet(e, name, out var v)) return null;
            if (v.ValueKind == JsonValueKind.True) return true;
            if (v.ValueKind == JsonValueKind.False) return false;
            return null;
        }
    }
}
