using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using FcInvoke.Credentials;

namespace FcInvoke.Core
{
    /// <summary>
    /// Makes each attempt of a request into an <see cref="HttpRequestMessage"/>: addressed and authenticated, with a fresh
    /// date (and nonce, where the scheme has one). <see cref="FcClient"/> calls it once per attempt and asks the connection
    /// for a credential first only when <see cref="NeedsCredential"/> says the scheme signs with one.
    /// </summary>
    internal interface IFcMessageFactory
    {
        /// <summary>Whether each attempt is signed with a credential (fetched afresh for every attempt).</summary>
        bool NeedsCredential { get; }

        /// <param name="credential">The current credential when <see cref="NeedsCredential"/>, else null.</param>
        HttpRequestMessage Create(FcRequest request, FcConnection connection, FcCredential credential, DateTimeOffset now);
    }

    /// <summary>FC's API calls: the connection's endpoint, ACS3-HMAC-SHA256 over the body's hash, a nonce, x-fc-account-id.</summary>
    internal sealed class FcApiMessages : IFcMessageFactory
    {
        public static readonly FcApiMessages Instance = new FcApiMessages();

        private FcApiMessages() { }

        public bool NeedsCredential => true;

        public HttpRequestMessage Create(FcRequest request, FcConnection connection, FcCredential credential, DateTimeOffset now) =>
            FcRequestBuilder.Build(request, connection.Endpoint, credential, connection.AccountId, now, FcRequestBuilder.NewNonce());
    }

    /// <summary>
    /// Turns an <see cref="FcRequest"/> into a signed <see cref="HttpRequestMessage"/>. Called once per attempt,
    /// so every retry carries a fresh date, nonce and signature.
    /// </summary>
    internal static class FcRequestBuilder
    {
        public static readonly string UserAgent = "FcInvoke/" + typeof(FcRequestBuilder).Assembly.GetName().Version.ToString(3) + " (PowerShell)";

        public static HttpRequestMessage Build(FcRequest request, FcEndpoint endpoint, FcCredential credential, string accountId,
                                               DateTimeOffset now, string nonce)
        {
            var headers = SignedHeaderValues(request, endpoint, credential, now, nonce);
            var authorization = Acs3Signer.BuildAuthorization(
                request.Method.Method, request.Path, request.Query, headers,
                request.Body?.Sha256Hex ?? Acs3Signer.EmptyPayloadHash,
                credential.AccessKeyId, credential.AccessKeySecret);

            var message = new HttpRequestMessage(request.Method, endpoint.Resolve(request.PathAndQuery));
            if (request.Body != null) message.Content = request.Body.CreateContent();
            foreach (var h in headers)
            {
                if (h.Key == "content-type") continue; // carried by the content itself
                if (h.Key == "host") { message.Headers.Host = h.Value; continue; }
                message.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }
            message.Headers.TryAddWithoutValidation("authorization", authorization);
            message.Headers.TryAddWithoutValidation("user-agent", UserAgent);
            if (!string.IsNullOrEmpty(accountId)) message.Headers.TryAddWithoutValidation("x-fc-account-id", accountId);
            foreach (var h in request.Headers) message.Headers.TryAddWithoutValidation(h.Key, h.Value);
            return message;
        }

        /// <summary>The headers that take part in the ACS3 signature, lower-case.</summary>
        public static List<KeyValuePair<string, string>> SignedHeaderValues(FcRequest request, FcEndpoint endpoint, FcCredential credential,
                                                                           DateTimeOffset now, string nonce)
        {
            var headers = new List<KeyValuePair<string, string>>(9)
            {
                new KeyValuePair<string, string>("host", endpoint.Host),
                new KeyValuePair<string, string>("x-acs-version", request.ApiVersion.ToWire()),
                new KeyValuePair<string, string>("x-acs-action", request.Action),
                new KeyValuePair<string, string>("x-acs-date", FormatDate(now)),
                new KeyValuePair<string, string>("x-acs-signature-nonce", nonce),
                new KeyValuePair<string, string>("x-acs-content-sha256", request.Body?.Sha256Hex ?? Acs3Signer.EmptyPayloadHash),
            };
            if (request.Body != null) headers.Add(new KeyValuePair<string, string>("content-type", request.Body.ContentType));
            if (credential.IsTemporary)
            {
                headers.Add(new KeyValuePair<string, string>("x-acs-accesskey-id", credential.AccessKeyId));
                headers.Add(new KeyValuePair<string, string>("x-acs-security-token", credential.SecurityToken));
            }
            return headers;
        }

        public static string FormatDate(DateTimeOffset now) =>
            now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        public static string NewNonce()
        {
            var bytes = new byte[16];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            return Acs3Signer.ToHex(bytes);
        }

        /// <summary>A secret-free rendering of a request for -WhatIf and -Debug: signature, token and key id redacted.</summary>
        public static string Describe(HttpRequestMessage message)
        {
            var lines = new List<string> { $"{message.Method} {message.RequestUri.AbsoluteUri}" };
            IEnumerable<KeyValuePair<string, IEnumerable<string>>> all = message.Headers;
            if (message.Content != null) all = all.Concat(message.Content.Headers);
            foreach (var h in all.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                var separator = string.Equals(h.Key, "User-Agent", StringComparison.OrdinalIgnoreCase) ? " " : ",";
                lines.Add($"{h.Key.ToLowerInvariant()}: {Redact(h.Key, string.Join(separator, h.Value))}");
            }
            return string.Join(Environment.NewLine, lines);
        }

        private static string Redact(string name, string value)
        {
            switch (name.ToLowerInvariant())
            {
                case "authorization":
                    if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return value.Substring(0, 7) + "<redacted>";
                    if (value.StartsWith("FC ", StringComparison.Ordinal) && value.IndexOf(':') > 3)
                        return "FC " + FcCredential.Mask(value.Substring(3, value.IndexOf(':') - 3)) + ":<redacted>";
                    var sig = value.IndexOf("Signature=", StringComparison.Ordinal);
                    var cred = value.IndexOf("Credential=", StringComparison.Ordinal);
                    if (sig < 0 || cred < 0) return "<redacted>";
                    var comma = value.IndexOf(',', cred);
                    var keyId = value.Substring(cred + 11, (comma < 0 ? value.Length : comma) - cred - 11);
                    return value.Substring(0, cred + 11) + FcCredential.Mask(keyId) + value.Substring(comma < 0 ? value.Length : comma, sig - (comma < 0 ? value.Length : comma)) + "Signature=<redacted>";
                case "x-acs-security-token":
                case "x-fc-security-token":
                    return "<redacted>";
                case "x-acs-accesskey-id":
                    return FcCredential.Mask(value);
                default:
                    return value;
            }
        }
    }
}
