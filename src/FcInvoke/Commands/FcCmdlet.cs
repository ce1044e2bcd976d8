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
    /// Base of the cmdlets that call FC: the connection parameters, one cancellation source that StopProcessing
    /// cancels, the message pump, and the mapping of core exceptions to error records with stable ids.
    /// </summary>
    public abstract class FcCmdlet : PSCmdlet, IDisposable
    {
        static FcCmdlet()
        {
            // Results are made by the PowerShell-free core; their ResultObject is parsed into PowerShell's own objects.
            FcInvocationResult.JsonParser = Interop.PSJsonReader.FromJson;
        }

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private FcClient _client;

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
        public Uri Endpoint { get; set; }

        /// <summary>Use the VPC endpoint {account}.{region}-internal.fc.aliyuncs.com.</summary>
        [Parameter]
        public SwitchParameter Internal { get; set; }

        /// <summary>AccessKey ID as the user name and AccessKey secret as the password.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential Credential { get; set; }

        /// <summary>STS security token that goes with a temporary -Credential.</summary>
        [Parameter]
        [ValidateNotNull]
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

        /// <summary>The client for this command, resolved once; a resolution failure ends the command (nothing can go on).</summary>
        internal FcClient Client
        {
            get
            {
                if (_client != null) return _client;
                var request = ConnectionRequest();
                try
                {
                    // Planning needs no network; only a missing account id for the account endpoint is looked up (STS).
                    // Doing the common case here, without a thread hop, keeps a loop of single invocations cheap.
                    var plan = FcConnectionResolver.Plan(request, ProcessEnvironment.Instance);
                    if (plan.Endpoint == null && plan.AccountId == null)
                        Run(async (log, ct) => { await FcConnectionResolver.CompleteAccountIdAsync(plan, ProcessEnvironment.Instance, log, ct).ConfigureAwait(false); return true; });
                    _client = new FcClient(FcConnectionResolver.Connect(plan));
                }
                catch (FcCredentialException ex)
                {
                    ThrowTerminatingError(ToErrorRecord(ex, ProfileName ?? (object)Context));
                }
                catch (FcTransportException ex)
                {
                    ThrowTerminatingError(ToErrorRecord(ex, null));
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "FcEndpointUnknown", ErrorCategory.InvalidArgument, Endpoint));
                }
                return _client;
            }
        }

        internal FcConnectionRequest ConnectionRequest()
        {
            try
            {
                return BuildConnectionRequest(Endpoint, Region, AccountId,
                    MyInvocation.BoundParameters.ContainsKey(nameof(Internal)) ? Internal.IsPresent : (bool?)null,
                    Credential, SecurityToken, ProfileName, Context);
            }
            catch (ArgumentException ex)
            {
                var id = ex.ParamName == nameof(SecurityToken) ? "FcSecurityTokenWithoutCredential" : "FcCredentialInvalid";
                ThrowTerminatingError(new ErrorRecord(ex, id, ErrorCategory.InvalidArgument, null));
                return null;
            }
        }

        /// <summary>The connection parameters as the core takes them; shared by the cmdlets and the argument completers.</summary>
        internal static FcConnectionRequest BuildConnectionRequest(Uri endpoint, string region, string accountId, bool? useInternal,
                                                                   PSCredential credential, SecureString securityToken,
                                                                   string profileName, FcContext context)
        {
            FcCredential fcCredential = null;
            if (credential != null)
            {
                fcCredential = new FcCredential(credential.UserName, credential.Password, securityToken, null, "Parameter");
            }
            else if (securityToken != null)
            {
                throw new ArgumentException("-SecurityToken goes with -Credential (the temporary AccessKey pair it belongs to).", nameof(SecurityToken));
            }
            return new FcConnectionRequest
            {
                Endpoint = endpoint,
                Region = region,
                AccountId = accountId,
                Internal = useInternal,
                Credential = fcCredential,
                ProfileName = profileName,
                Context = context,
                SessionContext = FcSession.Current,
            };
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

        /// <summary>
        /// Maps a core failure to a non-terminating error record. Returns false for exceptions that are not FC failures,
        /// which the caller lets propagate.
        /// </summary>
        internal bool TryWriteFcError(Exception ex, object target)
        {
            var record = ToErrorRecord(ex, target);
            if (record == null) return false;
            WriteError(record);
            return true;
        }

        internal static ErrorRecord ToErrorRecord(Exception ex, object target)
        {
            switch (ex)
            {
                case FcFunctionException fe:
                    return new ErrorRecord(fe, "FcFunctionError", ErrorCategory.InvalidResult, fe.Result);
                case FcServiceException se:
                    return new ErrorRecord(se, "FcServiceError", CategoryFor(se.StatusCode), target);
                case FcTimeoutException te:
                    return new ErrorRecord(te, "FcTimeout", ErrorCategory.OperationTimeout, target);
                case FcLoopbackViolationException lv:
                    return new ErrorRecord(lv, "FcLoopbackOnly", ErrorCategory.SecurityError, lv.Destination);
                case FcTransportException tr:
                    return new ErrorRecord(tr, "FcConnectionFailed", ErrorCategory.ConnectionError, target);
                case FcUnexpectedResponseException ue:
                    return new ErrorRecord(ue, "FcUnexpectedResponse", ErrorCategory.InvalidResult, target);
                case FcCredentialException ce:
                    return new ErrorRecord(ce, ce.ErrorId, CredentialCategory(ce.Failure), target);
                default:
                    return null;
            }
        }

        internal static ErrorCategory CredentialCategory(FcCredentialFailure failure)
        {
            switch (failure)
            {
                case FcCredentialFailure.ProfileNotFound: return ErrorCategory.ObjectNotFound;
                case FcCredentialFailure.InvalidFile: return ErrorCategory.ParserError;
                case FcCredentialFailure.InvalidArgument: return ErrorCategory.InvalidArgument;
                default: return ErrorCategory.AuthenticationError; // not found, STS, ECS metadata, credentials URI, process_command
            }
        }

        internal static ErrorCategory CategoryFor(int status)
        {
            switch (status)
            {
                case 400: return ErrorCategory.InvalidArgument;
                case 401:
                case 403: return ErrorCategory.PermissionDenied;
                case 404: return ErrorCategory.ObjectNotFound;
                case 409: return ErrorCategory.ResourceExists;
                case 412: return ErrorCategory.InvalidOperation;
                case 413:
                case 429:
                case 503: return ErrorCategory.LimitsExceeded;
                default: return status >= 500 ? ErrorCategory.ResourceUnavailable : ErrorCategory.InvalidOperation;
            }
        }

        private ulong _pagedSeen;
        private bool _pagedCut;

        /// <summary>
        /// Lists page after page (following nextToken) and writes the items <paramref name="keep"/> accepts, honouring
        /// -Skip and -First of a SupportsPaging cmdlet; stops asking FC as soon as -First is satisfied.
        /// Returns false when a page failed (the error is written).
        /// </summary>
        internal bool WritePages<TQuery, T>(TQuery query, Func<TQuery, IFcLog, CancellationToken, Task<FcPage<T>>> fetch,
                                            Func<T, bool> keep, object target, bool limitToWanted)
            where TQuery : IFcPagedQuery
        {
            var paging = PagingParameters;
            do
            {
                if (paging != null && limitToWanted)
                {
                    var wanted = PagingEnd(paging) - Math.Min(_pagedSeen, PagingEnd(paging));
                    if (wanted == 0) return true;
                    query.Limit = (int)Math.Min((ulong)Math.Max(query.Limit, 1), wanted);
                }
                FcPage<T> page;
                try
                {
                    page = Run((log, ct) => fetch(query, log, ct));
                }
                catch (Exception ex) when (TryWriteFcError(ex, target))
                {
                    return false;
                }
                foreach (var item in page.Items)
                {
                    if (keep(item) && !WritePaged(item)) return true;
                }
                query.NextToken = page.NextToken;
            } while (query.NextToken != null);
            return true;
        }

        /// <summary>Writes one object through -Skip/-First; false once -First is reached.</summary>
        internal bool WritePaged(object item)
        {
            var paging = PagingParameters;
            if (paging == null) { WriteObject(item); return true; }
            if (_pagedSeen >= PagingEnd(paging)) { _pagedCut = true; return false; }
            _pagedSeen++;
            if (_pagedSeen > paging.Skip) WriteObject(item);
            if (_pagedSeen >= PagingEnd(paging)) { _pagedCut = true; return false; }
            return true;
        }

        /// <summary>True once -First objects have been written: the cmdlet need not ask FC for more.</summary>
        internal bool PagingSatisfied => PagingParameters != null && _pagedSeen >= PagingEnd(PagingParameters);

        /// <summary>How many items -Skip and -First together consume (saturating).</summary>
        private static ulong PagingEnd(PagingParameters paging) =>
            paging.First > ulong.MaxValue - paging.Skip ? ulong.MaxValue : paging.Skip + paging.First;

        /// <summary>-IncludeTotalCount: exact when the listing ran to its end, unknown when -First cut it short.</summary>
        internal void WriteTotalCountIfAsked()
        {
            var paging = PagingParameters;
            if (paging != null && paging.IncludeTotalCount) WriteObject(paging.NewTotalCount(_pagedSeen, _pagedCut ? 0.0 : 1.0));
        }

        internal void WriteInvalidArgument(string message, string errorId, object target) =>
            WriteError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));

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
