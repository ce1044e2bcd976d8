using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace FcInvoke.Interop
{
    /// <summary>Reads JSON into what ConvertFrom-Json would give: the parser behind FcInvocationResult.ResultObject.</summary>
    internal static class PSJsonReader
    {
        /// <summary>JSON text to what ConvertFrom-Json would give (objects as PSCustomObject, integers as Int64); non-JSON text as it is.</summary>
        public static object FromJson(string text)
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
