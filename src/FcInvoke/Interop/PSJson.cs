using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace FcInvoke.Interop
{
    /// <summary>
    /// Writes PowerShell values (hashtables, PSCustomObjects, arrays, .NET objects) as JSON, the way a runbook author
    /// expects ConvertTo-Json to, but without its depth-2 truncation. Used for payloads and for emulator results.
    /// </summary>
    internal static class PSJson
    {
        private const int MaxDepth = 64;

        public static byte[] ToUtf8(object value)
        {
            using (var stream = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    Write(writer, value, 0);
                }
                return stream.ToArray();
            }
        }

        /// <summary>
        /// Payload or result bytes for a value: strings as UTF-8 as they are, byte arrays raw, null empty, anything else JSON.
        /// </summary>
        public static byte[] ToBody(object value)
        {
            var unwrapped = Unwrap(value);
            switch (unwrapped)
            {
                case null: return Array.Empty<byte>();
                case string s: return Encoding.UTF8.GetBytes(s);
                case byte[] b: return b;
                default: return ToUtf8(value);
            }
        }

        public static object Unwrap(object value)
        {
            if (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) return pso.BaseObject;
            return value;
        }

        private static void Write(Utf8JsonWriter writer, object value, int depth)
        {
            if (depth > MaxDepth) { writer.WriteStringValue(Convert.ToString(Unwrap(value), CultureInfo.InvariantCulture)); return; }
            if (value is PSObject pso)
            {
                if (pso.BaseObject is PSCustomObject) { WritePSCustomObject(writer, pso, depth); return; }
                value = pso.BaseObject;
            }
            switch (value)
            {
                case null: writer.WriteNullValue(); return;
                case string s: writer.WriteStringValue(s); return;
                case char c: writer.WriteStringValue(c.ToString()); return;
                case bool b: writer.WriteBooleanValue(b); return;
                case int i: writer.WriteNumberValue(i); return;
                case long l: writer.WriteNumberValue(l); return;
                case double d: WriteDouble(writer, d); return;
                case float f: WriteDouble(writer, f); return;
                case decimal m: writer.WriteNumberValue(m); return;
                case byte by: writer.WriteNumberValue(by); return;
                case sbyte sb: writer.WriteNumberValue(sb); return;
                case short sh: writer.WriteNumberValue(sh); return;
                case ushort us: writer.WriteNumberValue(us); return;
                case uint ui: writer.WriteNumberValue(ui); return;
                case ulong ul: writer.WriteNumberValue(ul); return;
                case System.Numerics.BigInteger bi: writer.WriteRawValue(bi.ToString(CultureInfo.InvariantCulture)); return;
                case DateTime dt: writer.WriteStringValue(dt.ToString("o", CultureInfo.InvariantCulture)); return;
                case DateTimeOffset dto: writer.WriteStringValue(dto.ToString("o", CultureInfo.InvariantCulture)); return;
                case TimeSpan ts: writer.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture)); return;
                case Guid g: writer.WriteStringValue(g.ToString()); return;
                case Uri u: writer.WriteStringValue(u.OriginalString); return;
                case Enum e: writer.WriteStringValue(e.ToString()); return;
                case ScriptBlock sbk: writer.WriteStringValue(sbk.ToString()); return;
                case JsonElement je: je.WriteTo(writer); return;
                case IDictionary dict: WriteDictionary(writer, dict, depth); return;
                case IEnumerable seq: WriteArray(writer, seq, depth); return;
                default: WriteObject(writer, value, depth); return;
            }
        }

        private static void WriteDouble(Utf8JsonWriter writer, double d)
        {
            if (double.IsNaN(d) || double.IsInfinity(d)) writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
            else writer.WriteNumberValue(d);
        }

        private static void WritePSCustomObject(Utf8JsonWriter writer, PSObject pso, int depth)
        {
            writer.WriteStartObject();
            foreach (var property in pso.Properties)
            {
                if (!property.IsGettable) continue;
                writer.WritePropertyName(property.Name);
                object v;
                try { v = property.Value; } catch (GetValueException) { v = null; }
                Write(writer, v, depth + 1);
            }
            writer.WriteEndObject();
        }

        private static void WriteDictionary(Utf8JsonWriter writer, IDictionary dict, int depth)
        {
            writer.WriteStartObject();
            foreach (DictionaryEntry entry in dict)
            {
                writer.WritePropertyName(Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? string.Empty);
                Write(writer, entry.Value, depth + 1);
            }
            writer.WriteEndObject();
        }

        private static void WriteArray(Utf8JsonWriter writer, IEnumerable seq, int depth)
        {
            writer.WriteStartArray();
            foreach (var item in seq) Write(writer, item, depth + 1);
            writer.WriteEndArray();
        }

        private static void WriteObject(Utf8JsonWriter writer, object value, int depth)
        {
            var properties = value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
            if (properties.Length == 0) { writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); return; }
            writer.WriteStartObject();
            foreach (var p in properties)
            {
                if (!p.CanRead || p.GetIndexParameters().Length > 0) continue;
                object v;
                try { v = p.GetValue(value); } catch (Exception) { continue; }
                writer.WritePropertyName(p.Name);
                Write(writer, v, depth + 1);
            }
            writer.WriteEndObject();
        }
    }
}
