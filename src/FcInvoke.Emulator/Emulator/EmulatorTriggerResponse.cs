using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// What an HTTP-triggered function answers. A function may return the response itself: one hashtable or object whose
    /// keys are among StatusCode, Headers, Body and IsBase64Encoded (the names of FC's HTTP trigger structs) with a
    /// StatusCode or a Body; anything else it returns is the body of a 200 (a string as text, bytes as they are, other
    /// values as JSON). A failed function answers 502 with FC's function-error body and X-Fc-Error-Type.
    /// </summary>
    internal sealed class EmulatorTriggerResponse
    {
        /// <summary>Response headers a function may not set (http-triggers.md §5): FC sets or forbids them.</summary>
        private static readonly HashSet<string> Forbidden = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "connection", "content-length", "date", "keep-alive", "server", "upgrade", "transfer-encoding",
        };
        private const int MaxHeaderBytes = 8 * 1024;
        private static readonly string[] ResponseKeys = { "statuscode", "headers", "body", "isbase64encoded" };

        public int StatusCode { get; private set; } = 200;
        public List<KeyValuePair<string, string>> Headers { get; } = new List<KeyValuePair<string, string>>();
        public byte[] Body { get; private set; } = Array.Empty<byte>();
        public string ContentType { get; private set; }
        /// <summary>Why the function's answer cannot be sent (FC's 502 BadResponse), or null.</summary>
        public string Problem { get; private set; }

        public static EmulatorTriggerResponse From(FunctionOutcome outcome, Func<object, byte[]> toJson)
        {
            var response = new EmulatorTriggerResponse();
            if (outcome.Failed || outcome.Stopped)
            {
                response.StatusCode = 502;
                response.Body = outcome.Body;
                response.ContentType = "application/json";
                response.Headers.Add(new KeyValuePair<string, string>(Core.FcHeaders.ErrorType, "UnhandledInvocationError"));
                return response;
            }
            try
            {
                var output = outcome.Output;
                if (output.Count == 1 && AsResponse(output[0]) is IDictionary<string, object> shape) response.ReadShape(shape, toJson);
                else if (output.Count == 1) response.SetBody(output[0], toJson);
                else if (output.Count > 1) response.SetBody(output.Select(o => (object)o).ToArray(), toJson);
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                // Whatever the function returned that cannot become an HTTP answer (a bad status or header, invalid
                // base64, output ConvertTo-Json refuses) is FC's 502 BadResponse, never an emulator 500.
                response.Problem = ex.Message;
            }
            return response;
        }

        /// <summary>The response keys of a single output, or null when it is a plain value.</summary>
        private static IDictionary<string, object> AsResponse(PSObject value)
        {
            var entries = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            if (value.BaseObject is IDictionary table)
            {
                foreach (DictionaryEntry e in table) entries[e.Key?.ToString() ?? string.Empty] = e.Value;
            }
            else if (value.BaseObject is PSCustomObject)
            {
                foreach (var p in value.Properties) entries[p.Name] = p.Value;
            }
            else return null;
            if (entries.Count == 0 || entries.Keys.Any(k => Array.IndexOf(ResponseKeys, k.ToLowerInvariant()) < 0)) return null;
            return entries.ContainsKey("StatusCode") || entries.ContainsKey("Body") ? entries : null;
        }

        private void ReadShape(IDictionary<string, object> shape, Func<object, byte[]> toJson)
        {
            if (shape.TryGetValue("StatusCode", out var status) && status != null)
            {
                var code = LanguagePrimitives.ConvertTo<int>(Unwrap(status));
                if (code < 100 || code > 599) throw new ArgumentException($"the status code {code} is not between 100 and 599");
                StatusCode = code;
            }
            if (shape.TryGetValue("Headers", out var headers) && Unwrap(headers) is object h) ReadHeaders(h);
            var base64 = shape.TryGetValue("IsBase64Encoded", out var flag) && LanguagePrimitives.IsTrue(Unwrap(flag));
            shape.TryGetValue("Body", out var body);
            if (base64)
            {
                Body = Convert.FromBase64String(Unwrap(body) as string ?? throw new ArgumentException("IsBase64Encoded needs the body as a base64 string"));
                ContentType = ContentType ?? "application/octet-stream";
            }
            else SetBody(body, toJson);
        }

        private void ReadHeaders(object headers)
        {
            var pairs = headers is IDictionary table
                ? table.Cast<DictionaryEntry>().Select(e => (name: e.Key?.ToString(), value: e.Value))
                : PSObject.AsPSObject(headers).Properties.Select(p => (name: p.Name, value: p.Value));
            int total = 0;
            foreach (var (name, raw) in pairs)
            {
                var value = Unwrap(raw) is IEnumerable many && !(Unwrap(raw) is string)
                    ? string.Join(",", many.Cast<object>().Select(v => Convert.ToString(Unwrap(v), System.Globalization.CultureInfo.InvariantCulture)))
                    : Convert.ToString(Unwrap(raw), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                if (string.IsNullOrEmpty(name) || name.Any(c => c <= ' ' || c >= 0x7F || "()<>@,;:\\\"/[]?={}".IndexOf(c) >= 0))
                    throw new ArgumentException($"the response header name '{name}' is not valid");
                if (value.Any(c => (c < ' ' && c != '\t') || c >= 0x7F)) throw new ArgumentException($"the response header '{name}' has a character HTTP headers cannot carry");
                if (Forbidden.Contains(name) || name.StartsWith("x-fc-", StringComparison.OrdinalIgnoreCase))
                    throw new ArgumentException($"the response header '{name}' cannot be set by a function");
                total += name.Length + value.Length + 4;
                if (total > MaxHeaderBytes) throw new ArgumentException("the response headers are larger than 8 KB");
                if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase)) ContentType = value;
                else Headers.Add(new KeyValuePair<string, string>(name, value));
            }
        }

        /// <summary>A string as UTF-8 text, bytes as they are, anything else (the PSObject itself, so its properties count) as JSON.</summary>
        private void SetBody(object body, Func<object, byte[]> toJson)
        {
            switch (Unwrap(body))
            {
                case null:
                    Body = Array.Empty<byte>();
                    break;
                case string text:
                    Body = Encoding.UTF8.GetBytes(text);
                    ContentType = ContentType ?? "text/plain; charset=utf-8";
                    break;
                case byte[] bytes:
                    Body = bytes;
                    ContentType = ContentType ?? "application/octet-stream";
                    break;
                default:
                    Body = toJson(body);
                    ContentType = ContentType ?? "application/json";
                    break;
            }
        }

        private static object Unwrap(object value) => value is PSObject wrapped ? wrapped.BaseObject : value;
    }
}
