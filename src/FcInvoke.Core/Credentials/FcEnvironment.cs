using System;
using System.Collections.Generic;
using System.IO;

namespace FcInvoke.Credentials
{
    /// <summary>Reads environment variables; replaced in tests.</summary>
    internal interface IEnvironmentReader
    {
        /// <summary>The trimmed value, or null when the variable is unset or blank.</summary>
        string Get(string name);
    }

    internal sealed class ProcessEnvironment : IEnvironmentReader
    {
        public static readonly ProcessEnvironment Instance = new ProcessEnvironment();
        public string Get(string name) => FcEnvironment.Clean(Environment.GetEnvironmentVariable(name));
    }

    /// <summary>A fixed set of variables (tests, and callers that must not see the process environment).</summary>
    internal sealed class DictionaryEnvironment : IEnvironmentReader
    {
        private readonly IDictionary<string, string> _values;
        public DictionaryEnvironment(IDictionary<string, string> values) => _values = values;
        public string Get(string name) => _values.TryGetValue(name, out var value) ? FcEnvironment.Clean(value) : null;
    }

    internal static class FcEnvironment
    {
        public const string AccessKeyIdVariable = "ALIBABA_CLOUD_ACCESS_KEY_ID";
        public const string AccessKeySecretVariable = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
        public const string SecurityTokenVariable = "ALIBABA_CLOUD_SECURITY_TOKEN";
        public const string RegionVariable = "ALIBABA_CLOUD_REGION_ID";
        public const string AccountIdVariable = "ALIBABA_CLOUD_ACCOUNT_ID";
        public const string RoleArnVariable = "ALIBABA_CLOUD_ROLE_ARN";
        public const string OidcProviderArnVariable = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
        public const string OidcTokenFileVariable = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
        public const string ProfileVariable = "ALIBABA_CLOUD_PROFILE";
        public const string ConfigFileVariable = "ALIBABA_CLOUD_CONFIG_FILE";
        public const string CliProfileDisabledVariable = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
        public const string CredentialsFileVariable = "ALIBABA_CLOUD_CREDENTIALS_FILE";
        public const string CredentialsUriVariable = "ALIBABA_CLOUD_CREDENTIALS_URI";
        /// <summary>The aliyun CLI's switch that blocks a profile's process_command (and its CredentialsURI mode).</summary>
        public const string DisableExternalProcessVariable = "ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS";

        public static string Clean(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

        /// <summary>
        /// The official libraries' reading of their switches (ALIBABA_CLOUD_*_DISABLED, ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED):
        /// on only for "true", in any case (credentials-go strings.ToLower(v) == "true", credentials-java
        /// Boolean.parseBoolean, @alicloud/credentials v.toLowerCase() === 'true'). "1", "yes" or "on" are off.
        /// </summary>
        public static bool IsTrue(string value) => value != null && value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// The cautious reading, also taking "1" for on: used only where it cannot make FcInvoke use other credentials
        /// than the official libraries (see DefaultCredentialChain and EcsRamRoleProvider), and for FcInvoke's own variables.
        /// </summary>
        public static bool IsLooselyTrue(string value) => IsTrue(value) || (value != null && value.Trim() == "1");

        /// <summary>The aliyun CLI's reading of ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS: "1" or "true" in any case (config/profile.go).</summary>
        public static bool IsExternalProcessDisabled(IEnvironmentReader environment) => IsLooselyTrue(environment.Get(DisableExternalProcessVariable));

        /// <summary>
        /// The user's home: $HOME (on Windows $USERPROFILE first, as Git Bash may set HOME elsewhere), else what .NET
        /// reports. Read from the environment so tests can point it at a temporary folder.
        /// </summary>
        public static string Home(IEnvironmentReader environment)
        {
            bool windows = Path.DirectorySeparatorChar == '\\';
            return (windows ? environment.Get("USERPROFILE") ?? environment.Get("HOME") : environment.Get("HOME") ?? environment.Get("USERPROFILE")) ??
                   Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        public static string CliConfigPath(IEnvironmentReader environment) =>
            environment.Get(ConfigFileVariable) ?? Path.Combine(Home(environment), ".aliyun", "config.json");

        public static string CredentialsFilePath(IEnvironmentReader environment) =>
            environment.Get(CredentialsFileVariable) ?? Path.Combine(Home(environment), ".alibabacloud", "credentials");
    }
}
