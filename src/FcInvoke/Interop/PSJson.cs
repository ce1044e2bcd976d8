using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Reflection;
using System.Security;
using System.Text;
using System.Text.Json;
using FcInvoke.Core;

namespace FcInvoke.Interop
{
    /// <summary>
    /// Turns a payload into the bytes sent: a string as UTF-8 as it is, a byte[] raw, null as nothing, and data as JSON
    /// (without ConvertTo-Json's depth-2 truncation). Data is hashtables, PSCustomObjects, arrays, scalars (numbers,
    /// booleans, text, dates, GUIDs, enums) and objects made of those. What is not data is refused before anything is
    /// sent, with a message that names where it is and what to do: live .NET objects (file system items, streams,
    /// processes, handles, anything disposable), secrets, script blocks, types, a value that contains itself, and nesting
    /// deeper than <see cref="MaxDepth"/> levels. Nothing is ever cut short.
    /// </summary>
    internal static class PSJson
    {
        /// <summary>The deepest nesting a payload may have (documented in Invoke-FcFunction's help).</summary>
        public const int MaxDepth = 64;

        private const string WhatIsData =
            "A payload is a string, a byte[], or data: hashtables, PSCustomObjects (rows from Import-Csv or ConvertFrom-Json), arrays, " +
            "numbers, booleans, text, dates, and objects made of those. Nothing was sent.";

        /// <summary>
        /// Payload bytes for a value: strings as UTF-8 as they are, byte arrays raw, null empty, data as JSON. Throws
        /// <see cref="FcInputException"/> (FcInvalidPayload) for what is not data, FcPayloadTooLarge past FC's largest limit.
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

        /// <summary>A value as JSON; refuses what is not data (see <see cref="ToBody"/>).</summary>
        public static byte[] ToUtf8(object value)
        {
            using (var stream = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    new Walker(writer).Write(value, "$", 0);
                }
                return stream.ToArray();
            }
        }

        public static object Unwrap(object value)
        {
            if (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) return pso.BaseObject;
            return value;
        }

        /// <summary>What a value that is not data is, in a user's words, and what to do instead; null for data.</summary>
        internal static string NotData(object value)
        {
            switch (value)
            {
                case FileSystemInfo item:
                    return $"a file system item ({item.GetType().Name} '{item.FullName}'). To send a file's content use -InputFile '{item.FullName}' " +
                           "(for many files: Get-ChildItem ... | ForEach-Object { Invoke-FcFunction <name> -InputFile $_.FullName }); to send its path, pass its FullName";
                case Stream _:
                    return "a stream. Read it first: send its bytes (a MemoryStream's .ToArray()) or its text, or use -InputFile for a file";
                case System.Diagnostics.Process process:
                    return $"a process ({SafeName(process)}), a live object. Send the values you need, e.g. Get-Process | Select-Object Id, ProcessName, CPU";
                case ScriptBlock _:
                    return "a script block. -Payload takes any object, so PowerShell passes the script block itself instead of running it for each input; " +
                           "build each payload in ForEach-Object: ... | ForEach-Object { Invoke-FcFunction <name> -Payload @{ id = $_.id } }";
                case SecureString _:
                case PSCredential _:
                case NetworkCredential _:
                    return "a secret (a SecureString or a credential); FcInvoke never sends secrets as a payload";
                case System.Xml.XmlNode _:
                    return "an XML node. Send its text: $xml.OuterXml";
                case Exception _:
                    return "an exception. Send what you need of it, e.g. $_.Exception.Message";
                case ErrorRecord _:
                    return "an error record. Send what you need of it, e.g. \"$_\" or $_.Exception.Message";
                case FcContext _:
                    return "an FcInvoke context. Pass it to -Context to use that connection";
                case Type _:
                case MemberInfo _:
                case Assembly _:
                case Module _:
                    return "a .NET type or member. Send its name";
                case Delegate _:
                    return "a delegate (code). Send the values it would produce";
                case IntPtr _:
                case UIntPtr _:
                    return "a pointer";
                case IDisposable _:
                case MarshalByRefObject _:
                    return $"a live {value.GetType().FullName} object (it holds a handle, connection or other resource). " +
                           "Send the values you need: $x | Select-Object <property>, <property>";
                default:
                    return null;
            }
        }

        private static string SafeName(System.Diagnostics.Process process)
        {
            try { return $"{process.ProcessName}, Id {process.Id}"; }
            catch (InvalidOperationException) { return "exited"; }
        }

        /// <summary>Writes one payload, remembering the chain of objects it is inside (to find a value that contains itself).</summary>
        private sealed class Walker
        {
            private readonly Utf8JsonWriter _writer;
            private readonly List<object> _ancestors = new List<object>();

            public Walker(Utf8JsonWriter writer) { _writer = writer; }

            public void Write(object value, string path, int depth)
            {
                if (depth > MaxDepth)
                    throw Refuse($"The payload nests deeper than {MaxDepth} levels (at {Shorten(path)}); FcInvoke never cuts a payload short. " +
                                 "Flatten it, or send a JSON string you made yourself (ConvertTo-Json -Depth 100). Nothing was sent.");
                if (value is PSObject pso)
                {
                    if (pso.BaseObject is PSCustomObject) { Container(pso, path, depth, () => WritePSCustomObject(pso, path, depth)); return; }
                    value = pso.BaseObject;
                }
                var w = _writer;
                switch (value)
                {
                    case null: w.WriteNullValue(); return;
                    case string s: w.WriteStringValue(s); return;
                    case char c: w.WriteStringValue(c.ToString()); return;
                    case bool b: w.WriteBooleanValue(b); return;
                    case int i: w.WriteNumberValue(i); return;
                    case long l: w.WriteNumberValue(l); return;
                    case double d: WriteDouble(d); return;
                    case float f: WriteDouble(f); return;
                    case decimal m: w.WriteNumberValue(m); return;
                    case byte by: w.WriteNumberValue(by); return;
                    case sbyte sb: w.WriteNumberValue(sb); return;
                    case short sh: w.WriteNumberValue(sh); return;
                    case ushort us: w.WriteNumberValue(us); return;
                    case uint ui: w.WriteNumberValue(ui); return;
                    case ulong ul: w.WriteNumberValue(ul); return;
                    case System.Numerics.BigInteger bi: w.WriteRawValue(bi.ToString(CultureInfo.InvariantCulture)); return;
                    case DateTime dt: w.WriteStringValue(dt.ToString("o", CultureInfo.InvariantCulture)); return;
                    case DateTimeOffset dto: w.WriteStringValue(dto.ToString("o", CultureInfo.InvariantCulture)); return;
                    case TimeSpan ts: w.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture)); return;
                    case Guid g: w.WriteStringValue(g.ToString()); return;
                    case Uri u: w.WriteStringValue(u.OriginalString); return;
                    case Version v: w.WriteStringValue(v.ToString()); return;
                    case Enum e: w.WriteStringValue(e.ToString()); return;
                    case StringBuilder text: w.WriteStringValue(text.ToString()); return;
                    case JsonElement je: je.WriteTo(w); return;
                }
                var notData = NotData(value);
                if (notData != null)
                    throw Refuse((path == "$" ? "The payload is not data: it is " : $"The payload is not data: {Shorten(path)} is ") + notData + ". " + WhatIsData);
                switch (value)
                {
                    case IDictionary dict: Container(dict, path, depth, () => WriteDictionary(dict, path, depth)); return;
                    case IEnumerable seq: Container(seq, path, depth, () => WriteArray(seq, path, depth)); return;
                    default:
                        if (value.GetType().IsValueType) WriteObject(value, path, depth);
                        else Container(value, path, depth, () => WriteObject(value, path, depth));
                        return;
                }
            }

            /// <summary>Writes a container, refusing it when it is one of the objects it is inside (a cycle).</summary>
            private void Container(object identity, string path, int depth, Action write)
            {
                for (int i = 0; i < _ancestors.Count; i++)
                {
                    if (ReferenceEquals(_ancestors[i], identity))
                        throw Refuse($"The payload contains itself: {Shorten(path)} is the same object as {Shorten(_paths[i])}, so it has no end as JSON. " +
                                     "Send a copy without the back-reference. Nothing was sent.");
                }
                _ancestors.Add(identity);
                _paths.Add(path);
                try { write(); }
                finally
                {
                    _ancestors.RemoveAt(_ancestors.Count - 1);
                    _paths.RemoveAt(_paths.Count - 1);
                }
                if (_writer.BytesCommitted + _writer.BytesPending > FcNames.MaxSyncPayloadBytes)
                    throw new FcInputException(FcErrorIds.PayloadTooLarge,
                        $"The payload is more than {FcNames.MaxSyncPayloadBytes:N0} bytes as JSON. {FcNames.PayloadLimits}");
            }

            private readonly List<string> _paths = new List<string>();

            private void WriteDouble(double d)
            {
                if (double.IsNaN(d) || double.IsInfinity(d)) _writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                else _writer.WriteNumberValue(d);
            }

            private void WritePSCustomObject(PSObject pso, string path, int depth)
            {
                _writer.WriteStartObject();
                foreach (var property in pso.Properties)
                {
                    if (!property.IsGettable) continue;
                    _writer.WritePropertyName(property.Name);
                    object v;
                    try { v = property.Value; } catch (GetValueException) { v = null; }
                    Write(v, Member(path, property.Name), depth + 1);
                }
                _writer.WriteEndObject();
            }

            private void WriteDictionary(IDictionary dict, string path, int depth)
            {
                _writer.WriteStartObject();
                foreach (DictionaryEntry entry in dict)
                {
                    var key = Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? string.Empty;
                    _writer.WritePropertyName(key);
                    Write(entry.Value, Member(path, key), depth + 1);
                }
                _writer.WriteEndObject();
            }

            private void WriteArray(IEnumerable seq, string path, int depth)
            {
                _writer.WriteStartArray();
                int i = 0;
                foreach (var item in seq)
                {
                    Write(item, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", depth + 1);
                    if (++i % 4096 == 0 && _writer.BytesCommitted + _writer.BytesPending > FcNames.MaxSyncPayloadBytes)
                        throw new FcInputException(FcErrorIds.PayloadTooLarge,
                            $"The payload is more than {FcNames.MaxSyncPayloadBytes:N0} bytes as JSON. {FcNames.PayloadLimits}");
                }
                _writer.WriteEndArray();
            }

            private void WriteObject(object value, string path, int depth)
            {
                var properties = value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
                if (properties.Length == 0) { _writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); return; }
                _writer.WriteStartObject();
                foreach (var p in properties)
                {
                    if (!p.CanRead || p.GetIndexParameters().Length > 0) continue;
                    object v;
                    // A getter that throws (IPAddress.ScopeId of an IPv4 address) leaves the property null, not missing.
                    try { v = p.GetValue(value); } catch (TargetInvocationException) { v = null; }
                    _writer.WritePropertyName(p.Name);
                    Write(v, Member(path, p.Name), depth + 1);
                }
                _writer.WriteEndObject();
            }

            private static string Member(string path, string name)
            {
                foreach (var c in name)
                {
                    if (!(char.IsLetterOrDigit(c) || c == '_')) return path + "['" + name.Replace("'", "''") + "']";
                }
                return name.Length == 0 ? path + "['']" : path + "." + name;
            }

            private static string Shorten(string path) => path.Length <= 80 ? path : path.Substring(0, 38) + "…" + path.Substring(path.Length - 38);

            private static FcInputException Refuse(string message) => new FcInputException(FcErrorIds.InvalidPayload, message);
        }
    }
}
