using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>What a command was told about where and as whom to call FC; every field is optional.</summary>
    internal sealed class FcConnectionRequest
    {
        public Uri Endpoint { get; set; }
        public string Region { get; set; }
        public string AccountId { get; set; }
        /// <summary>Null when -Internal was not given (a context's setting then applies).</summary>
        public bool? Internal { get; set; }
        public FcCredential Credential { get; set; }
        public string ProfileName { get; set; }
        /// <summary>-Context: replaces the session default.</summary>
        public FcContext Context { get; set; }
        /// <summary>The session default (Connect-FcAccount), used when no -Context is given.</summary>
        public FcContext SessionContext { get; set; }
    }

    /// <summary>The session's default context, set by Connect-FcAccount: one per process (runspaces, jobs and -Parallel share it).</summary>
    internal static class FcSession
    {
        private static FcContext _current;
        public static FcContext Current
        {
            get => Volatile.Read(ref _current);
            set => Volatile.Write(ref _current, value);
        }
    }

    /// <summary>Everything decided without the network: the credential source and whatever of region, account and endpoint is known.</summary>
    internal sealed class FcConnectionPlan
    {
        public ICredentialProvider Credentials { get; set; }
        public string Region { get; set; }
        public string AccountId { get; set; }
        public Uri Endpoint { get; set; }
        public bool Internal { get; set; }
        /// <summary>
        /// True when the credential source was found without the network: a parameter, a context, the environment, a
        /// profile; false when only the default chain's network sources (ECS RAM role, credentials URI) are left.
        /// </summary>
        public bool CredentialsConfigured { get; set; } = true;
    }

    /// <summary>
    /// Decides endpoint, account, region and credential source for a command. Each is taken from the first level
    /// that has it: explicit parameters (-Credential, -Region, ...; then the settings of an explicit -ProfileName),
    /// then -Context (or, without one, the session default from Connect-FcAccount), then the environment
    /// (ALIBABA_CLOUD_REGION_ID, ALIBABA_CLOUD_ACCOUNT_ID), then the default credential chain and its profile.
    /// An account id still unknown is taken from a role ARN, or looked up once with STS GetCallerIdentity.
    /// </summary>
    internal static class FcConnectionResolver
    {
        private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> AccountIds =
            new ConcurrentDictionary<string, Lazy<Task<string>>>(StringComparer.Ordinal);

        /// <param name="given">A credential source chosen by the caller (Connect-FcAccount -EcsRamRole, -Oidc); it replaces every other.</param>
        public static FcConnectionPlan Plan(FcConnectionRequest request, IEnvironmentReader environment = null, ICredentialProvider given = null)
        {
            environment = environment ?? ProcessEnvironment.Instance;
            var named = request.ProfileName != null ? ProfileCredentials.FindNamed(request.ProfileName, environment) : null;
            var context = request.Context ?? request.SessionContext;

            ICredentialProvider credentials = given ??
                (request.Credential != null ? new StaticCredentialProvider(request.Credential) : named?.Provider ?? context?.Credentials);
            ChainResult chain = null;
            if (credentials == null)
            {
                chain = DefaultCredentialChain.Resolve(environment);
                credentials = chain.Provider;
            }

            return new FcConnectionPlan
            {
                Credentials = credentials,
                Region = request.Region ?? named?.Region ?? context?.Region ?? environment.Get(FcEnvironment.RegionVariable) ?? chain?.Profile?.Region,
                AccountId = request.AccountId ?? named?.AccountId ?? given?.KnownAccountId ?? context?.AccountId ?? environment.Get(FcEnvironment.AccountIdVariable) ??
                            chain?.Profile?.AccountId ?? credentials.KnownAccountId,
                Endpoint = request.Endpoint ?? context?.Endpoint,
                Internal = request.Internal ?? context?.Internal ?? false,
                CredentialsConfigured = chain == null || !chain.FromNetworkSourcesOnly,
            };
        }

        /// <summary>The connection for a command, looking the account id up with STS when it is needed and unknown.</summary>
        public static async Task<FcConnection> ResolveAsync(FcConnectionRequest request, IEnvironmentReader environment, IFcLog log, CancellationToken cancellationToken)
        {
            environment = environment ?? ProcessEnvironment.Instance;
            var plan = Plan(request, environment);
            await CompleteAccountIdAsync(plan, environment, log, cancellationToken).ConfigureAwait(false);
            return Connect(plan);
        }

        /// <summary>Fills the plan's account id when the account endpoint needs it: a clear error first if the region is missing too.</summary>
        public static async Task CompleteAccountIdAsync(FcConnectionPlan plan, IEnvironmentReader environment, IFcLog log, CancellationToken cancellationToken)
        {
            if (plan.Endpoint != null || plan.AccountId != null) return;
            if (string.IsNullOrEmpty(plan.Region)) throw Unaddressable(plan);
            plan.AccountId = await LookupAccountIdAsync(plan.Credentials, environment, log, cancellationToken).ConfigureAwait(false);
        }

        public static FcConnection Connect(FcConnectionPlan plan)
        {
            var endpoint = plan.Endpoint != null
                ? FcEndpoint.FromUri(plan.Endpoint)
                : !string.IsNullOrEmpty(plan.AccountId) && !string.IsNullOrEmpty(plan.Region)
                    ? FcEndpoint.ForAccount(plan.AccountId, plan.Region, plan.Internal)
                    : throw Unaddressable(plan);
            return new FcConnection(endpoint, plan.AccountId, plan.Region, plan.Credentials);
        }

        private static FcInputException Unaddressable(FcConnectionPlan plan)
        {
            var missing = new List<string>();
            if (string.IsNullOrEmpty(plan.AccountId))
                missing.Add($"an account id (-AccountId, a context's, ${FcEnvironment.AccountIdVariable}, or a profile's account_id)");
            if (string.IsNullOrEmpty(plan.Region))
                missing.Add($"a region (-Region, a context's, ${FcEnvironment.RegionVariable}, or a profile's region_id)");
            return new FcInputException(FcErrorIds.EndpointUnknown, $"FC cannot be addressed without {string.Join(" and ", missing)}; or give -Endpoint.");
        }

        /// <summary>STS GetCallerIdentity, once per credential source; concurrent callers share the one lookup.</summary>
        public static async Task<string> LookupAccountIdAsync(ICredentialProvider credentials, IEnvironmentReader environment, IFcLog log, CancellationToken cancellationToken)
        {
            var credential = await credentials.GetCredentialAsync(log, cancellationToken).ConfigureAwait(false);
            var sts = StsEndpoint.Resolve(environment ?? ProcessEnvironment.Instance);
            var key = credentials.AccountCacheKey + "|" + sts;
            var lazy = AccountIds.GetOrAdd(key, _ => new Lazy<Task<string>>(() =>
                new StsClient(sts).GetCallerAccountIdAsync(credential, null, CancellationToken.None)));
            try
            {
                var lookup = lazy.Value;
                var finished = await Task.WhenAny(lookup, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
                if (finished != lookup) cancellationToken.ThrowIfCancellationRequested();
                var account = await lookup.ConfigureAwait(false);
                log?.Verbose($"The credential {credential.MaskedAccessKeyId} belongs to account {account} (STS GetCallerIdentity at {sts.Host}, looked up once).");
                return account;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                AccountIds.TryRemove(key, out _); // a failed lookup is not remembered
                throw;
            }
        }

    }
}
