using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace FcInvoke.Interop
{
    /// <summary>
    /// Getters of the members FcInvoke.Types.ps1xml adds (CodeProperty). Public because the type system calls them;
    /// not part of the module's command surface.
    /// </summary>
    public static class PSMembers
    {
        /// <summary>
        /// FcInvocationResult.ResultObject: Result parsed as JSON into PSCustomObjects, arrays and numbers, once per result;
        /// the text itself when it is not JSON; null when empty.
        /// </summary>
        public static object ResultObject(PSObject instance)
        {
            if (!(instance?.BaseObject is FcInvocationResult result)) return null;
            return result.ParsedResult(() => FromJson(result.Result));
        }

        /// <summary>'service/function:qualifier' for display.</summary>
        public static string DisplayName(PSObject instance)
        {
            switch (instance?.BaseObject)
            {
                case FcInvocationResult r: return FcNameFormat.Function(r.ServiceName, r.FunctionName, r.Qualifier);
                case FcFunctionInfo f: return FcNameFormat.Function(f.ServiceName, f.FunctionName, f.Qualifier);
                default: return null;
            }
        }

        /// <summary>JSON text to what ConvertFrom-Json would give (objects as PSCustomObject, integers as Int64); non-JSON text as it is.</summary>
        internal static object FromJson(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            try
            {
                using (var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 }))
                {
                    return Convert(doc.RootElement);
                }
            }
            catch (JsonException)
            {
                return text;
            }
        }

        private static object Convert(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    var o = new PSObject();
                    foreach (var p in e.EnumerateObject())
                    {
                        var existing = o.Properties[p.Name];
                        if (existing != null) existing.Value = Convert(p.Value); // duplicate keys: the last wins, as in JSON.parse
                        else o.Properties.Add(new PSNoteProperty(p.Name, Convert(p.Value)));
                    }
                    return o;
                case JsonValueKind.Array:
                    var items = new List<object>();
                    foreach (var item in e.EnumerateArray()) items.Add(Convert(item));
                    return items.ToArray();
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.Number:
                    return e.TryGetInt64(out var l) ? l : (object)e.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                default: return null;
            }
        }
    }
}
