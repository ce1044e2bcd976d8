using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.IO;
using System.Text.Json;

namespace FcInvoke.Emulator
{
    /// <summary>What one run of an emulated function produced.</summary>
    internal sealed class FunctionOutcome
    {
        public byte[] Body { get; set; } = Array.Empty<byte>();
        public bool Failed { get; set; }
        public bool Stopped { get; set; }
        public string ErrorMessage { get; set; }
        public string ErrorType { get; set; }
        public string[] StackTrace { get; set; } = Array.Empty<string>();
        /// <summary>What the function wrote to its output, kept (instead of <see cref="Body"/>) when the caller maps it itself (HTTP triggers).</summary>
        public IReadOnlyList<PSObject> Output { get; set; } = Array.Empty<PSObject>();
        /// <summary>Succeeded, Failed or Stopped: how the journal and tasks name the run's end.</summary>
        public string Name => Stopped ? "Stopped" : Failed ? "Failed" : "Succeeded";
        /// <summary>The whole log, in FC's format (start line, one line per record, end line).</summary>
        public string Log { get; set; }
        public TimeSpan Duration { get; set; }
    }

    /// <summary>
    /// Runs function script blocks in a runspace pool, never on the caller's thread: like ForEach-Object -Parallel,
    /// a function sees its arguments ($Event, $Context), not the caller's variables. What it writes to the
    /// information, verbose, warning and error streams becomes its log.
    /// </summary>
    internal sealed class EmulatorFunctionHost : IDisposable
    {
        private readonly Lazy<RunspacePool> _pool;

        public EmulatorFunctionHost(int maxRunspaces)
        {
            _pool = new Lazy<RunspacePool>(() => OpenPool(maxRunspaces), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        private static RunspacePool OpenPool(int maxRunspaces)
        {
            var state = InitialSessionState.CreateDefault2();
            // Let Write-Verbose and Write-Information reach the log as they would reach a function's stdout.
            state.Variables.Add(new SessionStateVariableEntry("VerbosePreference", ActionPreference.Continue, string.Empty));
            state.Variables.Add(new SessionStateVariableEntry("InformationPreference", ActionPreference.Continue, string.Empty));
            state.Variables.Add(new SessionStateVariableEntry("ProgressPreference", ActionPreference.SilentlyContinue, string.Empty));
            var pool = RunspaceFactory.CreateRunspacePool(state);
            pool.SetMaxRunspaces(Math.Max(1, maxRunspaces));
            pool.SetMinRunspaces(1);
            pool.ThreadOptions = PSThreadOptions.UseNewThread;
            pool.Open();
            return pool;
        }

        /// <param name="keepOutput">Keep the output objects in <see cref="FunctionOutcome.Output"/> rather than turning them into <see cref="FunctionOutcome.Body"/>.</param>
        public async Task<FunctionOutcome> RunAsync(string scriptText, object eventArgument, PSObject context, string requestId, CancellationToken cancellationToken,
                                                    bool keepOutput = false)
        {
            var log = new FunctionLog(requestId);
            var outcome = new FunctionOutcome();
            var started = DateTime.UtcNow;
            using (var ps = PowerShell.Create())
            {
                ps.RunspacePool = _pool.Value;
                ps.AddScript(scriptText, useLocalScope: true).AddArgument(eventArgument).AddArgument(context);
                ps.Streams.Information.DataAdded += (s, e) => log.Add("INFO", ((PSDataCollection<InformationRecord>)s)[e.Index].MessageData?.ToString());
                ps.Streams.Verbose.DataAdded += (s, e) => log.Add("VERBOSE", ((PSDataCollection<VerboseRecord>)s)[e.Index].Message);
                ps.Streams.Warning.DataAdded += (s, e) => log.Add("WARN", ((PSDataCollection<WarningRecord>)s)[e.Index].Message);
                ps.Streams.Debug.DataAdded += (s, e) => log.Add("DEBUG", ((PSDataCollection<DebugRecord>)s)[e.Index].Message);
                ps.Streams.Error.DataAdded += (s, e) => log.Add("ERROR", ((PSDataCollection<ErrorRecord>)s)[e.Index].ToString());

                var output = new PSDataCollection<PSObject>();
                using (cancellationToken.Register(() => { try { ps.BeginStop(null, null); } catch (Exception) { /* already finished or disposed: nothing to stop */ } }))
                {
                    try
                    {
                        var handle = ps.BeginInvoke<object, PSObject>(null, output);
                        await Task.Factory.FromAsync(handle, ps.EndInvoke).ConfigureAwait(false);
                        if (ps.InvocationStateInfo.State == PSInvocationState.Stopped) outcome.Stopped = true;
                    }
                    catch (PipelineStoppedException)
                    {
                        outcome.Stopped = true;
                    }
                    catch (RuntimeException ex)
                    {
                        Fail(outcome, ex.ErrorRecord?.Exception ?? ex, ex.ErrorRecord?.ScriptStackTrace, log);
                    }
                    catch (Exception ex)
                    {
                        Fail(outcome, ex, null, log);
                    }
                }
                if (outcome.Stopped) log.Add("WARN", "The invocation was stopped.");
                if (!outcome.Failed && !outcome.Stopped && keepOutput)
                {
                    outcome.Output = output.Where(o => o != null).ToList();
                }
                else if (!outcome.Failed && !outcome.Stopped)
                {
                    try
                    {
                        outcome.Body = ResultBody(output, _pool.Value);
                    }
                    catch (Exception ex) when (!(ex is OutOfMemoryException))
                    {
                        // Output ConvertTo-Json cannot serialize is the function's failure (FC reports what the runtime
                        // could not return as a function error), never an emulator 500 after the function ran.
                        Fail(outcome, ex, null, log);
                    }
                }
            }
            outcome.Duration = DateTime.UtcNow - started;
            outcome.Log = log.Finish();
            return outcome;
        }

        private static void Fail(FunctionOutcome outcome, Exception ex, string scriptStackTrace, FunctionLog log)
        {
            outcome.Failed = true;
            outcome.ErrorMessage = ex.Message;
            outcome.ErrorType = ex.GetType().Name;
            outcome.StackTrace = (scriptStackTrace ?? string.Empty)
                .Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries);
            outcome.Body = ErrorBody(outcome);
            log.Add("ERROR", $"{outcome.ErrorType}: {outcome.ErrorMessage}");
        }

        /// <summary>FC's function-error body: errorMessage, errorType, stackTrace.</summary>
        private static byte[] ErrorBody(FunctionOutcome outcome)
        {
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    w.WriteString("errorMessage", outcome.ErrorMessage);
                    w.WriteString("errorType", outcome.ErrorType);
                    w.WriteStartArray("stackTrace");
                    foreach (var line in outcome.StackTrace) w.WriteStringValue(line);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                return stream.ToArray();
            }
        }

        /// <summary>
        /// One output value: a string as it is, bytes raw; anything else (and several values, as an array) as the JSON
        /// ConvertTo-Json makes of it, run in the function's own runspace pool, as a runbook author would serialize it.
        /// </summary>
        private static byte[] ResultBody(PSDataCollection<PSObject> output, RunspacePool pool)
        {
            var values = output.Where(o => o != null).ToList();
            if (values.Count == 0) return Array.Empty<byte>();
            if (values.Count == 1)
            {
                switch (values[0].BaseObject)
                {
                    case string text: return Encoding.UTF8.GetBytes(text);
                    case byte[] bytes: return bytes;
                }
            }
            using (var convert = PowerShell.Create())
            {
                convert.RunspacePool = pool;
                convert.AddCommand("ConvertTo-Json")
                       .AddParameter("InputObject", values.Count == 1 ? (object)values[0] : values.ToArray())
                       .AddParameter("Depth", 64)
                       .AddParameter("Compress");
                var json = convert.Invoke<string>();
                return Encoding.UTF8.GetBytes(json.Count == 0 ? string.Empty : json[0]);
            }
        }

        /// <summary>A value as the JSON ConvertTo-Json makes of it (depth 64, compressed), run in the functions' pool.</summary>
        public byte[] ToJson(object value)
        {
            using (var convert = PowerShell.Create())
            {
                convert.RunspacePool = _pool.Value;
                convert.AddCommand("ConvertTo-Json").AddParameter("InputObject", value).AddParameter("Depth", 64).AddParameter("Compress");
                var json = convert.Invoke<string>();
                if (convert.HadErrors && convert.Streams.Error.Count > 0) throw convert.Streams.Error[0].Exception;
                return Encoding.UTF8.GetBytes(json.Count == 0 ? string.Empty : json[0]);
            }
        }

        public void Dispose()
        {
            if (_pool.IsValueCreated)
            {
                try { _pool.Value.Close(); } catch (Exception) { /* a pool that fails to close is disposed below all the same */ }
                _pool.Value.Dispose();
            }
        }

        /// <summary>A function's log in FC's format: "FC Invoke Start RequestId: …", timestamped lines, "FC Invoke End RequestId: …".</summary>
        private sealed class FunctionLog
        {
            private readonly StringBuilder _text = new StringBuilder();
            private readonly string _requestId;

            public FunctionLog(string requestId)
            {
                _requestId = requestId;
                _text.Append("FC Invoke Start RequestId: ").Append(requestId).Append('\n');
            }

            public void Add(string level, string message)
            {
                lock (_text)
                {
                    _text.Append(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
                         .Append(' ').Append(_requestId).Append(" [").Append(level).Append("] ")
                         .Append(message ?? string.Empty).Append('\n');
                }
            }

            public string Finish()
            {
                lock (_text)
                {
                    _text.Append("FC Invoke End RequestId: ").Append(_requestId).Append('\n');
                    return _text.ToString();
                }
            }
        }
    }
}
