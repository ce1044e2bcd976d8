using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>What the default chain found: the provider, and the profile it came from (for region and account id), if any.</summary>
    internal sealed class ChainResult
    {
        public ChainResult(ICredentialProvider provider, CredentialProfile profile = null)
        {
            Provider = provider;
            Profile = profile;
        }

        public ICredentialProvider Provider { get; }
        public CredentialProfile Profile { get; }
        /// <summary>
        /// True when nothing was configured and the chain ended in its network sources (the ECS RAM role, the credentials
        /// URI): whether they have a credential only the network can tell.
        /// </summary>
        public bool FromNetworkSourcesOnly { get; set; }
    }

    /// <summary>
    /// The Alibaba Cloud default credential chain, in the official libraries' order (credentials-go
    /// providers/default.go, credentials-java DefaultCredentialsProvider, @alicloud/credentials providers/default.ts):
    /// environment variables, OIDC (variables), the aliyun CLI config, the credentials INI file, the ECS RAM role, and
    /// ALIBABA_CLOUD_CREDENTIALS_URI when it is set. The first source that has credentials wins; a profile named by
    /// ALIBABA_CLOUD_PROFILE that exists nowhere is an error; when nothing is found the error lists every source tried.
    /// Reading the chain sends nothing; only the last two sources use the network, when a credential is first asked for:
    /// the ECS role first, and the credentials URI if the metadata service has none.
    /// </summary>
    internal static class DefaultCredentialChain
    {
        public static ChainResult Resolve(IEnvironmentReader environment)
        {
            var tried = new List<string>();

            // 1. Environment variables.
            var id = environment.Get(FcEnvironment.AccessKeyIdVariable);
            var secret = environment.Get(FcEnvironment.AccessKeySecretVariable);
            if (id != null && secret != null)
                return new ChainResult(new StaticCredentialProvider(new FcCredential(id, secret, environment.Get(FcEnvironment.SecurityTokenVariable), null, "Environment")));
            tried.Add($"the environment variables {FcEnvironment.AccessKeyIdVariable} and {FcEnvironment.AccessKeySecretVariable}" +
                      (id != null ? $" ({FcEnvironment.AccessKeySecretVariable} is not set)" : secret != null ? $" ({FcEnvironment.AccessKeyIdVariable} is not set)" : " (not set)"));

            // 2. OIDC role assumption (ACK RRSA).
            var roleArn = environment.Get(FcEnvironment.RoleArnVariable);
            var providerArn = environment.Get(FcEnvironment.OidcProviderArnVariable);
            var tokenFile = environment.Get(FcEnvironment.OidcTokenFileVariable);
            if (roleArn != null && providerArn != null && tokenFile != null)
                return new ChainResult(OidcFromEnvironment(roleArn, providerArn, tokenFile, environment));
            tried.Add($"OIDC ({FcEnvironment.RoleArnVariable}, {FcEnvironment.OidcProviderArnVariable}, {FcEnvironment.OidcTokenFileVariable}: " +
                      (roleArn == null && providerArn == null && tokenFile == null ? "not set)" : "not all set)"));

            var namedProfile = environment.Get(FcEnvironment.ProfileVariable);

            // 3. The aliyun CLI config.
            var cliPath = FcEnvironment.CliConfigPath(environment);
            var cliDisabled = environment.Get(FcEnvironment.CliProfileDisabledVariable);
            if (FcEnvironment.IsTrue(cliDisabled)) // only "true", any case: "1" leaves it on, as in the official libraries
            {
                tried.Add($"the aliyun CLI config ({FcEnvironment.CliProfileDisabledVariable}={cliDisabled})");
            }
            else if (File.Exists(cliPath))
            {
                var cli = CredentialFile.Load(cliPath, ProfileFileFormat.CliConfig);
                var name = namedProfile ?? cli.Current;
                var profile = name == null ? null : cli.Find(name);
                if (profile != null) return FromProfile(profile, environment);
                if (name != null && namedProfile == null)
                    throw new FcCredentialException(FcCredentialFailure.ProfileNotFound,
                        $"The aliyun CLI config file '{cliPath}' names '{name}' as its current profile, but has no profile of that name.");
                tried.Add(name == null ? $"'{cliPath}' (no current profile)" : $"'{cliPath}' (no profile '{name}')");
            }
            else
            {
                if (environment.Get(FcEnvironment.ConfigFileVariable) != null)
                    throw new FcCredentialException(FcCredentialFailure.ProfileNotFound,
                        $"{FcEnvironment.ConfigFileVariable} names '{cliPath}', which does not exist.");
                tried.Add($"'{cliPath}' (no such file)");
            }

            // 4. The credentials INI file.
            var iniPath = FcEnvironment.CredentialsFilePath(environment);
            if (File.Exists(iniPath))
            {
                var ini = CredentialFile.Load(iniPath, ProfileFileFormat.Ini);
                var profile = ini.Find(namedProfile ?? "default");
                if (profile != null) return FromProfile(profile, environment);
                tried.Add($"'{iniPath}' (no [{namedProfile ?? "default"}] profile)");
            }
            else
            {
                if (environment.Get(FcEnvironment.CredentialsFileVariable) != null)
                    throw new FcCredentialException(FcCredentialFailure.ProfileNotFound,
                        $"{FcEnvironment.CredentialsFileVariable} names '{iniPath}', which does not exist.");
                tried.Add($"'{iniPath}' (no such file)");
            }

            if (namedProfile != null)
                throw new FcCredentialException(FcCredentialFailure.ProfileNotFound,
                    $"The profile '{namedProfile}' ({FcEnvironment.ProfileVariable}) does not exist. Tried {string.Join("; ", tried)}.");

            // 5. The ECS RAM role, from the instance metadata service; 6. ALIBABA_CLOUD_CREDENTIALS_URI, if set.
            // Both are asked only when a credential is first needed (ChainTailProvider).
            var uri = environment.Get(FcEnvironment.CredentialsUriVariable);
            var tail = new List<TailSource>();
            var ecsDisabled = environment.Get(EcsRamRoleProvider.DisabledVariable);
            if (FcEnvironment.IsTrue(ecsDisabled))
            {
                tail.Add(TailSource.Skipped(EcsLabel, $"{EcsRamRoleProvider.DisabledVariable}={ecsDisabled}"));
            }
            else if (FcEnvironment.IsLooselyTrue(ecsDisabled))
            {
                // "1": off for FcInvoke, on for the official libraries. Harmless while the ECS source is the last one
                // (no credential, instead of a wait for the metadata service); with a credentials URI after it, the two
                // readings could end with different credentials, so FcInvoke asks for a plain value.
                if (uri != null)
                    throw new FcCredentialException(FcCredentialFailure.InvalidArgument,
                        $"{EcsRamRoleProvider.DisabledVariable} is '{ecsDisabled}', which FcInvoke reads as true and the official libraries as false " +
                        $"(only 'true' turns the ECS source off): they would ask the ECS metadata service before {FcEnvironment.CredentialsUriVariable}. " +
                        "Set it to true or false.");
                tail.Add(TailSource.Skipped(EcsLabel, $"{EcsRamRoleProvider.DisabledVariable}={ecsDisabled}, read as true; the official libraries turn the source off only for 'true'"));
            }
            else
            {
                tail.Add(new TailSource(EcsLabel, ProfileCredentials.EcsRamRole(null, environment), FcCredentialFailure.EcsMetadata));
            }
            if (uri != null)
                tail.Add(new TailSource(UriLabel, CredentialsUriProvider.For(uri, FcEnvironment.CredentialsUriVariable), FcCredentialFailure.CredentialsUri));
            else
                tail.Add(TailSource.Skipped(UriLabel, "not set"));

            if (tail.TrueForAll(t => t.Provider == null))
                throw NothingFound(tried.Concat(tail.Select(t => t.Describe(null))), null);
            return new ChainResult(new ChainTailProvider(tail, tried)) { FromNetworkSourcesOnly = true };
        }

        private const string EcsLabel = "the ECS RAM role";
        private const string UriLabel = FcEnvironment.CredentialsUriVariable;

        private static ICredentialProvider OidcFromEnvironment(string roleArn, string providerArn, string tokenFile, IEnvironmentReader environment)
        {
            var sessionName = environment.Get("ALIBABA_CLOUD_ROLE_SESSION_NAME");
            var sts = StsEndpoint.Resolve(environment);
            return CredentialProviderCache.GetOrAdd($"oidc-env|{roleArn}|{providerArn}|{tokenFile}|{sessionName}|{sts}", () =>
                new OidcRoleArnProvider($"Oidc '{roleArn}'",
                    new StsRoleRequest { RoleArn = roleArn, RoleSessionName = sessionName ?? StsRoleRequest.DefaultSessionName(environment) },
                    providerArn, tokenFile, sts));
        }

        private static ChainResult FromProfile(CredentialProfile profile, IEnvironmentReader environment) =>
            new ChainResult(ProfileCredentials.Resolve(profile, environment).Provider, profile);

        internal static FcCredentialException NothingFound(IEnumerable<string> tried, Exception last) =>
            new FcCredentialException(FcCredentialFailure.NotFound,
                "No Alibaba Cloud credentials were found. Tried: " + string.Join("; ", tried) +
                ". Give -Credential or -ProfileName, run Connect-FcAccount, or set " +
                $"{FcEnvironment.AccessKeyIdVariable} and {FcEnvironment.AccessKeySecretVariable}.", last);

        /// <summary>One of the network sources at the end of the chain, or why it was left out.</summary>
        private sealed class TailSource
        {
            public TailSource(string label, ICredentialProvider provider, FcCredentialFailure fallsThrough)
            {
                Label = label;
                Provider = provider;
                FallsThrough = fallsThrough;
            }

            public static TailSource Skipped(string label, string reason) => new TailSource(label, null, FcCredentialFailure.NotFound) { Reason = reason };

            public string Label { get; }
            public ICredentialProvider Provider { get; }
            /// <summary>The failure that means "this source has nothing": the chain then goes on to the next one.</summary>
            public FcCredentialFailure FallsThrough { get; }
            public string Reason { get; private set; }

            public string Describe(Exception failure) => $"{Label} ({failure?.Message ?? Reason})";
        }

        /// <summary>
        /// The ECS role and the credentials URI at the end of the chain, asked in that order when a credential is first
        /// needed. The first that answers is kept (as the official chains keep their last used provider). A source
        /// that has never produced a credential and fails with its own kind of failure (unreachable, refused) is passed
        /// over; when none answers, the failure is "no credentials found" with everything tried listed. Failures of a
        /// source once it has answered (a refresh) are reported as they are.
        /// </summary>
        private sealed class ChainTailProvider : ICredentialProvider
        {
            private readonly List<TailSource> _sources;
            private readonly List<string> _tried;
            private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
            private volatile ICredentialProvider _chosen;

            public ChainTailProvider(List<TailSource> sources, List<string> tried)
            {
                _sources = sources;
                _tried = tried;
            }

            private ICredentialProvider Current => _chosen ?? _sources.First(s => s.Provider != null).Provider;

            public string Name => Current.Name;
            public FcCredential LastCredential => Current.LastCredential;
            public string KnownAccountId => _chosen?.KnownAccountId;
            public string AccountCacheKey => Current.AccountCacheKey;

            public async Task<FcCredential> GetCredentialAsync(IFcLog log, CancellationToken cancellationToken)
            {
                var chosen = _chosen;
                if (chosen != null) return await chosen.GetCredentialAsync(log, cancellationToken).ConfigureAwait(false);
                await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (_chosen != null) return await _chosen.GetCredentialAsync(log, cancellationToken).ConfigureAwait(false);
                    var tried = new List<string>(_tried);
                    Exception last = null;
                    foreach (var source in _sources)
                    {
                        if (source.Provider == null)
                        {
                            tried.Add(source.Describe(null));
                            continue;
                        }
                        try
                        {
                            var credential = await source.Provider.GetCredentialAsync(log, cancellationToken).ConfigureAwait(false);
                            _chosen = source.Provider;
                            return credential;
                        }
                        catch (FcCredentialException ex) when (ex.Failure == source.FallsThrough && source.Provider.LastCredential == null)
                        {
                            log?.Verbose($"Credential chain: {source.Label} has nothing ({ex.Message})");
                            tried.Add(source.Describe(ex));
                            last = ex;
                        }
                    }
                    throw NothingFound(tried, last);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
    }
}
