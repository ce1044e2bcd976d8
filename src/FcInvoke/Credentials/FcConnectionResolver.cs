using System;
using System.Collections.Generic;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>What a command was told about where and as whom to call FC; every field is optional.</summary>
    internal sealed class FcConnectionRequest
    {
        public Uri Endpoint { get; set; }
        public string Region { get; set; }
        public string AccountId { get; set; }
        public bool Internal { get; set; }
        public FcCredential Credential { get; set; }
    }

    /// <summary>Reads environment variables; replaced in tests.</summary>
    internal interface IEnvironmentReader
    {
        string Get(string name);
    }

    internal sealed class ProcessEnvironment : IEnvironmentReader
    {
        public static readonly ProcessEnvironment Instance = new ProcessEnvironment();
        public string Get(string name)
        {
            var value = Environment.GetEnvironmentVariable(name);
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }
    }

    /// <summary>No usable credential was found; the message lists what was tried (never a secret).</summary>
    public class FcCredentialException : Exception
    {
        public FcCredentialException(string message, Exception inner = null) : base(message, inner) { }
    }

    /// <summary>
    /// Decides endpoint, account, region and credential source for a command: explicit parameters first,
    /// then the environment (ALIBABA_CLOUD_*). The full default chain plugs in behind <see cref="ResolveCredentials"/>.
    /// </summary>
    internal static class FcConnectionResolver
    {
        public const string AccessKeyIdVariable = "ALIBABA_CLOUD_ACCESS_KEY_ID";
        public const string AccessKeySecretVariable = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
        public const string SecurityTokenVariable = "ALIBABA_CLOUD_SECURITY_TOKEN";
        public const string RegionVariable = "ALIBABA_CLOUD_REGION_ID";
        public const string AccountIdVariable = "ALIBABA_CLOUD_ACCOUNT_ID";

        public static FcConnection Resolve(FcConnectionRequest request, IEnvironmentReader environment = null)
        {
            environment = environment ?? ProcessEnvironment.Instance;
            var region = request.Region ?? environment.Get(RegionVariable);
            var accountId = request.AccountId ?? environment.Get(AccountIdVariable);
            FcEndpoint endpoint;
            if (request.Endpoint != null)
            {
                endpoint = FcEndpoint.FromUri(request.Endpoint);
            }
            else
            {
                var missing = new List<string>();
                if (string.IsNullOrEmpty(accountId)) missing.Add($"an account id (-AccountId or ${AccountIdVariable})");
                if (string.IsNullOrEmpty(region)) missing.Add($"a region (-Region or ${RegionVariable})");
                if (missing.Count > 0)
                    throw new ArgumentException($"FC cannot be addressed without {string.Join(" and ", missing)}; or give -Endpoint.");
                endpoint = FcEndpoint.ForAccount(accountId, region, request.Internal);
            }
            return new FcConnection(endpoint, accountId, region, ResolveCredentials(request, environment));
        }

        public static ICredentialProvider ResolveCredentials(FcConnectionRequest request, IEnvironmentReader environment)
        {
            if (request.Credential != null) return new StaticCredentialProvider(request.Credential);
            var id = environment.Get(AccessKeyIdVariable);
            var secret = environment.Get(AccessKeySecretVariable);
            if (id != null && secret != null)
                return new StaticCredentialProvider(new FcCredential(id, secret, environment.Get(SecurityTokenVariable), null, "Environment"));
            throw new FcCredentialException(
                "No Alibaba Cloud credentials were found. Tried: the -Credential parameter; the environment variables " +
                $"{AccessKeyIdVariable} and {AccessKeySecretVariable}" + (id != null ? $" ({AccessKeySecretVariable} is not set)" : string.Empty) + ".");
        }
    }
}
