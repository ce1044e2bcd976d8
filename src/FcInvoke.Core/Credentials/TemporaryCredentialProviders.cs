using System;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>Assumes a RAM role with another source's credential (STS AssumeRole, signature V1).</summary>
    internal sealed class RamRoleArnProvider : RefreshingCredentialProvider
    {
        private readonly ICredentialProvider _source;
        private readonly StsRoleRequest _role;
        private readonly StsClient _sts;

        public RamRoleArnProvider(string name, ICredentialProvider source, StsRoleRequest role, Uri stsEndpoint) : base(name)
        {
            _source = source ?? throw new ArgumentNullException(nameof(source));
            _role = Validate(role);
            _sts = new StsClient(stsEndpoint);
        }

        public override string KnownAccountId => StsRoleRequest.AccountOf(_role.RoleArn);

        protected override async Task<FcCredential> FetchAsync(IFcLog log, CancellationToken cancellationToken)
        {
            var caller = await _source.GetCredentialAsync(log, cancellationToken).ConfigureAwait(false);
            return await _sts.AssumeRoleAsync(caller, _role, Name, log, cancellationToken).ConfigureAwait(false);
        }

        internal static StsRoleRequest Validate(StsRoleRequest role)
        {
            if (string.IsNullOrWhiteSpace(role?.RoleArn))
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument, "A role ARN (acs:ram::<account>:role/<name>) is needed to assume a role.");
            if (string.IsNullOrWhiteSpace(role.RoleSessionName))
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument, "A role session name is needed to assume a role.");
            if (role.DurationSeconds < StsClient.MinimumDurationSeconds)
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument,
                    $"The role session duration {role.DurationSeconds} s is below STS's minimum of {StsClient.MinimumDurationSeconds} s.");
            return role;
        }
    }

    /// <summary>Assumes a RAM role with an OIDC token read from a file on each refresh (ACK RRSA rotates it); STS AssumeRoleWithOIDC.</summary>
    internal sealed class OidcRoleArnProvider : RefreshingCredentialProvider
    {
        private readonly StsRoleRequest _role;
        private readonly string _providerArn;
        private readonly string _tokenFile;
        private readonly StsClient _sts;

        public OidcRoleArnProvider(string name, StsRoleRequest role, string providerArn, string tokenFile, Uri stsEndpoint) : base(name)
        {
            _role = RamRoleArnProvider.Validate(role);
            if (string.IsNullOrWhiteSpace(providerArn))
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument, "An OIDC provider ARN is needed to assume a role with OIDC.");
            if (string.IsNullOrWhiteSpace(tokenFile))
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument, "An OIDC token file is needed to assume a role with OIDC.");
            _providerArn = providerArn;
            _tokenFile = tokenFile;
            _sts = new StsClient(stsEndpoint);
        }

        public override string KnownAccountId => StsRoleRequest.AccountOf(_role.RoleArn);

        protected override async Task<FcCredential> FetchAsync(IFcLog log, CancellationToken cancellationToken)
        {
            string token;
            try
            {
                token = File.ReadAllText(_tokenFile).Trim();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new FcCredentialException(FcCredentialFailure.InvalidFile, $"The OIDC token file '{_tokenFile}' cannot be read: {ex.GetType().Name}.", ex);
            }
            if (token.Length == 0)
                throw new FcCredentialException(FcCredentialFailure.InvalidFile, $"The OIDC token file '{_tokenFile}' is empty.");
            return await _sts.AssumeRoleWithOidcAsync(_role, _providerArn, token, Name, log, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The RAM role of an ECS instance, from the instance metadata service: an IMDSv2 token first (PUT /latest/api/token),
    /// the role name from the metadata if none was given, then the role's credential. Each request has a 2 s limit
    /// (about 1 s to connect and 1 s to answer, as in the official libraries).
    /// </summary>
    internal sealed class EcsRamRoleProvider : RefreshingCredentialProvider
    {
        public const string DefaultEndpoint = "http://100.100.100.200";
        public const string EndpointVariable = "FCINVOKE_ECS_METADATA_ENDPOINT";
        public const string RoleNameVariable = "ALIBABA_CLOUD_ECS_METADATA";
        public const string DisabledVariable = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
        public const string ImdsV1DisabledVariable = "ALIBABA_CLOUD_IMDSV1_DISABLED";
        internal const string TokenTtlHeader = "X-aliyun-ecs-metadata-token-ttl-seconds";
        internal const string TokenHeader = "X-aliyun-ecs-metadata-token";
        internal static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);
        private const string CredentialsPath = "/latest/meta-data/ram/security-credentials/";

        private readonly string _roleName;
        private readonly bool _imdsV1Disabled;
        private readonly string _imdsV1Ambiguous;
        private volatile string _discoveredRole;

        /// <param name="imdsV1Disabled">ALIBABA_CLOUD_IMDSV1_DISABLED read the official way (true, any case).</param>
        /// <param name="imdsV1AmbiguousSetting">
        /// Its value when FcInvoke's cautious reading ("1") and the official one (false) differ: IMDSv1 is not used, and
        /// if the service refuses a token that is an error of its own (it never falls through to another source).
        /// </param>
        public EcsRamRoleProvider(string roleName, Uri metadataEndpoint, bool imdsV1Disabled, string imdsV1AmbiguousSetting = null)
            : base(string.IsNullOrEmpty(roleName) ? "EcsRamRole" : $"EcsRamRole '{roleName}'")
        {
            _roleName = string.IsNullOrWhiteSpace(roleName) ? null : roleName.Trim();
            MetadataEndpoint = metadataEndpoint;
            _imdsV1Disabled = imdsV1Disabled;
            _imdsV1Ambiguous = imdsV1Disabled ? null : imdsV1AmbiguousSetting;
        }

        public Uri MetadataEndpoint { get; }

        /// <summary>Names the role once it is known, also when it was discovered from the metadata.</summary>
        public override string Name => _roleName == null && _discoveredRole != null ? $"EcsRamRole '{_discoveredRole}'" : base.Name;

        public static Uri ResolveEndpoint(IEnvironmentReader environment)
        {
            var value = environment.Get(EndpointVariable) ?? DefaultEndpoint;
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument, $"{EndpointVariable} '{value}' is not an http(s) URI.");
            return new Uri(uri.GetLeftPart(UriPartial.Authority));
        }

        protected override async Task<FcCredential> FetchAsync(IFcLog log, CancellationToken cancellationToken)
        {
            var token = await GetTokenAsync(log, cancellationToken).ConfigureAwait(false);
            var role = _roleName;
            if (role == null)
            {
                var (status, body) = await GetAsync(CredentialsPath, token, "the RAM role name", cancellationToken).ConfigureAwait(false);
                if (status != 200 || string.IsNullOrWhiteSpace(body))
                    throw Failure($"answered HTTP {status} when asked for the instance's RAM role name; is a RAM role attached to this instance?");
                role = body.Trim().Split('\n')[0].Trim();
                _discoveredRole = role;
                log?.Verbose($"ECS metadata: the instance's RAM role is '{role}'.");
            }
            var (credStatus, credBody) = await GetAsync(CredentialsPath + Uri.EscapeDataString(role), token, $"the credential of role '{role}'", cancellationToken).ConfigureAwait(false);
            if (credStatus != 200) throw Failure($"answered HTTP {credStatus} for the credential of RAM role '{role}'.");
            try
            {
                using (var json = JsonDocument.Parse(credBody))
                {
                    var root = json.RootElement;
                    var code = StsClient.String(root, "Code");
                    var credential = StsClient.ReadTemporaryCredential(root, $"EcsRamRole '{role}'", out var problem);
                    if (code != "Success" || credential == null)
                        throw Failure($"did not return a credential for RAM role '{role}' (Code '{code ?? "none"}'{(problem == null ? string.Empty : ", " + problem)}).");
                    return credential;
                }
            }
            catch (JsonException)
            {
                throw Failure($"answered with something other than JSON for RAM role '{role}'.");
            }
        }

        /// <summary>IMDSv2 token; null (IMDSv1) when the service refuses tokens and v1 is allowed. Unreachable metadata is an error at once.</summary>
        private async Task<string> GetTokenAsync(IFcLog log, CancellationToken cancellationToken)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, new Uri(MetadataEndpoint, "/latest/api/token"));
            request.Headers.TryAddWithoutValidation(TokenTtlHeader, "21600");
            var (status, body) = await CredentialHttp.SendAsync(request, RequestTimeout, FcCredentialFailure.EcsMetadata,
                $"The ECS metadata service at {MetadataEndpoint.Authority}", cancellationToken).ConfigureAwait(false);
            if (status == 200 && !string.IsNullOrWhiteSpace(body)) return body.Trim();
            if (_imdsV1Disabled)
                throw Failure($"refused an IMDSv2 token (HTTP {status}) and {ImdsV1DisabledVariable}=true forbids IMDSv1.");
            if (_imdsV1Ambiguous != null)
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument,
                    $"The ECS metadata service at {MetadataEndpoint.Authority} refused an IMDSv2 token (HTTP {status}), and {ImdsV1DisabledVariable} is " +
                    $"'{_imdsV1Ambiguous}': FcInvoke reads that as true (no IMDSv1), the official libraries as false (only 'true' counts) and would " +
                    "carry on with IMDSv1. Set it to true or false.");
            log?.Verbose($"ECS metadata: no IMDSv2 token (HTTP {status}); carrying on with IMDSv1.");
            return null;
        }

        private Task<(int Status, string Body)> GetAsync(string path, string token, string what, CancellationToken cancellationToken)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(MetadataEndpoint, path));
            if (token != null) request.Headers.TryAddWithoutValidation(TokenHeader, token);
            return CredentialHttp.SendAsync(request, RequestTimeout, FcCredentialFailure.EcsMetadata,
                $"The ECS metadata service at {MetadataEndpoint.Authority} (asked for {what})", cancellationToken);
        }

        private FcCredentialException Failure(string text) =>
            new FcCredentialException(FcCredentialFailure.EcsMetadata, $"The ECS metadata service at {MetadataEndpoint.Authority} {text}");
    }
}
