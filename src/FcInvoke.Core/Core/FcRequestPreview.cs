using System;
using FcInvoke.Credentials;

namespace FcInvoke.Core
{
    /// <summary>
    /// The request a command would send, rendered for -WhatIf without sending anything: not to FC, nor to STS to look up
    /// an account id, nor to the metadata service or STS for a credential not yet fetched. What only the network could
    /// tell is shown as a placeholder that says where it would come from. Secrets are redacted as in -Debug.
    /// </summary>
    internal static class FcRequestPreview
    {
        // Stand-ins while rendering, replaced in the text: valid where they appear (a host label, a key id).
        private const string AccountStandIn = "fcinvoke-account-placeholder";
        private const string KeyStandIn = "FCINVOKEKEYPLACEHOLDER";

        public static string Describe(FcRequest request, FcConnectionPlan plan)
        {
            var accountUnknown = plan.Endpoint == null && string.IsNullOrEmpty(plan.AccountId);
            var previewPlan = new FcConnectionPlan
            {
                Credentials = plan.Credentials,
                Region = plan.Region,
                AccountId = accountUnknown ? AccountStandIn : plan.AccountId,
                Endpoint = plan.Endpoint,
                Internal = plan.Internal,
            };
            var connection = FcConnectionResolver.Connect(previewPlan);
            var known = plan.Credentials.LastCredential;
            var credential = known ?? new FcCredential(KeyStandIn, "placeholder", null, null, plan.Credentials.Name);
            string text;
            using (var message = FcRequestBuilder.Build(request, connection.Endpoint, credential, connection.AccountId, DateTimeOffset.UtcNow, FcRequestBuilder.NewNonce()))
            {
                text = FcRequestBuilder.Describe(message);
            }
            if (accountUnknown)
                text = text.Replace(AccountStandIn, "<account id: looked up with STS GetCallerIdentity when sent>");
            if (known == null)
                text = text.Replace(FcCredential.Mask(KeyStandIn), $"<AccessKey ID from {plan.Credentials.Name}, fetched when sent>");
            return text + Environment.NewLine + $"body: {request.Body?.Length ?? 0} bytes";
        }

        /// <summary>The stand-in origin of a trigger whose URL only ListTriggers could tell; <see cref="DescribeTrigger"/> replaces it.</summary>
        public static readonly Uri TriggerStandIn = new Uri("https://fcinvoke-trigger-placeholder.invalid/");

        /// <summary>
        /// A call to an HTTP trigger, for -WhatIf: signed as it would be (with the credential already fetched, else a stand-in
        /// key named by its source), secrets redacted. <paramref name="origin"/> replaces <see cref="TriggerStandIn"/> when the
        /// URL would be found with ListTriggers; <paramref name="authentication"/> is a line that says how the call would be
        /// authenticated when only the trigger's config could tell.
        /// </summary>
        public static string DescribeTrigger(FcRequest request, ICredentialProvider credentials, string origin = null, string authentication = null)
        {
            var messages = request.Messages;
            FcCredential credential = null;
            bool standIn = false;
            if (messages.NeedsCredential)
            {
                credential = credentials?.LastCredential;
                if (credential == null)
                {
                    credential = new FcCredential(KeyStandIn, "placeholder", null, null, credentials?.Name ?? "the credential chain");
                    standIn = true;
                }
            }
            string text;
            using (var message = messages.Create(request, FcConnection.ForTrigger(request.Origin, credentials), credential, DateTimeOffset.UtcNow))
            {
                text = FcRequestBuilder.Describe(message);
            }
            if (standIn)
                text = text.Replace(FcCredential.Mask(KeyStandIn), $"<AccessKey ID from {credentials?.Name ?? "the credential chain"}, fetched when sent>");
            if (origin != null) text = text.Replace(TriggerStandIn.GetLeftPart(UriPartial.Authority), origin);
            if (authentication != null) text += Environment.NewLine + "authorization: " + authentication;
            return text + Environment.NewLine + $"body: {request.Body?.Length ?? 0} bytes";
        }
    }
}
