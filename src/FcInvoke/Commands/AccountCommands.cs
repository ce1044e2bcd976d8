using System;
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

        protected override void EndProcessing()
        {
            var request = FcConnector.Request(this);
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
