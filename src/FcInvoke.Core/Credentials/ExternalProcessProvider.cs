using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>
    /// The aliyun CLI's External mode: a profile's process_command is run (no shell, no standard input, the standard
    /// error read and thrown away, a 60 s limit as in the official libraries) and prints JSON on its standard output:
    /// {"mode": "AK" | "StsToken", "access_key_id", "access_key_secret", "sts_token", "expiration"}. A credential with
    /// an expiration is fetched again before it expires. The command line and the output are never shown: they may
    /// hold secrets. One provider serves one command (or one Connect-FcAccount context), so the command is run once per
    /// command, as the aliyun CLI runs it once per call.
    /// </summary>
    internal sealed class ExternalProcessProvider : RefreshingCredentialProvider
    {
        internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
        internal const int MaxOutputChars = 1 << 20;

        private readonly string[] _arguments;
        private readonly string _what;

        /// <param name="arguments">The split process_command (program first).</param>
        /// <param name="what">Names the command for messages without quoting it, e.g. "The process_command of profile 'x' (file, line 4)".</param>
        public ExternalProcessProvider(string name, string[] arguments, string what) : base(name)
        {
            if (arguments == null || arguments.Length == 0 || string.IsNullOrEmpty(arguments[0])) throw new ArgumentException("No program to run.", nameof(arguments));
            _arguments = arguments;
            _what = what;
        }

        /// <summary>The time limit for one run; tests shorten it.</summary>
        internal TimeSpan Timeout { get; set; } = DefaultTimeout;

        /// <summary>The account id looked up for a key is the same whichever command run printed it.</summary>
        public override string AccountCacheKey => LastCredential is FcCredential last ? "ak:" + last.AccessKeyId : base.AccountCacheKey;

        protected override async Task<FcCredential> FetchAsync(IFcLog log, CancellationToken cancellationToken)
        {
            log?.Verbose($"{Name}: running the profile's process_command (program '{SafeFileName(_arguments[0])}').");
            var output = await ExternalProcess.RunAsync(_arguments, Timeout, _what, cancellationToken).ConfigureAwait(false);
            return ExternalProcess.ParseOutput(output, _what, Name, log);
        }

        private static string SafeFileName(string program)
        {
            try { return Path.GetFileName(program); }
            catch (ArgumentException) { return "?"; }
        }
    }

    /// <summary>Runs a process_command and reads what it prints (ExternalProcessProvider).</summary>
    internal static class ExternalProcess
    {
        private static readonly PropertyInfo ArgumentListProperty = typeof(ProcessStartInfo).GetProperty("ArgumentList");
        private static readonly MethodInfo KillTreeMethod = typeof(Process).GetMethod("Kill", new[] { typeof(bool) });

        /// <summary>The process's standard output, once it has exited with code 0 within the limit.</summary>
        public static async Task<string> RunAsync(string[] arguments, TimeSpan timeout, string what, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo
            {
                FileName = arguments[0],
                UseShellExecute = false,
                CreateNoWindow = true,
                RedirectStandardInput = true,   // closed at once: a prompt must not wait for a runbook that never answers
                RedirectStandardOutput = true,
                RedirectStandardError = true,   // read and thrown away: it may echo a secret
                StandardOutputEncoding = new UTF8Encoding(false),
                StandardErrorEncoding = new UTF8Encoding(false),
            };
            SetArguments(start, arguments.Skip(1).ToList());

            using (var process = new Process { StartInfo = start, EnableRaisingEvents = true })
            {
                var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                process.Exited += (sender, e) => exited.TrySetResult(true);
                try
                {
                    if (!process.Start()) throw Failure($"{what} could not be started.");
                }
                catch (Win32Exception ex)
                {
                    // Not kept as the inner exception: its message names the program and the working directory. The
                    // system's text for the error code does not.
                    throw Failure($"{what} could not be started: {new Win32Exception(ex.NativeErrorCode).Message}.");
                }
                catch (InvalidOperationException)
                {
                    throw Failure($"{what} could not be started.");
                }

                try { process.StandardInput.Close(); }
                catch (IOException) { /* the process exited before its input was closed: nothing to close */ }

                var output = ReadLimitedAsync(process.StandardOutput);
                var error = DrainAsync(process.StandardError);
                var finished = Task.WhenAll(exited.Task, output, error);
                using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    limit.CancelAfter(timeout);
                    var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    using (limit.Token.Register(() => stopped.TrySetResult(true)))
                    {
                        if (await Task.WhenAny(finished, stopped.Task).ConfigureAwait(false) != finished)
                        {
                            Kill(process);
                            Observe(output, error);
                            cancellationToken.ThrowIfCancellationRequested();
                            throw Failure($"{what} did not finish within {timeout.TotalSeconds:0.###} s and was stopped.");
                        }
                    }
                }

                await finished.ConfigureAwait(false);
                process.WaitForExit(); // the exit code is set; returns at once
                if (process.ExitCode != 0)
                    throw Failure($"{what} exited with code {process.ExitCode}. Its error output is not shown (it could hold a secret): run the command yourself to see it.");
                var (text, truncated) = await output.ConfigureAwait(false);
                if (truncated) throw Failure($"{what} printed more than {ExternalProcessProvider.MaxOutputChars} characters; a credential is a small JSON object.");
                return text;
            }
        }

        /// <summary>
        /// The JSON the aliyun CLI documents for External (README "Use an external program to get credentials"): mode
        /// "AK" or "StsToken", access_key_id, access_key_secret, sts_token; and "expiration" (2006-01-02T15:04:05Z), which
        /// the official libraries read to refresh. Where the CLI and the libraries would read the output differently, it is refused.
        /// </summary>
        public static FcCredential ParseOutput(string output, string what, string source, IFcLog log)
        {
            if (string.IsNullOrWhiteSpace(output)) throw Failure($"{what} printed nothing on its standard output.");
            JsonDocument json;
            try { json = JsonDocument.Parse(output); }
            catch (JsonException) { throw Failure($"{what} printed something other than JSON (the output is not shown)."); }
            using (json)
            {
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw Failure($"{what} printed JSON that is not an object (the output is not shown).");
                var mode = StsClient.String(root, "mode");
                var id = StsClient.String(root, "access_key_id");
                var secret = StsClient.String(root, "access_key_secret");
                var token = StsClient.String(root, "sts_token");
                var expirationText = StsClient.String(root, "expiration");
                if (mode != "AK" && mode != "StsToken")
                    throw Failure($"{what} printed {(mode == null ? "no \"mode\"" : "a \"mode\" other than \"AK\" or \"StsToken\"")}: the aliyun CLI documents those two (the output is not shown).");
                var missing = new List<string>();
                if (string.IsNullOrEmpty(id)) missing.Add("access_key_id");
                if (string.IsNullOrEmpty(secret)) missing.Add("access_key_secret");
                if (mode == "StsToken" && string.IsNullOrEmpty(token)) missing.Add("sts_token");
                if (missing.Count > 0) throw Failure($"{what} printed mode \"{mode}\" without {string.Join(", ", missing)}.");
                if (mode == "AK" && !string.IsNullOrEmpty(token))
                    throw Failure($"{what} printed mode \"AK\" with an sts_token: the aliyun CLI would drop the token and the official libraries would send it. Print mode \"StsToken\", or no sts_token.");
                DateTimeOffset? expiration = null;
                if (!string.IsNullOrEmpty(expirationText))
                {
                    expiration = StsClient.ParseExpiration(expirationText);
                    if (!expiration.HasValue)
                        log?.Warning($"{what} printed an \"expiration\" that is not a UTC time like 2006-01-02T15:04:05Z; the credential is used without one (it is not refreshed).");
                }
                return new FcCredential(id, secret, mode == "StsToken" ? token : null, expiration, source);
            }
        }

        private static void SetArguments(ProcessStartInfo start, List<string> arguments)
        {
            if (ArgumentListProperty?.GetValue(start) is ICollection<string> list)
            {
                foreach (var argument in arguments) list.Add(argument); // .NET (pwsh 7): passed as they are
                return;
            }
            start.Arguments = ProcessCommandLine.JoinForWindows(arguments); // .NET Framework (Windows PowerShell 5.1)
        }

        private static void Kill(Process process)
        {
            try
            {
                if (KillTreeMethod != null) KillTreeMethod.Invoke(process, new object[] { true });
                else process.Kill();
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is Win32Exception || ex is TargetInvocationException || ex is NotSupportedException)
            {
                // It exited meanwhile, or cannot be stopped: the limit is reported either way.
            }
        }

        private static void Observe(params Task[] tasks)
        {
            foreach (var task in tasks)
                _ = task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        }

        private static async Task<(string Text, bool Truncated)> ReadLimitedAsync(StreamReader reader)
        {
            var text = new StringBuilder();
            var buffer = new char[4096];
            bool truncated = false;
            int read;
            while ((read = await reader.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
            {
                if (text.Length + read > ExternalProcessProvider.MaxOutputChars) truncated = true; // keep reading, so the process never blocks
                else text.Append(buffer, 0, read);
            }
            return (text.ToString(), truncated);
        }

        private static async Task DrainAsync(StreamReader reader)
        {
            var buffer = new char[4096];
            while (await reader.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false) > 0) { }
        }

        private static FcCredentialException Failure(string message, Exception inner = null) =>
            new FcCredentialException(FcCredentialFailure.CredentialProcess, message, inner);
    }

    /// <summary>
    /// Splits a process_command into the program and its arguments the way the aliyun CLI and the official libraries
    /// document it (aliyun-cli config/command_split.go, credentials-go providers/command_split.go): no shell; blanks
    /// separate arguments; single quotes keep everything literally; double quotes group. On Unix a backslash outside
    /// quotes takes the next character literally, inside double quotes only before " \ $ and `, and a backslash before
    /// a line break joins the lines. On Windows a backslash is a path separator, except \" inside double quotes.
    /// </summary>
    internal static class ProcessCommandLine
    {
        /// <exception cref="FormatException">An unclosed quote, a trailing backslash (Unix) or no program; the message never quotes the command.</exception>
        public static string[] Split(string command, bool windows)
        {
            var text = (command ?? string.Empty).Trim();
            if (text.Length == 0) throw new FormatException("the process_command is empty");
            var arguments = new List<string>();
            var current = new StringBuilder();
            bool inSingle = false, inDouble = false, started = false;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (inSingle)
                {
                    if (c == '\'') inSingle = false;
                    else current.Append(c);
                    continue;
                }
                if (inDouble)
                {
                    if (c == '"') { inDouble = false; continue; }
                    if (c == '\\' && i + 1 < text.Length)
                    {
                        char next = text[i + 1];
                        if (windows ? next == '"' : next == '"' || next == '\\' || next == '$' || next == '`')
                        {
                            current.Append(next);
                            i++;
                            continue;
                        }
                        if (!windows && next == '\n') { i++; continue; }
                    }
                    current.Append(c);
                    continue;
                }
                if (c == '\\' && !windows)
                {
                    if (i + 1 >= text.Length) throw new FormatException("the process_command ends with a backslash");
                    if (text[i + 1] == '\n') { i++; continue; }
                    current.Append(text[++i]);
                    started = true;
                    continue;
                }
                if (c == '\'') { inSingle = true; started = true; continue; }
                if (c == '"') { inDouble = true; started = true; continue; }
                if (char.IsWhiteSpace(c))
                {
                    if (started) { arguments.Add(current.ToString()); current.Clear(); started = false; }
                    continue;
                }
                current.Append(c);
                started = true;
            }
            if (inSingle || inDouble) throw new FormatException("the process_command has an unclosed quote");
            if (started) arguments.Add(current.ToString());
            if (arguments.Count == 0 || arguments[0].Length == 0) throw new FormatException("the process_command names no program");
            return arguments.ToArray();
        }

        /// <summary>
        /// One Windows command line that the C runtime (and .NET) splits back into exactly these arguments: each is quoted
        /// when it is empty or has a blank or a quote, backslashes before a quote (or the closing quote) are doubled.
        /// </summary>
        public static string JoinForWindows(IEnumerable<string> arguments)
        {
            var line = new StringBuilder();
            foreach (var argument in arguments)
            {
                if (line.Length > 0) line.Append(' ');
                if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0)
                {
                    line.Append(argument);
                    continue;
                }
                line.Append('"');
                int backslashes = 0;
                foreach (char c in argument)
                {
                    if (c == '\\') { backslashes++; continue; }
                    if (c == '"') { line.Append('\\', backslashes * 2 + 1).Append('"'); backslashes = 0; continue; }
                    line.Append('\\', backslashes).Append(c);
                    backslashes = 0;
                }
                line.Append('\\', backslashes * 2).Append('"');
            }
            return line.ToString();
        }
    }
}
