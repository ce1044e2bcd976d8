using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Connect-FcAccount: resolves a credential source (parameters, a profile, a role to assume, the ECS RAM role,
    /// OIDC, or the default chain), checks it works, and makes it the session's default context. Returns the context.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "FcAccount", DefaultParameterSetName = DefaultSet)]
    [OutputType(typeof(FcContext))]
    public sealed class ConnectFcAccountCommand : FcCmdlet
    {
        private const string DefaultSet = "Default";
        private const string RoleSet = "RamRoleArn";
        private const string EcsSet = "EcsRamRole";
        private const string OidcSet = "Oidc";

        /// <summary>Assume this RAM role (acs:ram::&lt;account&gt;:role/&lt;name&gt;) with the credentials that would otherwise be used; with -Oidc, the role to assume with OIDC.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RoleSet)]
        [Parameter(ParameterSetName = OidcSet)]
        [ValidateNotNullOrEmpty]
        [Alias("RoleArn")]
        public string RamRoleArn { get; set; }

        /// <summary>The role session name; default $env:ALIBABA_CLOUD_ROLE_SESSION_NAME or fcinvoke-&lt;time&gt;.</summary>
        [Parameter(ParameterSetName = RoleSet)]
        [Parameter(ParameterSetName = OidcSet)]
        [ValidatePattern(@"^[a-zA-Z0-9._@-]{2,64}$")]
        public string RoleSessionName { get; set; }

        /// <summary>How long the assumed role's credentials last; they are refreshed a few minutes before they expire.</summary>
        [Parameter(ParameterSetName = RoleSet)]
        [Parameter(ParameterSetName = OidcSet)]
        [ValidateRange(900, 43200)]
        public int DurationSec { get; set; } = StsClient.DefaultDurationSeconds;

        [Parameter(ParameterSetName = RoleSet)]
        [ValidateNotNullOrEmpty]
        public string ExternalId { get; set; }

        /// <summary>A RAM policy (JSON) that narrows the assumed role's permissions.</summary>
        [Parameter(ParameterSetName = RoleSet)]
        [Parameter(ParameterSetName = OidcSet)]
        [ValidateNotNullOrEmpty]
        public string Policy { get; set; }

        /// <summary>Use the ECS instance's RAM role, from the instance metadata service: -EcsRamRole [&lt;role name&gt;].</summary>
        [Parameter(Mandatory = true, ParameterSetName = EcsSet)]
        public SwitchParameter EcsRamRole { get; set; }

        /// <summary>The ECS RAM role name; default $env:ALIBABA_CLOUD_ECS_METADATA, else discovered from the metadata service.</summary>
        [Parameter(Position = 0, ParameterSetName = EcsSet)]
        [ValidateNotNullOrEmpty]
        public string RoleName { get; set; }

        /// <summary>Assume a role with an OIDC token (ACK RRSA): -RamRoleArn, -OidcProviderArn, -OidcTokenFile or the ALIBABA_CLOUD_* variables.</summary>
        [Parameter(Mandatory = true, ParameterSetName = OidcSet)]
        public SwitchParameter Oidc { get; set; }

        [Parameter(ParameterSetName = OidcSet)]
        [ValidateNotNullOrEmpty]
        public string OidcProviderArn { get; set; }

        [Parameter(ParameterSetName = OidcSet)]
        [ValidateNotNullOrEmpty]
        public string OidcTokenFile { get; set; }

        /// <summary>Bound for connecting (the first credential, the account lookup) in seconds; 0 (the default): each source's own limits.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <summary>
        /// An emulator (Start-FcEmulator, Get-FcEmulator) to connect to, or a context to make the session default again;
        /// piped: $emu | Connect-FcAccount. Explicit connection parameters win over what it brings.
        /// </summary>
        [Parameter(ValueFromPipeline = true, ParameterSetName = DefaultSet)]
        [ValidateNotNull]
        public PSObject InputObject { get; set; }

        private PSObject _given;
        private int _givenCount;

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            _given = InputObject;
            _givenCount++;
        }

        protected override void EndProcessing()
        {
            if (_givenCount > 1)
                ThrowTerminatingError(FcErrors.Input(FcErrorIds.InvalidArgument,
                    $"Connect-FcAccount makes one connection the session default, but {_givenCount} objects were piped in: pipe one emulator or context.", null));
            if (_given?.BaseObject is FcContext pipedContext && !HasConnectionParameters())
            {
                // A context piped back in becomes the session default as it is.
                FcSession.Current = pipedContext;
                WriteVerbose($"The session context is now {pipedContext}.");
                WriteObject(pipedContext);
                return;
            }
            var request = _given == null ? FcConnector.Request(this) : RequestFor(_given);
            // Connecting starts afresh from the parameters and the default chain; only -RamRoleArn builds on the
            // current credentials, the session default included.
            if (ParameterSetName != RoleSet) request.SessionContext = null;
            if ((ParameterSetName == EcsSet || ParameterSetName == OidcSet) && (request.Credential != null || ProfileName != null || Context != null))
            {
                ThrowTerminatingError(FcErrors.Input(FcErrorIds.ConflictingCredentialParameters,
                    $"-{ParameterSetName} is a way to get credentials of its own; it does not go with -Credential, -ProfileName or -Context.", null));
            }

            FcContext context = null;
            try
            {
                context = Run((log, ct) => ConnectWithinAsync(request, log, ct));
            }
            catch (Exception ex) when (!FcErrors.IsFlowControl(ex))
            {
                ThrowTerminatingError(FcErrors.Record(ex, RamRoleArn ?? RoleName ?? ProfileName));
            }

            FcConnector.WarnAboutRegion(this, context.Region, context.Endpoint == null, Region != null ? "from -Region" : "from " + context.Source);
            FcSession.Current = context;
            WriteVerbose($"Connected: {context.Source}, AccessKey {context.AccessKeyId}, " +
                         (context.Endpoint != null ? $"endpoint {context.Endpoint}." : $"account {context.AccountId ?? "(unknown)"} in {context.Region ?? "(no region)"}."));
            WriteObject(context);
        }

        /// <summary><see cref="ConnectAsync"/> bounded by -TimeoutSec.</summary>
        private async Task<FcContext> ConnectWithinAsync(FcConnectionRequest request, IFcLog log, CancellationToken cancellationToken)
        {
            if (TimeoutSec <= 0) return await ConnectAsync(request, log, cancellationToken).ConfigureAwait(false);
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(TimeSpan.FromSeconds(TimeoutSec));
                try
                {
                    return await ConnectAsync(request, log, limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new FcTimeoutException(
                        $"Connect-FcAccount did not complete within {TimeoutSec} s (-TimeoutSec): the credential source or STS did not answer in time.", ex);
                }
            }
        }

        private bool HasConnectionParameters() =>
            new[] { nameof(Endpoint), nameof(Credential), nameof(SecurityToken), nameof(Region), nameof(AccountId), nameof(ProfileName), nameof(Context), nameof(Internal) }
                .Any(MyInvocation.BoundParameters.ContainsKey);

        /// <summary>
        /// The connection a piped object brings: a context (as -Context), or an emulator's Endpoint, Credential, AccountId and
        /// Region, each unless the matching parameter was given.
        /// </summary>
        private FcConnectionRequest RequestFor(PSObject given)
        {
            if (given.BaseObject is FcContext context)
            {
                var fromContext = FcConnector.Request(this, context);
                fromContext.Context = Context ?? context;
                return fromContext;
            }
            var endpoint = Property(given, "Endpoint");
            var credential = Property(given, "Credential") as PSCredential;
            if (endpoint == null || credential == null)
            {
                ThrowTerminatingError(FcErrors.Input(FcErrorIds.InvalidArgument,
                    $"Connect-FcAccount connects to an emulator (Start-FcEmulator, Get-FcEmulator) or a context (Connect-FcAccount, Get-FcContext) piped to it; " +
                    $"a {given.BaseObject?.GetType().Name ?? "null"} has no Endpoint and Credential. Give -Credential, -ProfileName or -Endpoint instead.", given));
            }
            var problem = EndpointTransformationAttribute.Check(Convert.ToString(endpoint is PSObject e ? e.BaseObject : endpoint, System.Globalization.CultureInfo.InvariantCulture), out var uri);
            if (problem != null) ThrowTerminatingError(FcErrors.Input(FcErrorIds.EndpointUnknown, problem, given));

            var request = FcConnector.Request(this);
            var isEmulator = given.BaseObject?.GetType().FullName == "FcInvoke.Emulator.FcEmulator";
            if (request.Credential == null)
                request.Credential = new FcCredential(credential.UserName, credential.Password, null, null, isEmulator ? "Emulator" : "Piped object");
            request.Endpoint = request.Endpoint ?? uri;
            request.AccountId = request.AccountId ?? Text(Property(given, "AccountId"));
            request.Region = request.Region ?? Text(Property(given, "Region"));
            return request;
        }

        private static object Property(PSObject value, string name)
        {
            try { return value.Properties[name]?.Value; }
            catch (GetValueException) { return null; }
        }

        private static string Text(object value)
        {
            var text = Convert.ToString(value is PSObject p ? p.BaseObject : value, System.Globalization.CultureInfo.InvariantCulture);
            return string.IsNullOrWhiteSpace(text) ? null : text;
        }

        private async Task<FcContext> ConnectAsync(FcConnectionRequest request, IFcLog log, CancellationToken cancellationToken)
        {
            var environment = ProcessEnvironment.Instance;
            FcConnectionPlan plan;
            switch (ParameterSetName)
            {
                case EcsSet:
                    plan = FcConnectionResolver.Plan(request, environment, ProfileCredentials.EcsRamRole(RoleName, environment));
                    break;
                case OidcSet:
                    plan = FcConnectionResolver.Plan(request, environment, OidcProvider(environment));
                    break;
                case RoleSet:
                    plan = FcConnectionResolver.Plan(request, environment);
                    var role = Role(environment);
                    plan.Credentials = new RamRoleArnProvider($"RamRoleArn '{RamRoleArn}' via {plan.Credentials.Name}", plan.Credentials, role, StsEndpoint.Resolve(environment));
                    plan.AccountId = AccountId ?? StsRoleRequest.AccountOf(RamRoleArn) ?? plan.AccountId;
                    break;
                default:
                    plan = FcConnectionResolver.Plan(request, environment);
                    break;
            }

            // Connecting proves the source works: the first credential is fetched now (STS, metadata), not at the first call.
            await plan.Credentials.GetCredentialAsync(log, cancellationToken).ConfigureAwait(false);
            if (plan.Endpoint == null && plan.AccountId == null)
                plan.AccountId = await FcConnectionResolver.LookupAccountIdAsync(plan.Credentials, environment, log, cancellationToken).ConfigureAwait(false);
            return new FcContext(plan.Credentials, plan.Region, plan.AccountId, plan.Endpoint, plan.Internal);
        }

        private StsRoleRequest Role(IEnvironmentReader environment) => new StsRoleRequest
        {
            RoleArn = RamRoleArn ?? environment.Get(FcEnvironment.RoleArnVariable),
            RoleSessionName = RoleSessionName ?? StsRoleRequest.DefaultSessionName(environment),
            DurationSeconds = DurationSec,
            ExternalId = ExternalId,
            Policy = Policy,
        };

        private ICredentialProvider OidcProvider(IEnvironmentReader environment)
        {
            var role = Role(environment);
            var providerArn = OidcProviderArn ?? environment.Get(FcEnvironment.OidcProviderArnVariable);
            var tokenFile = OidcTokenFile != null
                ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(OidcTokenFile)
                : environment.Get(FcEnvironment.OidcTokenFileVariable);
            var missing = new System.Collections.Generic.List<string>();
            if (role.RoleArn == null) missing.Add($"-RamRoleArn or ${FcEnvironment.RoleArnVariable}");
            if (providerArn == null) missing.Add($"-OidcProviderArn or ${FcEnvironment.OidcProviderArnVariable}");
            if (tokenFile == null) missing.Add($"-OidcTokenFile or ${FcEnvironment.OidcTokenFileVariable}");
            if (missing.Count > 0)
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument, $"-Oidc needs {string.Join(", ", missing)}.");
            return new OidcRoleArnProvider($"Oidc '{role.RoleArn}'", role, providerArn, tokenFile, StsEndpoint.Resolve(environment));
        }
    }

    /// <summary>Get-FcContext: the session's default context (set by Connect-FcAccount); nothing when there is none.</summary>
    [Cmdlet(VerbsCommon.Get, "FcContext")]
    [OutputType(typeof(FcContext))]
    public sealed class GetFcContextCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            var context = FcSession.Current;
            if (context == null)
            {
                WriteVerbose("No session context: FC commands use their parameters and the default credential chain. Run Connect-FcAccount to set one.");
                return;
            }
            WriteObject(context);
        }
    }

    /// <summary>Disconnect-FcAccount: clears the session's default context; later commands use the default chain.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "FcAccount")]
    public sealed class DisconnectFcAccountCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            var previous = FcSession.Current;
            FcSession.Current = null;
            WriteVerbose(previous == null ? "There was no session context." : $"Cleared the session context ({previous.Source}).");
        }
    }
}
