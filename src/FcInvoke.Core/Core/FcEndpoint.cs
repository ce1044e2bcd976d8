using System;

namespace FcInvoke.Core
{
    /// <summary>Where FC requests go: the account endpoint for a region, its -internal (VPC) form, or an explicit base URI.</summary>
    internal sealed class FcEndpoint
    {
        private FcEndpoint(Uri baseUri, bool isExplicit)
        {
            BaseUri = baseUri;
            IsExplicit = isExplicit;
        }

        public Uri BaseUri { get; }
        public bool IsExplicit { get; }
        /// <summary>The Host header value, signed as 'host'.</summary>
        public string Host => BaseUri.IsDefaultPort ? BaseUri.Host : BaseUri.Host + ":" + BaseUri.Port;

        public static FcEndpoint ForAccount(string accountId, string region, bool useInternal)
        {
            if (string.IsNullOrWhiteSpace(accountId)) throw new ArgumentException("An account id is needed to address FC.", nameof(accountId));
            if (string.IsNullOrWhiteSpace(region)) throw new ArgumentException("A region is needed to address FC.", nameof(region));
            return new FcEndpoint(new Uri($"https://{accountId}.{region}{(useInternal ? "-internal" : string.Empty)}.fc.aliyuncs.com"), false);
        }

        public static FcEndpoint FromUri(Uri uri)
        {
            if (uri == null) throw new ArgumentNullException(nameof(uri));
            if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new FcInputException(FcErrorIds.EndpointUnknown,
                    $"The endpoint '{uri}' is not an absolute http:// or https:// address; give FC's base address or an emulator's (for example $emu.Endpoint).");
            return new FcEndpoint(uri, true);
        }

        /// <summary>The full request URI for a path (already percent-encoded) and query.</summary>
        public Uri Resolve(string pathAndQuery)
        {
            var basePath = BaseUri.AbsolutePath.TrimEnd('/');
            return new Uri(BaseUri.GetLeftPart(UriPartial.Authority) + basePath + pathAndQuery);
        }

        public override string ToString() => BaseUri.ToString();
    }
}
