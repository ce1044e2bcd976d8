using System;
using System.Net;
using System.Security;

namespace FcInvoke.Credentials
{
    /// <summary>
    /// An AccessKey pair, optionally temporary (STS). The secret and token are kept in SecureStrings and turned into
    /// plain text only inside the module, for the moment a signature or header needs them; they never appear in
    /// ToString, formatting or serialization.
    /// </summary>
    internal sealed class FcCredential
    {
        private readonly SecureString _accessKeySecret;
        private readonly SecureString _securityToken;

        internal FcCredential(string accessKeyId, string accessKeySecret, string securityToken, DateTimeOffset? expiration, string source)
            : this(accessKeyId, Protect(accessKeySecret, nameof(accessKeySecret)),
                   string.IsNullOrEmpty(securityToken) ? null : Protect(securityToken, nameof(securityToken)), expiration, source)
        {
        }

        internal FcCredential(string accessKeyId, SecureString accessKeySecret, SecureString securityToken, DateTimeOffset? expiration, string source)
        {
            if (string.IsNullOrWhiteSpace(accessKeyId)) throw new FcCredentialException(FcCredentialFailure.InvalidArgument, "The AccessKey ID is empty.");
            if (accessKeySecret == null || accessKeySecret.Length == 0) throw new FcCredentialException(FcCredentialFailure.InvalidArgument, "The AccessKey secret is empty.");
            AccessKeyId = accessKeyId.Trim();
            _accessKeySecret = ReadOnlyCopy(accessKeySecret);
            _securityToken = securityToken == null || securityToken.Length == 0 ? null : ReadOnlyCopy(securityToken);
            Expiration = expiration;
            Source = source;
        }

        public string AccessKeyId { get; }
        /// <summary>The AccessKey ID with all but its last 4 characters masked.</summary>
        public string MaskedAccessKeyId => Mask(AccessKeyId);
        public bool IsTemporary => _securityToken != null;
        public DateTimeOffset? Expiration { get; }
        /// <summary>Where the credential came from, e.g. "Environment" or "Profile 'prod'".</summary>
        public string Source { get; }

        /// <summary>Plain text, made on each call for the signature that needs it; never store it.</summary>
        internal string AccessKeySecret => Reveal(_accessKeySecret);
        /// <summary>Plain text, made on each call for the header that needs it; never store it.</summary>
        internal string SecurityToken => _securityToken == null ? null : Reveal(_securityToken);

        public static string Mask(string accessKeyId)
        {
            if (string.IsNullOrEmpty(accessKeyId)) return string.Empty;
            return accessKeyId.Length <= 4 ? new string('*', accessKeyId.Length) : new string('*', accessKeyId.Length - 4) + accessKeyId.Substring(accessKeyId.Length - 4);
        }

        public override string ToString() => $"{MaskedAccessKeyId} ({Source}{(IsTemporary ? ", temporary" : string.Empty)})";

        private static SecureString Protect(string value, string name)
        {
            if (string.IsNullOrEmpty(value)) throw new FcCredentialException(FcCredentialFailure.InvalidArgument, $"The {(name == "securityToken" ? "security token" : "AccessKey secret")} is empty.");
            var secure = new SecureString();
            foreach (var c in value) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        private static SecureString ReadOnlyCopy(SecureString value)
        {
            if (value.IsReadOnly()) return value;
            var copy = value.Copy();
            copy.MakeReadOnly();
            return copy;
        }

        private static string Reveal(SecureString value) => new NetworkCredential(string.Empty, value).Password;
    }
}
