using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>
    /// ALIBABA_CLOUD_CREDENTIALS_URI, the last source of the official default chains: an HTTP GET answered with
    /// JSON {"Code": "Success", "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}. The credential is
    /// temporary and refreshed before it expires, like the other temporary sources. The request goes through the
    /// shared client (so FCINVOKE_LOOPBACK_ONLY applies); the URI is shown without its query, which may hold a secret.
    /// </summary>
    internal sealed class CredentialsUriProvider : RefreshingCredentialProvider
    {
        /// <summary>The official libraries allow 5 s to connect and 10 s to read.</summary>
        internal static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
        private static readonly Regex PlainCode = new Regex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant);

        private readonly Uri _uri;

        public CredentialsUriProvider(Uri uri) : base($"CredentialsUri '{Display(uri)}'")
        {
            _uri = uri ?? throw new ArgumentNullException(nameof(uri));
        }

        /// <summary>The process-wide provider for a URI (one cache and one refresh for every command using it).</summary>
        public static ICredentialProvider For(string value, string origin)
        {
            var uri = Parse(value, origin);
            return CredentialProviderCache.GetOrAdd("uri|" + uri.AbsoluteUri, () => new CredentialsUriProvider(uri));
        }

        /// <summary>An absolute http(s) URI; the error does not repeat the value (its query may hold a secret).</summary>
        public static Uri Parse(string value, string origin)
        {
            if (!Uri.TryCreate(value ?? string.Empty, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument, $"{origin} is not an absolute http:// or https:// URI.");
            return uri;
        }

        /// <summary>Scheme, host, port and path; a query is replaced by "?…".</summary>
        public static string Display(Uri uri) => uri.GetLeftPart(UriPartial.Path) + (string.IsNullOrEmpty(uri.Query) ? string.Empty : "?…");

        protected override async Task<FcCredential> FetchAsync(IFcLog log, CancellationToken cancellationToken)
        {
            log?.Verbose($"{Name}: asking for a temporary credential.");
            var what = $"The credentials URI {Display(_uri)}";
            var request = new HttpRequestMessage(HttpMethod.Get, _uri);
            request.Headers.TryAddWithoutValidation("accept", "application/json");
            var (status, body) = await CredentialHttp.SendAsync(request, RequestTimeout, FcCredentialFailure.CredentialsUri, what, cancellationToken).ConfigureAwait(false);
            if (status != 200) throw Failure($"{what} answered HTTP {status}.");
            JsonDocument json;
            try { json = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "null" : body); }
            catch (JsonException) { throw Failure($"{what} answered HTTP 200 with something other than JSON."); }
            using (json)
            {
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw Failure($"{what} answered HTTP 200 with JSON that is not an object.");
                // credentials-java and the aliyun CLI require Code "Success"; credentials-go and @alicloud/credentials do not read it.
                // A Code that says otherwise is a failure; none at all is accepted.
                var code = StsClient.String(root, "Code");
                if (code != null && code != "Success")
                    throw Failure($"{what} answered Code '{(PlainCode.IsMatch(code) ? code : "(not shown)")}', not 'Success'.");
                return StsClient.ReadTemporaryCredential(root, Name, out var problem) ?? throw Failure($"{what} answered {problem}.");
            }
        }

        private static FcCredentialException Failure(string message) => new FcCredentialException(FcCredentialFailure.CredentialsUri, message);
    }
}
