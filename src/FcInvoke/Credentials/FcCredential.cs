using System;

namespace FcInvoke.Credentials
{
    /// <summary>
    /// An AccessKey pair, optionally temporary (STS). The secret and token are readable only inside the module,
    /// and never appear in ToString, formatting or serialization.
    /// </summary>
    public sealed class FcCredential
    {
        private readonly string _accessKeySecret;
        private readonly string _securityToken;

        internal FcCredential(string accessKeyId, string accessKeySecret, string securityToken, DateTimeOffset? expiration, string source)
        {
            if (string.IsNullOrWhiteSpace(accessKeyId)) throw new ArgumentException("The AccessKey ID is empty.", nameof(accessKeyId));
            if (string.IsNullOrEmpty(accessKeySecret)) throw new ArgumentException("The AccessKey secret is empty.", nameof(accessKeySecret));
            AccessKeyId = accessKeyId.Trim();
            _accessKeySecret = accessKeySecret;
            _securityToken = string.IsNullOrEmpty(securityToken) ? null : securityToken;
            Expiration = expiration;
            Source = source;
        }

        public string AccessKeyId { get; }
        /// <summary>The AccessKey ID with all but its last 4 characters masked.</summary>
        public string MaskedAccessKeyId => Mask(AccessKeyId);
        public bool IsTemporary => _securityToken != null;
        public DateTimeOffset? Expiration { get; }
        /// <summary>Where the credential came from, e.g. "Environment" or "Parameter".</summary>
        public string Source { get; }

        internal string AccessKeySecret => _accessKeySecret;
        internal string SecurityToken => _securityToken;

        internal bool ExpiresWithin(TimeSpan margin, DateTimeOffset now) =>
            Expiration.HasValue && Expiration.Value - now <= margin;

        public static string Mask(string accessKeyId)
        {
            if (string.IsNullOrEmpty(accessKeyId)) return string.Empty;
            return accessKeyId.Length <= 4 ? new string('*', accessKeyId.Length) : new string('*', accessKeyId.Length - 4) + accessKeyId.Substring(accessKeyId.Length - 4);
        }

        public override string ToString() => $"{MaskedAccessKeyId} ({Source}{(IsTemporary ? ", temporary" : string.Empty)})";
    }
}
