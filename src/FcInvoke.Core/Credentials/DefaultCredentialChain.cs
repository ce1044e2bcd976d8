using System;
using System.Collections.Generic;
using System.IO;
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
    }

    /// <summary>
    /// The Alibaba Cloud default credential chain, in the official libraries' order: environment variables, OIDC
    /// (variables), the aliyun CLI config, the credentials INI file, the ECS RAM role. The first source that has
    /// credentials wins; a profile named by ALIBABA_CLOUD_PROFILE that exists nowhere is an error; when nothing is
    /// found the error lists every source tried. Reading the chain sends nothing; only the ECS source (last) uses
    /// the network, when its credential is first asked for.
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
            if (FcEnvironment.IsTrue(environment.Get(FcEnvironment.CliProfileDisabledVariable)))
            {
                tried.Add($"the aliyun CLI config ({FcEnvironment.CliProfileDisabledVariable}=true)");
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

            // 5. The ECS RAM role, from the instance metadata service.
            if (FcEnvironment.IsTrue(environment.Get(EcsRamRoleProvider.DisabledVariable)))
            {
                tried.Add($"the ECS RAM role ({EcsRamRoleProvider.DisabledVariable}=true)");
                throw NothingFound(tried, null);
            }
            return new ChainResult(new LastResortProvider(ProfileCredentials.EcsRamRole(null, environment), tried));
        }

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

        internal static FcCredentialException NothingFound(List<string> tried, Exception last) =>
            new FcCredentialException(FcCredentialFailure.NotFound,
                "No Alibaba Cloud credentials were found. Tried: " + string.Join("; ", tried) +
                (last != null ? $"; the ECS RAM role ({last.Message})" : string.Empty) +
                ". Give -Credential or -ProfileName, run Connect-FcAccount, or set " +
                $"{FcEnvironment.AccessKeyIdVariable} and {FcEnvironment.AccessKeySecretVariable}.", last);

        /// <summary>
        /// The ECS source at the end of the chain: if it has never produced a credential and fails now, the failure
        /// is "no credentials found" with everything tried listed; later failures (a refresh) are reported as they are.
        /// </summary>
        private sealed class LastResortProvider : ICredentialProvider
        {
            private readonly ICredentialProvider _inner;
            private readonly List<string> _tried;

            public LastResortProvider(ICredentialProvider inner, List<string> tried)
            {
                _inner = inner;
                _tried = tried;
            }

            public string Name => _inner.Name;
            public FcCredential LastCredential => _inner.LastCredential;
            public string KnownAccountId => _inner.KnownAccountId;
            public string AccountCacheKey => _inner.AccountCacheKey;

            public async Task<FcCredential> GetCredentialAsync(IFcLog log, CancellationToken cancellationToken)
            {
                try
                {
                    return await _inner.GetCredentialAsync(log, cancellationToken).ConfigureAwait(false);
                }
                catch (FcCredentialException ex) when (ex.Failure == FcCredentialFailure.EcsMetadata && _inner.LastCredential == null)
                {
                    throw NothingFound(_tried, ex);
                }
            }
        }
    }
}
