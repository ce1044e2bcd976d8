using System;
using FcInvoke.Credentials;

namespace FcInvoke
{
    /// <summary>
    /// Where and as whom FC commands run: a credential source with region, account and endpoint. Connect-FcAccount
    /// makes one and sets it as the session default; pass one to any FC cmdlet with -Context. It never exposes a
    /// secret: the AccessKey ID is masked except its last 4 characters, and the secret and token are not reachable.
    /// </summary>
    public sealed class FcContext
    {
        internal FcContext(ICredentialProvider credentials, string region, string accountId, Uri endpoint, bool useInternal)
        {
            Credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
            Region = region;
            AccountId = accountId;
            Endpoint = endpoint;
            Internal = useInternal;
            CreatedAt = DateTimeOffset.Now;
        }

        /// <summary>Where the credential comes from, e.g. Environment, Profile 'prod', EcsRamRole 'ops'.</summary>
        public string Source => Credentials.Name;
        /// <summary>The AccessKey ID in use, masked except its last 4 characters (empty before the first temporary credential is fetched).</summary>
        public string AccessKeyId => FcCredential.Mask(Credentials.LastCredential?.AccessKeyId);
        public string Region { get; }
        public string AccountId { get; }
        /// <summary>An explicit FC endpoint (an emulator, a proxy); null means https://{AccountId}.{Region}.fc.aliyuncs.com.</summary>
        public Uri Endpoint { get; }
        /// <summary>Use the VPC (-internal) endpoint.</summary>
        public bool Internal { get; }
        /// <summary>True when the credential is temporary (STS token).</summary>
        public bool IsTemporary => Credentials.LastCredential?.IsTemporary ?? false;
        /// <summary>When the current temporary credential expires; it is refreshed a few minutes before.</summary>
        public DateTimeOffset? Expiration => Credentials.LastCredential?.Expiration;
        public DateTimeOffset CreatedAt { get; }

        internal ICredentialProvider Credentials { get; }

        public override string ToString() =>
            $"{Source} {AccessKeyId}".TrimEnd() + (Endpoint != null ? $" -> {Endpoint}" : $" -> {AccountId ?? "?"}@{Region ?? "?"}");
    }
}
