using System;
using System.Globalization;
using System.Linq;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The request line and headers of one HTTP/1.1 (or 1.0) request, parsed strictly: anything a lenient parser might
    /// read two ways (obs-folded lines, Content-Length next to Transfer-Encoding, differing lengths, control characters)
    /// is refused, because the emulator's signature check must see exactly what the client signed.
    /// </summary>
    internal sealed class EmulatorHttpHead
    {
        private EmulatorHttpHead() { }

        public string Method { get; private set; }
        /// <summary>The request target exactly as sent (path and query, percent-encoded as the client encoded them).</summary>
        public string Target { get; private set; }
        public string Path { get; private set; }
        public string Query { get; private set; }
        public bool IsHttp11 { get; private set; }
        public EmulatorHeaders Headers { get; } = new EmulatorHeaders();
        /// <summary>The declared body length; null when the body is chunked or absent.</summary>
        public long? ContentLength { get; private set; }
        public bool IsChunked { get; private set; }
        public bool HasBody => IsChunked || ContentLength > 0;
        public bool KeepAlive { get; private set; }
        public bool ExpectContinue { get; private set; }

        /// <summary>Parses a head (without its final empty line); null and a reason when it is not one the emulator accepts.</summary>
        public static EmulatorHttpHead Parse(byte[] buffer, int offset, int count, out string problem)
        {
            problem = null;
            var text = Latin1(buffer, offset, count);
            var lines = text.Split(new[] { "\r\n" }, StringSplitOptions.None);
            var head = new EmulatorHttpHead();
            problem = head.ParseRequestLine(lines[0]);
            for (int i = 1; problem == null && i < lines.Length; i++) problem = head.ParseHeaderLine(lines[i]);
            problem = problem ?? head.ParseFraming();
            return problem == null ? head : null;
        }

        private string ParseRequestLine(string line)
        {
            var parts = line.Split(' ');
            if (parts.Length != 3) return "the request line is not 'METHOD target HTTP/1.1'";
            if (parts[0].Length == 0 || parts[0].Length > 20 || !parts[0].All(c => c >= 'A' && c <= 'Z')) return "the method is not valid";
            if (parts[1].Length == 0 || parts[1][0] != '/' || parts[1].Any(c => c <= ' ' || c >= 0x7F)) return "the request target is not an absolute path";
            if (parts[2] == "HTTP/1.1") IsHttp11 = true;
            else if (parts[2] != "HTTP/1.0") return "only HTTP/1.1 and HTTP/1.0 are supported";
            Method = parts[0];
            Target = parts[1];
            var q = Target.IndexOf('?');
            Path = q < 0 ? Target : Target.Substring(0, q);
            Query = q < 0 ? string.Empty : Target.Substring(q + 1);
            return null;
        }

        private string ParseHeaderLine(string line)
        {
            if (line.Length == 0) return null;
            if (line[0] == ' ' || line[0] == '\t') return "folded header lines are not accepted";
            var colon = line.IndexOf(':');
            if (colon <= 0) return "a header line has no name";
            var name = line.Substring(0, colon);
            if (!name.All(IsTokenChar)) return $"the header name '{name}' is not valid";
            var value = line.Substring(colon + 1).Trim(' ', '\t');
            if (value.Any(c => (c < ' ' && c != '\t') || c == 0x7F)) return $"the header '{name}' has a control character";
            Headers.Add(name, value);
            return null;
        }

        private string ParseFraming()
        {
            var hosts = Headers.Values("host").Count();
            if (hosts > 1 || (IsHttp11 && hosts == 0)) return "an HTTP/1.1 request needs exactly one Host header";

            var connection = Tokens("connection");
            KeepAlive = IsHttp11 ? !connection.Contains("close") : connection.Contains("keep-alive");
            ExpectContinue = Tokens("expect").Contains("100-continue");

            var encodings = Tokens("transfer-encoding");
            if (encodings.Length > 0)
            {
                if (Headers.Contains("content-length")) return "Content-Length and Transfer-Encoding cannot both be given";
                if (encodings.Length != 1 || encodings[0] != "chunked") return "the only transfer coding accepted is chunked";
                IsChunked = true;
                return null;
            }
            long? length = null;
            foreach (var value in Headers.Values("content-length").SelectMany(v => v.Split(',')))
            {
                var trimmed = value.Trim();
                if (trimmed.Length == 0 || trimmed.Length > 18 || !trimmed.All(c => c >= '0' && c <= '9')) return "Content-Length is not a number";
                var parsed = long.Parse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture);
                if (length.HasValue && length.Value != parsed) return "the Content-Length values differ";
                length = parsed;
            }
            ContentLength = length;
            return null;
        }

        private string[] Tokens(string header) =>
            Headers.Values(header).SelectMany(v => v.Split(',')).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).ToArray();

        private static bool IsTokenChar(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".IndexOf(c) >= 0;

        /// <summary>Bytes as ISO-8859-1: one char per byte, so nothing a client sent is lost or merged.</summary>
        internal static string Latin1(byte[] buffer, int offset, int count)
        {
            var chars = new char[count];
            for (int i = 0; i < count; i++) chars[i] = (char)buffer[offset + i];
            return new string(chars);
        }
    }
}
