using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace FcInvoke.Credentials
{
    internal enum ProfileFileFormat { CliConfig, Ini }

    /// <summary>One profile of a credentials file: its settings as text, each with the line it came from.</summary>
    internal sealed class CredentialProfile
    {
        private readonly Dictionary<string, (string Value, int Line)> _fields;

        public CredentialProfile(string name, CredentialFile file, int line)
        {
            Name = name;
            File = file;
            Line = line;
            // INI keys are case-sensitive in go-ini, npm ini and credentials-java's parser; the aliyun CLI reads config.json
            // with Go's encoding/json, which matches field names without regard to case.
            _fields = new Dictionary<string, (string, int)>(file.Format == ProfileFileFormat.Ini ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        }

        public string Name { get; internal set; }
        public CredentialFile File { get; }
        public int Line { get; }

        /// <summary>The mode (aliyun CLI) or type (INI) that selects how credentials are made.</summary>
        public string Kind => Get(File.Format == ProfileFileFormat.CliConfig ? "mode" : "type");
        public string Region => Get("region_id");
        /// <summary>Not a field of the official formats; FcInvoke reads it when present.</summary>
        public string AccountId => Get("account_id");

        public string Get(string key) => _fields.TryGetValue(key, out var field) && !string.IsNullOrWhiteSpace(field.Value) ? field.Value.Trim() : null;

        internal void Set(string key, string value, int line) => _fields[key] = (value, line);

        /// <summary>A required setting; missing → an error naming the file, line and setting (never a value).</summary>
        public string Require(string key)
        {
            var value = Get(key);
            if (value == null)
                throw File.Error(Line, $"profile '{Name}' ({(File.Format == ProfileFileFormat.CliConfig ? "mode" : "type")} {Kind}) has no '{key}'");
            return value;
        }
    }

    /// <summary>A parsed aliyun CLI config.json or Alibaba Cloud credentials INI file. Read, never written.</summary>
    internal sealed class CredentialFile
    {
        private CredentialFile(string path, ProfileFileFormat format, DateTime lastWriteUtc, long length)
        {
            Path = path;
            Format = format;
            Version = $"{lastWriteUtc.Ticks}:{length}";
        }

        public string Path { get; }
        public ProfileFileFormat Format { get; }
        /// <summary>Changes when the file changes: part of the cache key of the providers made from it.</summary>
        public string Version { get; }
        /// <summary>The aliyun CLI's "current" profile (config.json only).</summary>
        public string Current { get; private set; }
        public List<CredentialProfile> Profiles { get; } = new List<CredentialProfile>();

        public string Description => Format == ProfileFileFormat.CliConfig ? $"the aliyun CLI config file '{Path}'" : $"the credentials file '{Path}'";

        /// <summary>
        /// The profile of that name. In config.json the first of that name, as the aliyun CLI (config/configuration.go
        /// GetProfile) and the official libraries (cli_profile getProfile) take it; in the INI file there is one section per
        /// name, because sections of the same name are merged, as the official INI parsers do.
        /// </summary>
        public CredentialProfile Find(string name) => Profiles.Find(p => string.Equals(p.Name, name, StringComparison.Ordinal));

        public FcCredentialException Error(int line, string problem) =>
            new FcCredentialException(FcCredentialFailure.InvalidFile,
                $"{char.ToUpperInvariant(Description[0])}{Description.Substring(1)}, line {line}: {problem}.");

        public static CredentialFile Load(string path, ProfileFileFormat format)
        {
            byte[] bytes;
            FileInfo info;
            try
            {
                info = new FileInfo(path);
                bytes = System.IO.File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new FcCredentialException(FcCredentialFailure.InvalidFile, $"The file '{path}' cannot be read: {ex.GetType().Name}.", ex);
            }
            var file = new CredentialFile(path, format, info.LastWriteTimeUtc, info.Length);
            if (format == ProfileFileFormat.CliConfig) file.ParseCliConfig(bytes);
            else file.ParseIni(bytes);
            return file;
        }

        internal static CredentialFile Parse(string path, ProfileFileFormat format, string text)
        {
            var file = new CredentialFile(path, format, DateTime.MinValue, text.Length);
            var bytes = Encoding.UTF8.GetBytes(text);
            if (format == ProfileFileFormat.CliConfig) file.ParseCliConfig(bytes);
            else file.ParseIni(bytes);
            return file;
        }

        // ---- INI: [profile] sections of key = value lines; '#' and ';' start comments. ----
        // What the official libraries do with this file: credentials-go reads it with gopkg.in/ini.v1 (default options),
        // @alicloud/credentials with the npm package ini 1.x. Both merge sections of the same name (a later key wins),
        // and both end a value at its first '#' or ';', whitespace before it or not. Where the two would read a line
        // differently (see IniValue), FcInvoke stops with an error naming the line rather than pick one reading.

        private static readonly char[] CommentMarkers = { '#', ';' };

        private void ParseIni(byte[] bytes)
        {
            var text = Decode(bytes);
            var lines = text.Split('\n');
            CredentialProfile section = null;
            for (int i = 0; i < lines.Length; i++)
            {
                int number = i + 1;
                var line = lines[i].Trim();
                if (line.Length == 0 || line[0] == '#' || line[0] == ';') continue;
                if (line[0] == '[')
                {
                    if (line[line.Length - 1] != ']')
                        throw Error(number, "a section header must end with ']' (not even a comment may follow it: the official parsers disagree on such a line)");
                    var name = line.Substring(1, line.Length - 2).Trim();
                    if (name.Length == 0) throw Error(number, "the section has no name");
                    section = Find(name); // a second [name] adds to the first
                    if (section == null) Profiles.Add(section = new CredentialProfile(name, this, number));
                    continue;
                }
                int eq = line.IndexOf('=');
                if (eq < 0) throw Error(number, "the line is neither a [section], a 'key = value' setting nor a comment");
                if (eq == 0) throw Error(number, "the setting has no key before '='");
                if (section == null) throw Error(number, "a setting comes before any [section]");
                var key = line.Substring(0, eq).Trim();
                section.Set(key, IniValue(line.Substring(eq + 1), number), number);
            }
        }

        /// <summary>
        /// A value as both official parsers read it: up to its first '#' or ';' (an inline comment), trimmed, and without
        /// the quotes around it. Refused (file and line named, never the text) where they disagree: a quoted value with a
        /// comment character, a backslash or a double quote inside (npm ini reads it as JSON, go-ini ends it at the comment), an
        /// escaped \# or \; (npm ini unescapes it, go-ini does not), a quoted value followed by a comment (npm ini keeps the
        /// quotes), a value ending with a backslash (go-ini joins the next line to it).
        /// </summary>
        private string IniValue(string text, int line)
        {
            var value = text.Trim();
            if (IsQuoted(value))
            {
                var inner = value.Substring(1, value.Length - 2);
                if (inner.IndexOfAny(new[] { '#', ';', '\\', '"' }) >= 0)
                    throw Ambiguous(line, "a quoted value with '#', ';', a backslash or a double quote inside");
                return inner;
            }
            int comment = value.IndexOfAny(CommentMarkers);
            if (comment >= 0)
            {
                if (comment > 0 && value[comment - 1] == '\\') throw Ambiguous(line, "a value with an escaped '\\#' or '\\;'");
                value = value.Substring(0, comment).TrimEnd();
                if (IsQuoted(value)) throw Ambiguous(line, "a quoted value followed by a comment");
            }
            if (value.EndsWith("\\", StringComparison.Ordinal)) throw Ambiguous(line, "a value ending with a backslash");
            return value;
        }

        private static bool IsQuoted(string value) =>
            value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[value.Length - 1] == value[0];

        private FcCredentialException Ambiguous(int line, string what) =>
            Error(line, $"{what}, which the official libraries read differently (credentials-go and @alicloud/credentials disagree); " +
                        "write the value plainly, with any comment after it");

        // ---- aliyun CLI config.json: {"current": "...", "profiles": [{"name": "...", "mode": "...", ...}]} ----

        private void ParseCliConfig(byte[] bytes)
        {
            int offset = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            var span = new ReadOnlySpan<byte>(bytes, offset, bytes.Length - offset);
            var lineStarts = LineStarts(span);
            var reader = new Utf8JsonReader(span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            try
            {
                if (!reader.Read()) throw Error(1, "the file is empty");
                if (reader.TokenType != JsonTokenType.StartObject) throw Error(LineOf(lineStarts, reader.TokenStartIndex), "the file is not a JSON object");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var property = reader.GetString();
                    reader.Read();
                    int line = LineOf(lineStarts, reader.TokenStartIndex);
                    if (property == "current")
                    {
                        if (reader.TokenType == JsonTokenType.String) Current = reader.GetString();
                        else if (reader.TokenType != JsonTokenType.Null) throw Error(line, "'current' must be a string");
                    }
                    else if (property == "profiles")
                    {
                        if (reader.TokenType == JsonTokenType.Null) continue;
                        if (reader.TokenType != JsonTokenType.StartArray) throw Error(line, "'profiles' must be an array");
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType != JsonTokenType.StartObject)
                                throw Error(LineOf(lineStarts, reader.TokenStartIndex), "each entry of 'profiles' must be an object");
                            ReadProfile(ref reader, lineStarts);
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            catch (JsonException ex)
            {
                // The parser's own message may quote a character of the file (which could belong to a secret): not used.
                throw Error((int)(ex.LineNumber ?? 0) + 1, $"the JSON is malformed near position {(ex.BytePositionInLine ?? 0) + 1}");
            }
        }

        private void ReadProfile(ref Utf8JsonReader reader, List<long> lineStarts)
        {
            int profileLine = LineOf(lineStarts, reader.TokenStartIndex);
            var profile = new CredentialProfile(null, this, profileLine);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = reader.GetString();
                reader.Read();
                int line = LineOf(lineStarts, reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.String: profile.Set(key, reader.GetString(), line); break;
                    case JsonTokenType.Number: profile.Set(key, Encoding.UTF8.GetString(reader.ValueSpan.ToArray()), line); break;
                    case JsonTokenType.True: profile.Set(key, "true", line); break;
                    case JsonTokenType.False: profile.Set(key, "false", line); break;
                    case JsonTokenType.Null: break;
                    default: reader.Skip(); break;
                }
            }
            var name = profile.Get("name");
            if (name == null) throw Error(profileLine, "a profile has no 'name'");
            profile.Name = name;
            Profiles.Add(profile);
        }

        private static List<long> LineStarts(ReadOnlySpan<byte> span)
        {
            var starts = new List<long> { 0 };
            for (int i = 0; i < span.Length; i++) if (span[i] == (byte)'\n') starts.Add(i + 1);
            return starts;
        }

        private static int LineOf(List<long> lineStarts, long offset)
        {
            int index = lineStarts.BinarySearch(offset);
            return (index >= 0 ? index : ~index - 1) + 1;
        }

        private static string Decode(byte[] bytes)
        {
            int offset = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            return Encoding.UTF8.GetString(bytes, offset, bytes.Length - offset);
        }
    }
}
