using System;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Base of the cmdlets that call FC: what every one of them needs and no more — the connection parameters, one
    /// cancellation source that StopProcessing cancels, and the bridge that runs core work off the pipeline thread while
    /// writing its messages on it. Connection resolution (<see cref="FcConnector"/>), error records (<see cref="FcErrors"/>)
    /// and paging (<see cref="FcPager"/>) are helpers the cmdlets that need them use.
    /// </summary>
    public abstract class FcCmdlet : PSCmdlet, IDisposable
    {
        static FcCmdlet()
        {
            // Results are made by the PowerShell-free core; their ResultObject is parsed into PowerShell's own objects.
            FcInvocationResult.JsonParser = Interop.PSJsonReader.FromJson;
        }

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private FcConnected _connected;
        private System.Collections.Generic.Dictionary<FcContext, FcConnected> _connectedFromInput;

        /// <summary>Region id, e.g. cn-hangzhou. Default: $env:ALIBABA_CLOUD_REGION_ID.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("RegionId")]
        [ArgumentCompleter(typeof(FcRegionCompleter))]
        public string Region { get; set; }

        /// <summary>The Alibaba Cloud account (UID) that owns the function. Default: $env:ALIBABA_CLOUD_ACCOUNT_ID.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AccountId { get; set; }

        /// <summary>An explicit FC base URI (the emulator, a proxy); replaces the account endpoint.</summary>
        [Parameter]
        [ValidateNotNull]
        [Alias("EndpointUrl")]
        [EndpointTransformation]
        public Uri Endpoint { get; set; }

        /// <summary>Use the VPC endpoint {account}.{region}-internal.fc.aliyuncs.com.</summary>
        [Parameter]
        public SwitchParameter Internal { get; set; }

        /// <summary>AccessKey ID as the user name and AccessKey secret as the password.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential Credential { get; set; }

        /// <summary>STS security token that goes with a temporary -Credential: a SecureString, or plain text (held as a SecureString once bound).</summary>
        [Parameter]
        [ValidateNotNull]
        [SecretTransformation]
        public SecureString SecurityToken { get; set; }

        /// <summary>A context from Connect-FcAccount (one per account in a multi-account runbook); replaces the session default for this call.</summary>
        [Parameter]
        [ValidateNotNull]
        public FcContext Context { get; set; }

        /// <summary>A profile of the aliyun CLI config (~/.aliyun/config.json) or of ~/.alibabacloud/credentials, for this call.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ProfileName { get; set; }

        /// <summary>Retries after throttling (and, for reads, after 5xx and dropped connections); 0 disables them.</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaxRetries { get; set; } = FcRetryPolicy.DefaultMaxRetries;

        internal CancellationToken PipelineStopToken => _stopping.Token;
        internal PipelineMessageQueue Messages { get; } = new PipelineMessageQueue();

        internal FcCallOptions CallOptions(int timeoutSec) => new FcCallOptions
        {
            TimeoutSec = timeoutSec,
            Retry = MaxRetries == FcRetryPolicy.DefaultMaxRetries ? FcRetryPolicy.Default : new FcRetryPolicy(MaxRetries),
        };

        /// <summary>The client for this command, resolved on first use (<see cref="FcConnector"/>); a failure ends the command.</summary>
        internal FcClient Connect() => Connection().Client;

        /// <summary>
        /// The command's connection, resolved once; with <paramref name="fromInput"/> (the context a piped FcInvoke object
        /// remembers) the connection that object came from, once per context, unless -Context was given: it wins, and
        /// other explicit connection parameters win over the piped object's settings one by one.
        /// </summary>
        internal FcConnected Connection(FcContext fromInput = null)
        {
            if (fromInput == null || Context != null)
                return LastConnection = _connected ?? (_connected = FcConnector.Connect(this));
            if (_connectedFromInput == null) _connectedFromInput = new System.Collections.Generic.Dictionary<FcContext, FcConnected>();
            if (!_connectedFromInput.TryGetValue(fromInput, out var connected))
                _connectedFromInput[fromInput] = connected = FcConnector.Connect(this, fromInput);
            return LastConnection = connected;
        }

        /// <summary>The connection used last (for the messages of errors that concern it).</summary>
        internal FcConnected LastConnection { get; private set; }

        /// <summary>The connection a piped object remembers: FcInvoke's results, tasks, functions and services (or a copy made with Select-Object) carry it as Context.</summary>
        internal static FcContext ContextOf(object piped)
        {
            switch (piped is PSObject p ? p.BaseObject : piped)
            {
                case null: return null;
                case FcInvocationResult r: return r.Context;
                case FcAsyncTask t: return t.Context;
                case FcFunctionInfo f: return f.Context;
                case FcServiceInfo s: return s.Context;
                case PSCustomObject _:
                    var value = (piped as PSObject)?.Properties["Context"]?.Value;
                    return (value is PSObject wrapped ? wrapped.BaseObject : value) as FcContext;
                default: return null;
            }
        }

        /// <summary>
        /// True for the objects FcInvoke itself writes that name a function or a service, and copies of them made with
        /// Select-Object that keep their Context: they bind by property name and carry a connection; they are never a payload.
        /// </summary>
        internal static bool IsFcObject(object piped)
        {
            var value = piped is PSObject p ? p.BaseObject : piped;
            return value is FcFunctionInfo || value is FcInvocationResult || value is FcAsyncTask || value is FcServiceInfo ||
                   (value is PSCustomObject && ContextOf(piped) != null);
        }

        /// <summary>Runs core work off the pipeline thread and waits for it here, writing its messages meanwhile.</summary>
        internal T Run<T>(Func<IFcLog, CancellationToken, Task<T>> work)
        {
            ConfigureMessages();
            Task<T> task;
            try { task = work(Messages, PipelineStopToken); }
            catch (Exception ex) { task = Task.FromException<T>(ex); }
            try
            {
                return Messages.Pump(this, task);
            }
            catch (OperationCanceledException) when (PipelineStopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>
        /// <see cref="Run{T}"/> for one input: a failure becomes that input's non-terminating error (through
        /// <see cref="FcErrors"/>) and false; PowerShell's own control flow passes through.
        /// </summary>
        internal bool TryRun<T>(Func<IFcLog, CancellationToken, Task<T>> work, object target, out T result, FcFailureContext context = null)
        {
            try
            {
                result = Run(work);
                return true;
            }
            catch (Exception ex) when (!FcErrors.IsFlowControl(ex))
            {
                WriteError(FcErrors.Record(ex, target, context ?? new FcFailureContext { Connection = LastConnection, Input = target }));
                result = default;
                return false;
            }
        }

        private bool _messagesConfigured;

        /// <summary>Tells the message queue whether Verbose and Debug are wanted, so core code skips building unread messages.</summary>
        internal void ConfigureMessages()
        {
            if (_messagesConfigured) return;
            _messagesConfigured = true;
            Messages.IsVerboseEnabled = IsStreamWanted("Verbose", "VerbosePreference");
            Messages.IsDebugEnabled = IsStreamWanted("Debug", "DebugPreference");
        }

        private bool IsStreamWanted(string switchName, string preferenceVariable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(switchName, out var bound))
                return bound is SwitchParameter sw ? sw.IsPresent : LanguagePrimitives.IsTrue(bound);
            var preference = GetVariableValue(preferenceVariable);
            if (preference == null) return false;
            if (!LanguagePrimitives.TryConvertTo(preference, out ActionPreference value)) return true;
            return value != ActionPreference.SilentlyContinue && value != ActionPreference.Ignore;
        }

        protected override void StopProcessing() => _stopping.Cancel();

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
            if (!disposing) return;
            _stopping.Dispose();
            Messages.Dispose();
        }
    }
}
