using System;
using System.Text;
using System.Text.Json;

namespace FcInvoke.Core
{
    /// <summary>
    /// What a body says, briefly and safely, for error messages: a gateway's HTML page or a stack of text becomes one
    /// short line without markup; and the JSON object an operation needs, or a documented error when it is something else.
    /// </summary>
    internal static class FcResponseText
    {
        public const int MaxExcerpt = 120;

        /// <summary>
        /// One line of at most <paramref name="max"/> characters: markup removed (tags, entities), whitespace collapsed,
        /// an HTML page's title preferred to its body; null when nothing readable is left.
        /// </summary>
        public static string Summarize(byte[] body, int max = MaxExcerpt)
        {
            if (body == null || body.Length == 0) return null;
            // The first 8 KB say what the body is about; decoding all of a 32 MB answer would only cost time.
            return Summarize(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 8192)), max);
        }

        /// <summary>The same for text: one line of at most <paramref name="max"/> characters, without markup.</summary>
        public static string Summarize(string text, int max = MaxExcerpt)
        {
            if (string.IsNullOrEmpty(text)) return null;
            if (text.Length > 8192) text = text.Substring(0, 8192);
            var title = Between(text, "<title", "</title>");
            if (title != null)
            {
                var close = title.IndexOf('>');
                text = close >= 0 ? title.Substring(close + 1) : title;
            }
            var sb = new StringBuilder(Math.Min(text.Length, max + 1));
            bool pendingSpace = false;
            for (int i = 0; i < text.Length; i++)
            {
                var c = text[i];
                // A tag: '<' then a letter, '/', '!' or '?', up to the next '>'. A lone '<' ("a < b") is text.
                if (c == '<' && i + 1 < text.Length && (char.IsLetter(text[i + 1]) || text[i + 1] == '/' || text[i + 1] == '!' || text[i + 1] == '?'))
                {
                    var end = text.IndexOf('>', i + 1);
                    if (end > 0)
                    {
                        i = end;
                        pendingSpace = sb.Length > 0;
                        continue;
                    }
                }
                if (char.IsWhiteSpace(c) || char.IsControl(c)) { pendingSpace = sb.Length > 0; continue; }
                if (pendingSpace) { sb.Append(' '); pendingSpace = false; }
                sb.Append(c);
                if (sb.Length > max + 16) break; // entities below may shorten it
            }
            var line = System.Net.WebUtility.HtmlDecode(sb.ToString()).Trim();
            if (line.Length == 0) return null;
            return line.Length <= max ? line : line.Substring(0, max - 1).TrimEnd() + "…";
        }

        /// <summary>The answer's body as a JSON object; anything else is <see cref="FcUnexpectedResponseException"/>.</summary>
        public static JsonDocument ParseObject(FcResponse response, string action)
        {
            var body = response.Body ?? Array.Empty<byte>();
            if (body.Length == 0)
                throw new FcUnexpectedResponseException(action, response.StatusCode, response.RequestId, "an empty body instead of a JSON object", body);
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                throw new FcUnexpectedResponseException(action, response.StatusCode, response.RequestId, "a body that is not JSON", body);
            }
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
            var kind = doc.RootElement.ValueKind;
            doc.Dispose();
            throw new FcUnexpectedResponseException(action, response.StatusCode, response.RequestId,
                $"a JSON {kind.ToString().ToLowerInvariant()} instead of an object", body);
        }

        private static string Between(string text, string open, string close)
        {
            var start = text.IndexOf(open, StringComparison.OrdinalIgnoreCase);
            if (start < 0) return null;
            var end = text.IndexOf(close, start, StringComparison.OrdinalIgnoreCase);
            return end < 0 ? null : text.Substring(start + open.Length, end - start - open.Length);
        }
    }
}
