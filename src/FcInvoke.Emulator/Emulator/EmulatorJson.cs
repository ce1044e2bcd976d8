using System;
using System.IO;
using System.Text.Json;

namespace FcInvoke.Emulator
{
    /// <summary>Small helpers for writing FC's JSON answers.</summary>
    internal static class EmulatorJson
    {
        public static byte[] Write(Action<Utf8JsonWriter> write)
        {
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream)) write(w);
                return stream.ToArray();
            }
        }

        /// <summary>A JSON string literal, quotes included.</summary>
        public static string Quote(string value)
        {
            var bytes = Write(w => w.WriteStringValue(value ?? string.Empty));
            return System.Text.Encoding.UTF8.GetString(bytes);
        }
    }
}
