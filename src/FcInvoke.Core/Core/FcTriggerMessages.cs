using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Credentials;

namespace FcInvoke.Core
{
    /// <summary>
    /// Makes each attempt of a trigger call: the URL as built, the caller's headers, the body, and the authentication:
    /// nothing (anonymous), "Authorization: Bearer" (JWT), FC's trigger signature over a fresh date (ACS3, or FC 2.0's
    /// "FC" signature on a /proxy/ path). Only a signed call asks for a credential.
    /// </summary>
    internal sealed class FcTriggerMessages : IFcMessageFactory
    {
        private readonly SecureString _token;

        public FcTriggerMessages(FcTriggerAuth auth, SecureString token, bool proxyPath)
        {
            Auth = auth;
            _token = token;
            ProxyPath = proxyPath;
            if (auth == FcTriggerAuth.Jwt && token == null) throw new ArgumentNullException(nameof(token));
        }

        public FcTriggerAuth Auth { get; }
        public bool ProxyPath { get; }
        public bool NeedsCredential => Auth == FcTriggerAuth.Signature;

        public HttpRequestMessage Create(FcRequest request, FcConnection connection, FcCredential credential, DateTimeOffset now)
        {
            var uri = request.TargetUri;
            var message = new HttpRequestMessage(request.Method, uri);
            if (request.Body != null) message.Content = request.Body.CreateContent();
            message.Headers.TryAddWithoutValidation("User-Agent", FcRequestBuilder.UserAgent);
            foreach (var h in request.Headers)
            {
                if (h.Key.StartsWith("content-", StringComparison.OrdinalIgnoreCase) && message.Content != null)
                    message.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
                else
                    message.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }
            switch (Auth)
            {
                case FcTriggerAuth.Jwt:
                    message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new NetworkCredential(string.Empty, _token).Password);
                    break;
                case FcTriggerAuth.Signature when ProxyPath:
                    var decodedQuery = request.Query;
                    var fcHeaders = request.Headers.Where(h => h.Key.StartsWith("x-fc-", StringComparison.OrdinalIgnoreCase));
                    foreach (var h in FcProxySignature.Headers(request.Method.Method, PercentEncoding.Decode(uri.AbsolutePath), decodedQuery,
                                                               request.Body?.Md5Hex, request.Body?.ContentType, fcHeaders, credential, now))
                        Add(message, h);
                    break;
                case FcTriggerAuth.Signature:
                    foreach (var h in FcTriggerSignature.Headers(request.Method.Method, uri.AbsolutePath, request.Query, credential, now))
                        Add(message, h);
                    break;
            }
            return message;
        }

        private static void Add(HttpRequestMessage message, KeyValuePair<string, string> header)
        {
            if (string.Equals(header.Key, "Content-MD5", StringComparison.OrdinalIgnoreCase))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value);
                return;
            }
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }
}
