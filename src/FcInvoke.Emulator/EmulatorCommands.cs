using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
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

        /// <summary>
        /// Aliases per emulated function: 'fn' or 'svc/fn' to alias names (each pointing at version 1), or to a hashtable
        /// of alias name to a version number, or to @{ Version = n; AdditionalVersionWeight = @{ m = 0.1 } } for a canary.
        /// </summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable Alias { get; set; } = new Hashtable();

        /// <summary>
        /// HTTP triggers: 'fn' or 'svc/fn' to an auth type (anonymous, function, jwt) or to a hashtable of AuthType,
        /// Methods, Qualifier, JwtSecret (HS256 shared secret) and Jwks (a JWKS as JSON text).
        /// </summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable HttpTrigger { get; set; } = new Hashtable();

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
                var problem = EmulatorFunctions.CheckFunctionKey(key);
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
            var aliases = new Dictionary<string, IReadOnlyList<EmulatorAlias>>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in Alias)
            {
                var key = entry.Key?.ToString() ?? string.Empty;
                try
                {
                    aliases[key] = EmulatorAliasDeclaration.Parse(key, Unwrap(entry.Value));
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, FcErrorIds.EmulatorInvalidAlias, ErrorCategory.InvalidArgument, key));
                }
            }
            var aliasProblem = EmulatorFunctions.CheckAliases(aliases, functions.Keys);
            if (aliasProblem != null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(aliasProblem), FcErrorIds.EmulatorInvalidAlias, ErrorCategory.InvalidArgument, Alias));
            }
            var triggers = new List<EmulatorHttpTrigger>();
            foreach (DictionaryEntry entry in HttpTrigger)
            {
                var key = entry.Key?.ToString() ?? string.Empty;
                try
                {
                    triggers.Add(EmulatorHttpTriggerDeclaration.Parse(key, Unwrap(entry.Value)));
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, FcErrorIds.EmulatorInvalidHttpTrigger, ErrorCategory.InvalidArgument, key));
                }
            }
            var triggerProblem = FcEmulator.CheckTriggers(triggers, new EmulatorFunctions(functions, aliases));
            if (triggerProblem != null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(triggerProblem), FcErrorIds.EmulatorInvalidHttpTrigger, ErrorCategory.InvalidArgument, HttpTrigger));
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
                var emulator = FcEmulator.Start(functions, Port, MaxConcurrency, aliases, faults, triggers);
                WriteVerbose($"FC emulator listening on {emulator.Endpoint} with {functions.Count} function(s); injected faults: {faults}.");
                WriteObject(emulator);
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, FcErrorIds.EmulatorPortUnavailable, ErrorCategory.ResourceUnavailable, Port));
            }
        }

        internal static object Unwrap(object value) => value is PSObject wrapped ? wrapped.BaseObject : value;
    }

    /// <summary>Reads one -HttpTrigger entry; throws ArgumentException with a message for the user (never echoing a secret).</summary>
    internal static class EmulatorHttpTriggerDeclaration
    {
        public static EmulatorHttpTrigger Parse(string functionKey, object value)
        {
            if (value is string authType) return new EmulatorHttpTrigger(functionKey, authType, null, null, null);
            if (!(value is IDictionary settings))
                throw new ArgumentException($"The HTTP trigger of '{functionKey}' must be an auth type (anonymous, function, jwt) or a hashtable, not {value?.GetType().Name ?? "null"}.");
            string auth = null, qualifier = null;
            string[] methods = null;
            EmulatorJwks jwks = null;
            foreach (DictionaryEntry setting in settings)
            {
                var settingValue = StartFcEmulatorCommand.Unwrap(setting.Value);
                switch (setting.Key?.ToString().ToLowerInvariant())
                {
                    case "authtype": auth = Convert.ToString(settingValue, System.Globalization.CultureInfo.InvariantCulture); break;
                    case "qualifier": qualifier = Convert.ToString(settingValue, System.Globalization.CultureInfo.InvariantCulture); break;
                    case "methods":
                        if (!LanguagePrimitives.TryConvertTo(settingValue, out methods))
                            throw new ArgumentException($"Methods of the HTTP trigger of '{functionKey}' must be method names.");
                        break;
                    case "jwtsecret":
                        if (jwks != null) throw new ArgumentException($"Give the jwt HTTP trigger of '{functionKey}' JwtSecret or Jwks, not both.");
                        jwks = EmulatorJwks.FromSecret(settingValue is System.Security.SecureString secure ? new PSCredential("jwt", secure).GetNetworkCredential().Password : settingValue as string);
                        break;
                    case "jwks":
                        if (jwks != null) throw new ArgumentException($"Give the jwt HTTP trigger of '{functionKey}' JwtSecret or Jwks, not both.");
                        jwks = EmulatorJwks.Parse(settingValue as string ?? throw new ArgumentException($"Jwks of '{functionKey}' must be the JWKS as JSON text."));
                        break;
                    default:
                        throw new ArgumentException($"The HTTP trigger of '{functionKey}' has the setting '{setting.Key}'; use AuthType, Methods, Qualifier, JwtSecret and Jwks.");
                }
            }
            return new EmulatorHttpTrigger(functionKey, auth ?? (jwks != null ? "jwt" : "function"), methods, qualifier, jwks);
        }
    }

    /// <summary>Reads one -Alias entry into FC's alias model; throws ArgumentException with a message for the user.</summary>
    internal static class EmulatorAliasDeclaration
    {
        public static IReadOnlyList<EmulatorAlias> Parse(string functionKey, object value)
        {
            if (value is IDictionary table)
            {
                var aliases = new List<EmulatorAlias>();
                foreach (DictionaryEntry entry in table)
                    aliases.Add(ParseOne(entry.Key?.ToString() ?? string.Empty, StartFcEmulatorCommand.Unwrap(entry.Value), functionKey));
                return aliases;
            }
            var names = LanguagePrimitives.ConvertTo<string[]>(value) ?? new string[0];
            return names.Select(n => new EmulatorAlias(n, "1")).ToList();
        }

        private static EmulatorAlias ParseOne(string name, object spec, string functionKey)
        {
            if (!(spec is IDictionary settings)) return new EmulatorAlias(name, Text(spec));
            string version = null, description = null;
            var weights = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (DictionaryEntry setting in settings)
            {
                var settingValue = StartFcEmulatorCommand.Unwrap(setting.Value);
                switch (setting.Key?.ToString().ToLowerInvariant())
                {
                    case "version":
                    case "versionid":
                        version = Text(settingValue);
                        break;
                    case "description":
                        description = Text(settingValue);
                        break;
                    case "additionalversionweight":
                        if (!(settingValue is IDictionary weightTable))
                            throw new ArgumentException($"AdditionalVersionWeight of the alias '{name}' of '{functionKey}' must be a hashtable of version to weight.");
                        foreach (DictionaryEntry weight in weightTable)
                        {
                            if (!LanguagePrimitives.TryConvertTo(StartFcEmulatorCommand.Unwrap(weight.Value), System.Globalization.CultureInfo.InvariantCulture, out double share))
                                throw new ArgumentException($"The weight of version '{weight.Key}' in the alias '{name}' of '{functionKey}' is not a number.");
                            weights[Text(weight.Key)] = share;
                        }
                        break;
                    default:
                        throw new ArgumentException($"The alias '{name}' of '{functionKey}' has the setting '{setting.Key}'; use Version, AdditionalVersionWeight and Description.");
                }
            }
            if (version == null) throw new ArgumentException($"The alias '{name}' of '{functionKey}' needs a Version.");
            return new EmulatorAlias(name, version, weights, description);
        }

        private static string Text(object value) =>
            Convert.ToString(StartFcEmulatorCommand.Unwrap(value), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
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
