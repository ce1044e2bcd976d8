using System;
using System.Management.Automation;
using System.Security;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Lets a SecureString parameter also take plain text (-SecurityToken $env:ALIBABA_CLOUD_SECURITY_TOKEN): the text
    /// becomes a read-only SecureString at binding, so from then on it is held like any other secret.
    /// </summary>
    internal sealed class SecretTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) => ToSecureString(inputData) ??
            throw new ArgumentTransformationMetadataException("Give the secret as a string or a SecureString.");

        /// <summary>A SecureString as it is; text as a read-only SecureString; anything else null.</summary>
        internal static SecureString ToSecureString(object value)
        {
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            switch (value)
            {
                case SecureString secure:
                    return secure;
                case string text:
                    var result = new SecureString();
                    foreach (var c in text) result.AppendChar(c);
                    result.MakeReadOnly();
                    return result;
                default:
                    return null;
            }
        }
    }
}
