using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace FcInvoke.Credentials
{
    /// <summary>
    /// Providers that fetch temporary credentials, shared process-wide per source (a profile of a file version,
    /// the OIDC variables, the ECS role), so every command using the same source reuses one cached, refreshed credential.
    /// </summary>
    internal static class CredentialProviderCache
    {
        private static readonly ConcurrentDictionary<string, Lazy<ICredentialProvider>> Providers =
            new ConcurrentDictionary<string, Lazy<ICredentialProvider>>(StringComparer.Ordinal);

        /// <param name="key">Identifies the source; must not contain a secret.</param>
        public static ICredentialProvider GetOrAdd(string key, Func<ICredentialProvider> create)
        {
            var lazy = Providers.GetOrAdd(key, _ => new Lazy<ICredentialProvider>(create));
            try { return lazy.Value; }
            catch
            {
                Providers.TryRemove(key, out _); // a bad configuration is not remembered
                throw;
            }
        }

    }

    /// <summary>A profile found for a name, and the provider made from it.</summary>
    internal sealed class ResolvedProfile
    {
        public ResolvedProfile(CredentialProfile profile, ICredentialProvider provider)
        {
            Profile = profile;
            Provider = provider;
        }

        public CredentialProfile Profile { get; }
        public ICredentialProvider Provider { get; }
        public string Region => Profile.Region;
        public string AccountId => Profile.AccountId;
    }

    /// <summary>Turns profiles of both file formats into credential providers (aliyun CLI modes and INI types).</summary>
    internal static class ProfileCredentials
    {
        public const string CliModes = "AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn, External";
        public const string IniTypes = "access_key, sts, ram_role_arn, ecs_ram_role, oidc_role_arn";

        /// <summary>
        /// -ProfileName (or $env:ALIBABA_CLOUD_PROFILE): the aliyun CLI config first, then the credentials file.
        /// A name found in neither is an error that lists the files searched; it never falls through to another source.
        /// </summary>
        public static ResolvedProfile FindNamed(string name, IEnvironmentReader environment, string origin = "-ProfileName")
        {
            var searched = new List<string>();
            var cliPath = FcEnvironment.CliConfigPath(environment);
            if (File.Exists(cliPath))
            {
                var cli = CredentialFile.Load(cliPath, ProfileFileFormat.CliConfig);
                var profile = cli.Find(name);
                if (profile != null) return Resolve(profile, environment);
                searched.Add($"'{cliPath}' (profiles: {Names(cli)})");
            }
            else searched.Add($"'{cliPath}' (no such file)");

            var iniPath = FcEnvironment.CredentialsFilePath(environment);
            if (File.Exists(iniPath))
            {
                var ini = CredentialFile.Load(iniPath, ProfileFileFormat.Ini);
                var profile = ini.Find(name);
                if (profile != null) return Resolve(profile, environment);
                searched.Add($"'{iniPath}' (profiles: {Names(ini)})");
            }
            else searched.Add($"'{iniPath}' (no such file)");

            throw new FcCredentialException(FcCredentialFailure.ProfileNotFound,
                $"The profile '{name}' ({origin}) does not exist. Searched {string.Join(" and ", searched)}.");
        }

        private static string Names(CredentialFile file) =>
            file.Profiles.Count == 0 ? "none" : string.Join(", ", file.Profiles.Select(p => p.Name).Distinct());

        public static ResolvedProfile Resolve(CredentialProfile profile, IEnvironmentReader environment) =>
            new ResolvedProfile(profile, Create(profile, environment, new HashSet<string>(StringComparer.Ordinal)));

        public static string SourceName(CredentialProfile profile) => $"Profile '{profile.Name}'";

        private enum Kind { AccessKey, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, Oidc, External }

        /// <summary>The two formats name the same things differently: the keys of one format, and its kinds.</summary>
        private sealed class Format
        {
            public string KindKey, Token, RoleArn, SessionName, Duration, EcsRoleName, OidcTokenFile, Supported;
            public Dictionary<string, Kind> Kinds;
        }

        private static readonly Format Cli = new Format
        {
            KindKey = "mode", Token = "sts_token", RoleArn = "ram_role_arn", SessionName = "ram_session_name", Duration = "expired_seconds",
            EcsRoleName = "ram_role_name", OidcTokenFile = "oidc_token_file", Supported = CliModes,
            Kinds = new Dictionary<string, Kind>(StringComparer.Ordinal) // the CLI and the libraries compare modes exactly
            {
                ["AK"] = Kind.AccessKey, ["StsToken"] = Kind.StsToken, ["RamRoleArn"] = Kind.RamRoleArn,
                ["ChainableRamRoleArn"] = Kind.ChainableRamRoleArn, ["EcsRamRole"] = Kind.EcsRamRole, ["OIDC"] = Kind.Oidc,
                ["External"] = Kind.External,
            },
        };

        private static readonly Format Ini = new Format
        {
            KindKey = "type", Token = "security_token", RoleArn = "role_arn", SessionName = "role_session_name", Duration = "duration_seconds",
            EcsRoleName = "role_name", OidcTokenFile = "oidc_token_file_path", Supported = IniTypes,
            Kinds = new Dictionary<string, Kind>(StringComparer.Ordinal) // the libraries compare types exactly
            {
                ["access_key"] = Kind.AccessKey, ["sts"] = Kind.StsToken, ["ram_role_arn"] = Kind.RamRoleArn,
                ["ecs_ram_role"] = Kind.EcsRamRole, ["oidc_role_arn"] = Kind.Oidc,
            },
        };

        private static ICredentialProvider Create(CredentialProfile p, IEnvironmentReader environment, HashSet<string> visited)
        {
            if (!visited.Add(p.Name))
                throw p.File.Error(p.Line, $"profile '{p.Name}' is part of a source_profile cycle");
            var format = p.File.Format == ProfileFileFormat.CliConfig ? Cli : Ini;
            var name = SourceName(p);
            var kindText = p.Kind ?? throw p.File.Error(p.Line, $"profile '{p.Name}' has no '{format.KindKey}'");
            if (format == Ini && p.Get("enable") is string enable && !FcEnvironment.IsTrue(enable))
                throw p.File.Error(p.Line, $"profile '{p.Name}' has 'enable = {Plain(enable)}'. credentials-go and @alicloud/credentials ignore that setting and " +
                                           "would use the profile; credentials-java uses only profiles with 'enable = true'. Remove the setting, or the profile");
            if (format == Cli && kindText == "CredentialsURI")
                throw p.File.Error(p.Line, $"profile '{p.Name}' has mode '{kindText}', which the aliyun CLI supports but the official credential libraries " +
                                           "do not (they skip the profile and use the next source); FcInvoke stops rather than pick one. " +
                                           $"Set {FcEnvironment.CredentialsUriVariable} instead, the last source of every default chain");
            if (!format.Kinds.TryGetValue(kindText, out var kind))
            {
                var meant = format.Kinds.Keys.FirstOrDefault(k => string.Equals(k, kindText, StringComparison.OrdinalIgnoreCase));
                throw p.File.Error(p.Line, meant != null
                    ? $"profile '{p.Name}' has {format.KindKey} '{kindText}'; the official tools compare it exactly: write '{meant}'"
                    : $"profile '{p.Name}' has {format.KindKey} '{kindText}', which FcInvoke does not support (supported: {format.Supported})");
            }
            switch (kind)
            {
                case Kind.AccessKey:
                    return new StaticCredentialProvider(new FcCredential(p.Require("access_key_id"), p.Require("access_key_secret"), null, null, name));
                case Kind.StsToken:
                    return new StaticCredentialProvider(new FcCredential(p.Require("access_key_id"), p.Require("access_key_secret"), p.Require(format.Token), null, name));
                case Kind.RamRoleArn:
                    {
                        var source = new StaticCredentialProvider(new FcCredential(p.Require("access_key_id"), p.Require("access_key_secret"), p.Get(format.Token), null, name));
                        return Cached(p, () => new RamRoleArnProvider($"{name} ({kindText})", source, Role(p, format, environment), Sts(p, environment)));
                    }
                case Kind.ChainableRamRoleArn:
                    {
                        var sourceName = p.Require("source_profile");
                        var sourceProfile = p.File.Find(sourceName) ??
                            throw p.File.Error(p.Line, $"profile '{p.Name}' names source_profile '{sourceName}', which does not exist in the file");
                        var source = Create(sourceProfile, environment, visited);
                        return Cached(p, () => new RamRoleArnProvider($"{name} ({kindText} via '{sourceName}')", source, Role(p, format, environment), Sts(p, environment)));
                    }
                case Kind.EcsRamRole:
                    return EcsRamRole(p.Get(format.EcsRoleName), environment);
                case Kind.External:
                    return External(p, environment);
                default:
                    return Cached(p, () => new OidcRoleArnProvider($"{name} ({kindText})", Role(p, format, environment),
                        p.Require("oidc_provider_arn"), p.Require(format.OidcTokenFile), Sts(p, environment)));
            }
        }

        /// <summary>An ECS RAM role provider (explicit use: the metadata-disabled switch applies to the default chain only).</summary>
        public static ICredentialProvider EcsRamRole(string roleName, IEnvironmentReader environment)
        {
            roleName = roleName ?? environment.Get(EcsRamRoleProvider.RoleNameVariable);
            var endpoint = EcsRamRoleProvider.ResolveEndpoint(environment);
            var v1Setting = environment.Get(EcsRamRoleProvider.ImdsV1DisabledVariable);
            bool v1Disabled = FcEnvironment.IsTrue(v1Setting);
            var v1Ambiguous = !v1Disabled && FcEnvironment.IsLooselyTrue(v1Setting) ? v1Setting : null;
            return CredentialProviderCache.GetOrAdd($"ecs|{endpoint}|{roleName}|{v1Disabled}|{v1Ambiguous}",
                () => new EcsRamRoleProvider(roleName, endpoint, v1Disabled, v1Ambiguous));
        }

        /// <summary>
        /// Mode External: a provider of its own for each resolution (each command, each Connect-FcAccount), so the
        /// command runs once per command as in the aliyun CLI. The command line is checked now, so a malformed one
        /// is reported with the file and line before anything runs.
        /// </summary>
        private static ICredentialProvider External(CredentialProfile p, IEnvironmentReader environment)
        {
            var what = $"The process_command of profile '{p.Name}' ({p.File.Path}, line {p.Line})";
            if (FcEnvironment.IsExternalProcessDisabled(environment))
                throw new FcCredentialException(FcCredentialFailure.CredentialProcess,
                    $"{what} is not run: {FcEnvironment.DisableExternalProcessVariable} is set, which (as in the aliyun CLI) blocks every process_command.");
            string[] arguments;
            try
            {
                arguments = ProcessCommandLine.Split(p.Require("process_command"), System.IO.Path.DirectorySeparatorChar == '\\');
            }
            catch (FormatException ex)
            {
                throw p.File.Error(p.Line, $"profile '{p.Name}': {ex.Message}");
            }
            return new ExternalProcessProvider($"{SourceName(p)} (External)", arguments, what);
        }

        /// <summary>A setting's value when it is a plain word (true, false, 0, 1, ...), else "..." (it could be anything).</summary>
        private static string Plain(string value) =>
            value.Length <= 8 && value.All(char.IsLetterOrDigit) ? value : "...";

        private static ICredentialProvider Cached(CredentialProfile p, Func<ICredentialProvider> create) =>
            CredentialProviderCache.GetOrAdd($"profile|{p.File.Format}|{p.File.Path}|{p.File.Version}|{p.Name}", create);

        private static StsRoleRequest Role(CredentialProfile p, Format format, IEnvironmentReader environment) => new StsRoleRequest
        {
            RoleArn = p.Require(format.RoleArn),
            RoleSessionName = p.Get(format.SessionName) ?? StsRoleRequest.DefaultSessionName(environment),
            DurationSeconds = Duration(p, format.Duration),
            ExternalId = p.Get("external_id"),
            Policy = p.Get("policy"),
        };

        private static int Duration(CredentialProfile p, string key)
        {
            var text = p.Get(key);
            if (text == null) return StsClient.DefaultDurationSeconds;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
                throw p.File.Error(p.Line, $"profile '{p.Name}' has a '{key}' that is not a number of seconds");
            return seconds == 0 ? StsClient.DefaultDurationSeconds : seconds;
        }

        private static Uri Sts(CredentialProfile p, IEnvironmentReader environment) =>
            StsEndpoint.Resolve(environment, p.Get("sts_endpoint"), p.Get("sts_region"), FcEnvironment.IsTrue(p.Get("enable_vpc")));
    }
}
