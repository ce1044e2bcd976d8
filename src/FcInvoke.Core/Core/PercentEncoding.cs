using System.Collections.Generic;
using System.Text;

namespace FcInvoke.Core
{
    /// <summary>
    /// RFC 3986 percent-encoding as the Alibaba Cloud SDKs apply it to paths and queries:
    /// unreserved characters stay, everything else is UTF-8 %XX (upper-case), so a space is %20,
    /// '*' is %2A and '~' stays. Signer, request builder and emulator share it so they always agree.
    /// </summary>
    internal static class PercentEncoding
    {
        private const string Hex = "0123456789ABCDEF";

        public static string Encode(string value)
        {
            if (string.IsNullOrEmpty(value)) return string.Empty;
            if (IsAllUnreserved(value)) return value;
            var bytes = Encoding.UTF8.GetBytes(value);
            var sb = new StringBuilder(bytes.Length * 3);
            foreach (var b in bytes)
            {
                if (IsUnreserved((char)b) && b < 0x80) sb.Append((char)b);
                else sb.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            }
            return sb.ToString();
        }

        /// <summary>Decodes %XX sequences as UTF-8. '+' is kept: in paths it is a literal plus.</summary>
        public static string Decode(string value, bool plusIsSpace = false)
        {
            if (string.IsNullOrEmpty(value)) return string.Empty;
            if (value.IndexOf('%') < 0 && !(plusIsSpace && value.IndexOf('+') >= 0)) return value;
            var bytes = new byte[Encoding.UTF8.GetByteCount(value)];
            int n = 0;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
                {
                    bytes[n++] = (byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                    i += 2;
                }
                else if (c == '+' && plusIsSpace)
                {
                    bytes[n++] = (byte)' ';
                }
                else
                {
                    n += Encoding.UTF8.GetBytes(value, i, char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1, bytes, n);
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length) i++;
                }
            }
            return Encoding.UTF8.GetString(bytes, 0, n);
        }

        private static bool IsAllUnreserved(string value)
        {
            foreach (var c in value) if (!IsUnreserved(c)) return false;
            return true;
        }

        private static bool IsUnreserved(char c) =>
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~';

        private static bool IsHex(char c) =>
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        private static int HexValue(char c) =>
            c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

        /// <summary>
        /// A raw query ("a=1&amp;b=x+y", without its '?') as decoded pairs in order, '+' as a space (as the SDKs' and the
        /// samples' URL parsers read it); a name without '=' has an empty value.
        /// </summary>
        public static List<KeyValuePair<string, string>> ParseQuery(string rawQuery)
        {
            var result = new List<KeyValuePair<string, string>>();
            if (string.IsNullOrEmpty(rawQuery)) return result;
            foreach (var part in rawQuery.Split('&'))
            {
                if (part.Length == 0) continue;
                var eq = part.IndexOf('=');
                var name = eq < 0 ? part : part.Substring(0, eq);
                var value = eq < 0 ? string.Empty : part.Substring(eq + 1);
                result.Add(new KeyValuePair<string, string>(Decode(name, true), Decode(value, true)));
            }
            return result;
        }
    }
}
