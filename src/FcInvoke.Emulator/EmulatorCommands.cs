using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using FcInvoke.Emulator;

namespace FcInvoke.Commands
{
    /// <summary>Start-FcEmulator: a local FC on 127.0.0.1 that runs script blocks as functions.</summary>
    [Cmdlet(VerbsLifecycle.Start, "FcEmulator")]
    [OutputType(typeof(FcEmulator))]
    public sealed class StartFcEmulatorCommand : PSCmdlet
    {
        /// <summary>'functionName' (FC 3.0) or 'serviceName/functionName' (FC 2.0) mapped to a script block param($Event, $Context).</summary>
        [Parameter(Position = 0)]
        [ValidateNotNull]
        public Hashtable Function { get; set; } = new Hashtable();

        /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
        [Parameter]
        [ValidateRange(0, 65535)]
        public int Port { get; set; }

        /// <summary>Aliases per emulated function ('fn' or 'svc/fn' to alias names), listed by ListAliases and offered by -Qualifier completion.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable Alias { get; set; } = new Hashtable();

        /// <summary>How many function runs may execute at once (runspaces in the pool).</summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int MaxConcurrency { get; set; } = 16;

        /// <summary>Fault injection: the share of function requests answered 429 ResourceExhausted without running (0 to 1).</summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double ThrottleRate { get; set; }

        /// <summary>Fault injection: the share of function requests answered 500 InternalServerError without running.</summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double ServerErrorRate { get; set; }

        /// <summary>Fault injection: the share of function requests whose connection is closed, unanswered, without running.</summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double DropRate { get; set; }

        /// <summary>Fault injection: the share of invocations that run the function and are then answered 500 InternalServerError.</summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double ServerErrorAfterRunRate { get; set; }

        /// <summary>Fault injection: the share of invocations that run the function and then lose their connection, unanswered.</summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double DropAfterRunRate { get; set; }

        /// <summary>Fault injection: milliseconds added before each function request is handled.</summary>
        [Parameter]
        [ValidateRange(0, 600000)]
        public int LatencyMs { get; set; }

        protected override void EndProcessing()
        {
            var functions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in Function)
            {
                var key = entry.Key?.ToString();
                var problem = FcEmulator.CheckFunctionKey(key);
                if (problem != null)
                {
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), FcErrorIds.EmulatorInvalidFunctionName, ErrorCategory.InvalidArgument, key));
                }
                string script;
                switch (Unwrap(entry.Value))
                {
                    case ScriptBlock block: script = block.ToString(); break;
                    case string text: script = text; break;
                    default:
                        ThrowTerminatingError(new ErrorRecord(
                            new ArgumentException($"The function '{key}' must be a script block, not {entry.Value?.GetType().Name ?? "null"}."),
                            FcErrorIds.EmulatorInvalidFunction, ErrorCategory.InvalidArgument, entry.Value));
                        return;
                }
                functions[key] = script;
            }
            var aliases = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in Alias)
            {
                var key = entry.Key?.ToString() ?? string.Empty;
                var names = LanguagePrimitives.ConvertTo<string[]>(Unwrap(entry.Value)) ?? new string[0];
                var problem = FcEmulator.CheckAliases(key, names, functions.Keys);
                if (problem != null)
                {
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), FcErrorIds.EmulatorInvalidAlias, ErrorCategory.InvalidArgument, key));
                }
                aliases[key] = names;
            }
            FcEmulatorFaults faults = null;
            try
            {
                faults = new FcEmulatorFaults(ThrottleRate, ServerErrorRate, DropRate, ServerErrorAfterRunRate, DropAfterRunRate, LatencyMs);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, FcErrorIds.EmulatorInvalidFault, ErrorCategory.InvalidArgument, null));
            }
            try
            {
                var emulator = FcEmulator.Start(functions, Port, MaxConcurrency, aliases, faults);
                WriteVerbose($"FC emulator listening on {emulator.Endpoint} with {functions.Count} function(s); injected faults: {faults}.");
                WriteObject(emulator);
            }
            catch (System.Net.HttpListenerException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, FcErrorIds.EmulatorPortUnavailable, ErrorCategory.ResourceUnavailable, Port));
            }
        }

        private static object Unwrap(object value) => value is PSObject wrapped ? wrapped.BaseObject : value;
    }

    /// <summary>
    /// Stop-FcEmulator: stops the given emulators, or every emulator of this session when none is given. A session context
    /// (Connect-FcAccount) that points at a stopped emulator is cleared, with a warning: it could only fail from then on.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "FcEmulator")]
    public sealed class StopFcEmulatorCommand : PSCmdlet
    {
        private bool _sawInput;

        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public FcEmulator[] InputObject { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            _sawInput = true;
            foreach (var emulator in InputObject) Stop(emulator);
        }

        protected override void EndProcessing()
        {
            if (_sawInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject))) return;
            foreach (var emulator in FcEmulator.All) Stop(emulator);
        }

        private void Stop(FcEmulator emulator)
        {
            WriteVerbose($"Stopping the FC emulator on {emulator.Endpoint}.");
            emulator.Stop();
            var session = FcInvoke.Credentials.FcSession.Current;
            if (session?.Endpoint != null && Uri.Compare(session.Endpoint, emulator.Endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                FcInvoke.Credentials.FcSession.Current = null;
                WriteWarning($"The session context pointed at the emulator on {emulator.Endpoint}, which is stopped now, so it was cleared (as Disconnect-FcAccount does): " +
                             "FC commands use their own parameters and the default credential chain again. To go on with a new emulator: $emu = Start-FcEmulator ...; $emu | Connect-FcAccount.");
            }
        }
    }

    /// <summary>Get-FcEmulator: the emulators running in this session.</summary>
    [Cmdlet(VerbsCommon.Get, "FcEmulator")]
    [OutputType(typeof(FcEmulator))]
    public sealed class GetFcEmulatorCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            foreach (var emulator in FcEmulator.All) WriteObject(emulator);
        }
    }
}
