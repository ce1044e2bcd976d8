using System;

namespace FcInvoke.Credentials
{
    /// <summary>Why credentials could not be had; each maps to a stable FullyQualifiedErrorId.</summary>
    internal enum FcCredentialFailure
    {
        /// <summary>No source in the chain had credentials (FcCredentialNotFound).</summary>
        NotFound,
        /// <summary>A profile named by -ProfileName or ALIBABA_CLOUD_PROFILE does not exist (FcProfileNotFound).</summary>
        ProfileNotFound,
        /// <summary>A credentials or config file is malformed or a profile lacks a field (FcCredentialFileInvalid).</summary>
        InvalidFile,
        /// <summary>STS refused or could not be reached (FcStsError).</summary>
        Sts,
        /// <summary>The ECS instance metadata service refused or could not be reached (FcEcsMetadataError).</summary>
        EcsMetadata,
        /// <summary>The parameters given cannot make a credential (FcCredentialInvalid).</summary>
        InvalidArgument,
        /// <summary>The credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI) refused, could not be reached or answered no credential (FcCredentialsUriError).</summary>
        CredentialsUri,
        /// <summary>A profile's process_command (aliyun CLI mode External) failed, timed out or printed no credential (FcCredentialProcessError).</summary>
        CredentialProcess,
    }

    /// <summary>No usable credential could be had; the message says what was tried and never contains a secret.</summary>
    public class FcCredentialException : Exception
    {
        internal FcCredentialException(string message, Exception inner = null)
            : this(FcCredentialFailure.NotFound, message, inner)
        {
        }

        internal FcCredentialException(FcCredentialFailure failure, string message, Exception inner = null) : base(message, inner)
        {
            Failure = failure;
        }

        internal FcCredentialFailure Failure { get; }

        /// <summary>The FullyQualifiedErrorId a cmdlet reports this failure with.</summary>
        public string ErrorId
        {
            get
            {
                switch (Failure)
                {
                    case FcCredentialFailure.ProfileNotFound: return FcErrorIds.ProfileNotFound;
                    case FcCredentialFailure.InvalidFile: return FcErrorIds.CredentialFileInvalid;
                    case FcCredentialFailure.Sts: return FcErrorIds.StsError;
                    case FcCredentialFailure.EcsMetadata: return FcErrorIds.EcsMetadataError;
                    case FcCredentialFailure.InvalidArgument: return FcErrorIds.CredentialInvalid;
                    case FcCredentialFailure.CredentialsUri: return FcErrorIds.CredentialsUriError;
                    case FcCredentialFailure.CredentialProcess: return FcErrorIds.CredentialProcessError;
                    default: return FcErrorIds.CredentialNotFound;
                }
            }
        }
    }
}
