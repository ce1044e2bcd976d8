using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>Short HTTP exchanges of the credential sources (STS, ECS metadata) over the shared client, each with its own time limit.</summary>
    internal static class CredentialHttp
    {
        public static async Task<(int Status, string Body)> SendAsync(HttpRequestMessage message, TimeSpan timeout, FcCredentialFailure failure,
                                                                     string what, CancellationToken cancellationToken, HttpClient http = null)
        {
            using (message)
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(timeout);
                try
                {
                    // ResponseContentRead: the body is read under the same time limit.
                    using (var answer = await (http ?? FcHttp.Client).SendAsync(message, HttpCompletionOption.ResponseContentRead, limit.Token).ConfigureAwait(false))
                    {
                        var body = answer.Content == null ? string.Empty : await answer.Content.ReadAsStringAsync().ConfigureAwait(false);
                        return ((int)answer.StatusCode, body);
                    }
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new FcCredentialException(failure, $"{what} did not answer within {timeout.TotalSeconds:0.#} s.", ex);
                }
                catch (Exception ex) when ((ex is HttpRequestException || ex is IOException) && !(ex is FcLoopbackViolationException))
                {
                    var innermost = ex;
                    while (innermost.InnerException != null) innermost = innermost.InnerException;
                    throw new FcCredentialException(failure, $"{what} could not be reached: {innermost.Message}", ex);
                }
            }
        }

        /// <summary>Removes any of the given secrets from text that came from elsewhere (a server's error message).</summary>
        public static string Scrub(string text, params string[] secrets)
        {
            if (string.IsNullOrEmpty(text)) return text;
            foreach (var secret in secrets)
                if (!string.IsNullOrEmpty(secret) && secret.Length >= 4) text = text.Replace(secret, "<redacted>");
            return text;
        }
    }

    /// <summary>Where STS is: a profile's sts_endpoint, $env:ALIBABA_CLOUD_STS_ENDPOINT, or sts[-vpc].{region}.aliyuncs.com.</summary>
    internal static class StsEndpoint
    {
        public const string EndpointVariable = "ALIBABA_CLOUD_STS_ENDPOINT";
        public const string RegionVariable = "ALIBABA_CLOUD_STS_REGION";
        public const string VpcVariable = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
        public const string DefaultHost = "sts.aliyuncs.com";

        /// <param name="endpoint">A host name or an http(s) URI; wins over everything.</param>
        public static Uri Resolve(IEnvironmentReader environment, string endpoint = null, string region = null, bool enableVpc = false)
        {
            endpoint = endpoint ?? environment.Get(EndpointVariable);
            if (!string.IsNullOrWhiteSpace(endpoint)) return Parse(endpoint.Trim());
            region = region ?? environment.Get(RegionVariable);
            bool vpc = enableVpc || FcEnvironment.IsTrue(environment.Get(VpcVariable));
            var host = string.IsNullOrEmpty(region) ? DefaultHost : $"{(vpc ? "sts-vpc" : "sts")}.{region}.aliyuncs.com";
            return new Uri("https://" + host + "/");
        }

        private static Uri Parse(string value)
        {
            if (value.IndexOf("://", StringComparison.Ordinal) < 0) value = "https://" + value;
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new FcCredentialException(FcCredentialFailure.InvalidArgument, $"The STS endpoint '{value}' is not a host name or an http(s) URI.");
            return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        }
    }

    /// <summary>What AssumeRole needs besides the caller's credential.</summary>
    internal sealed class StsRoleRequest
    {
        public string RoleArn { get; set; }
        public string RoleSessionName { get; set; }
        public int DurationSeconds { get; set; } = StsClient.DefaultDurationSeconds;
        public string Policy { get; set; }
        public string ExternalId { get; set; }

        /// <summary>The account in a role ARN (acs:ram::{account}:role/{name}), or null.</summary>
        public static string AccountOf(string roleArn)
        {
            var parts = (roleArn ?? string.Empty).Split(':');
            return parts.Length >= 5 && parts[0] == "acs" && parts[3].Length > 0 && parts[3].All(char.IsDigit) ? parts[3] : null;
        }

        public static string DefaultSessionName(IEnvironmentReader environment) =>
            environment.Get("ALIBABA_CLOUD_ROLE_SESSION_NAME") ??
            "fcinvoke-" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// STS (API 2015-04-01) over RPC: AssumeRole and GetCallerIdentity signed with signature V1,
    /// AssumeRoleWithOIDC unsigned (the OIDC token is the proof), each a POST with a form body.
    /// </summary>
    internal sealed class StsClient
    {
        public const string ApiVersion = "2015-04-01";
        public const int DefaultDurationSeconds = 3600;
        public const int MinimumDurationSeconds = 900;
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

        private readonly HttpClient _http;

        public StsClient(Uri endpoint, HttpClient http = null)
        {
            Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            _http = http;
        }

        public Uri Endpoint { get; }

        public async Task<FcCredential> AssumeRoleAsync(FcCredential caller, StsRoleRequest role, string source, IFcLog log, CancellationToken cancellationToken)
        {
            var form = RoleForm(role);
            form.Add(Pair("RoleArn", role.RoleArn));
            if (!string.IsNullOrEmpty(role.ExternalId)) form.Add(Pair("ExternalId", role.ExternalId));
            log?.Verbose($"STS AssumeRole {role.RoleArn} (session '{role.RoleSessionName}', {role.DurationSeconds} s) at {Endpoint.Host} as {caller.MaskedAccessKeyId}.");
            using (var json = await PostAsync("AssumeRole", form, caller, $"assume the role '{role.RoleArn}'", cancellationToken).ConfigureAwait(false))
                return ReadCredentials(json.RootElement, source, "AssumeRole");
        }

        public async Task<FcCredential> AssumeRoleWithOidcAsync(StsRoleRequest role, string providerArn, string oidcToken, string source,
                                                               IFcLog log, CancellationToken cancellationToken)
        {
            var form = RoleForm(role);
            form.Add(Pair("RoleArn", role.RoleArn));
            form.Add(Pair("OIDCProviderArn", providerArn));
            form.Add(Pair("OIDCToken", oidcToken));
            log?.Verbose($"STS AssumeRoleWithOIDC {role.RoleArn} (provider {providerArn}, session '{role.RoleSessionName}', {role.DurationSeconds} s) at {Endpoint.Host}.");
            using (var json = await PostAsync("AssumeRoleWithOIDC", form, null, $"assume the role '{role.RoleArn}' with OIDC", cancellationToken, oidcToken).ConfigureAwait(false))
                return ReadCredentials(json.RootElement, source, "AssumeRoleWithOIDC");
        }

        /// <summary>The account id the credential belongs to.</summary>
        public async Task<string> GetCallerAccountIdAsync(FcCredential caller, IFcLog log, CancellationToken cancellationToken)
        {
            log?.Verbose($"STS GetCallerIdentity at {Endpoint.Host} as {caller.MaskedAccessKeyId}, to learn the account id.");
            using (var json = await PostAsync("GetCallerIdentity", new List<KeyValuePair<string, string>>(), caller, "look up the caller's account id", cancellationToken).ConfigureAwait(false))
            {
                var account = String(json.RootElement, "AccountId");
                if (string.IsNullOrEmpty(account))
                    throw new FcCredentialException(FcCredentialFailure.Sts, $"STS GetCallerIdentity at {Endpoint.Host} answered without an AccountId.");
                return account;
            }
        }

        private static List<KeyValuePair<string, string>> RoleForm(StsRoleRequest role)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                Pair("RoleSessionName", role.RoleSessionName),
                Pair("DurationSeconds", role.DurationSeconds.ToString(CultureInfo.InvariantCulture)),
            };
            if (!string.IsNullOrEmpty(role.Policy)) form.Add(Pair("Policy", role.Policy));
            return form;
        }

        private static KeyValuePair<string, string> Pair(string name, string value) => new KeyValuePair<string, string>(name, value);

        /// <summary>The query (common parameters, signature) for a call; public so tests can check a signature against it.</summary>
        internal static List<KeyValuePair<string, string>> CommonParameters(string action, FcCredential caller, DateTimeOffset now, string nonce)
        {
            var query = new List<KeyValuePair<string, string>>
            {
                Pair("Action", action),
                Pair("Format", "JSON"),
                Pair("Version", ApiVersion),
                Pair("Timestamp", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            };
            if (caller != null)
            {
                query.Add(Pair("SignatureMethod", RpcSigner.Method));
                query.Add(Pair("SignatureVersion", RpcSigner.Version));
                query.Add(Pair("SignatureNonce", nonce));
                query.Add(Pair("AccessKeyId", caller.AccessKeyId));
                var token = caller.SecurityToken;
                if (token != null) query.Add(Pair("SecurityToken", token));
            }
            return query;
        }

        internal static HttpRequestMessage BuildRequest(Uri endpoint, string action, List<KeyValuePair<string, string>> form, FcCredential caller,
                                                        DateTimeOffset now, string nonce)
        {
            var query = CommonParameters(action, caller, now, nonce);
            if (caller != null)
                query.Add(Pair("Signature", RpcSigner.Sign("POST", query.Concat(form), caller.AccessKeySecret)));
            var message = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/?" + Encode(query)))
            {
                Content = new StringContent(Encode(form), Encoding.UTF8, "application/x-www-form-urlencoded"),
            };
            message.Headers.TryAddWithoutValidation("user-agent", FcRequestBuilder.UserAgent);
            message.Headers.TryAddWithoutValidation("accept", "application/json");
            return message;
        }

        private static string Encode(IEnumerable<KeyValuePair<string, string>> pairs) =>
            string.Join("&", pairs.Select(p => PercentEncoding.Encode(p.Key) + "=" + PercentEncoding.Encode(p.Value ?? string.Empty)));

        private async Task<JsonDocument> PostAsync(string action, List<KeyValuePair<string, string>> form, FcCredential caller, string what,
                                                   CancellationToken cancellationToken, string extraSecret = null)
        {
            var message = BuildRequest(Endpoint, action, form, caller, DateTimeOffset.UtcNow, Guid.NewGuid().ToString("N"));
            var (status, body) = await CredentialHttp.SendAsync(message, Timeout, FcCredentialFailure.Sts,
                $"STS ({Endpoint.GetLeftPart(UriPartial.Authority)}) {action}", cancellationToken, _http).ConfigureAwait(false);
            JsonDocument json = null;
            try { json = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body); }
            catch (JsonException) { json = null; }
            if (status == 200 && json != null) return json;

            string code = null, text = null, requestId = null;
            if (json != null)
            {
                using (json)
                {
                    code = String(json.RootElement, "Code");
                    text = String(json.RootElement, "Message");
                    requestId = String(json.RootElement, "RequestId");
                }
            }
            var detail = CredentialHttp.Scrub(text ?? "the answer was not STS JSON", caller?.AccessKeySecret, caller?.SecurityToken, extraSecret);
            throw new FcCredentialException(FcCredentialFailure.Sts,
                $"STS refused to {what}: HTTP {status} {code ?? "(no code)"}: {detail}" +
                (requestId != null ? $" (RequestId {requestId})" : string.Empty) + $" [{Endpoint.Host}]");
        }

        private FcCredential ReadCredentials(JsonElement root, string source, string action)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Credentials", out var c) || c.ValueKind != JsonValueKind.Object)
                throw new FcCredentialException(FcCredentialFailure.Sts,
                    $"STS {action} at {Endpoint.Host} answered without Credentials (AccessKeyId, AccessKeySecret, SecurityToken, Expiration).");
            return ReadTemporaryCredential(c, source, out var problem) ??
                   throw new FcCredentialException(FcCredentialFailure.Sts, $"STS {action} at {Endpoint.Host} answered Credentials {problem}.");
        }

        /// <summary>
        /// A temporary credential as STS, the ECS metadata service and credentials URIs write it (AccessKeyId, AccessKeySecret,
        /// SecurityToken, Expiration); null when it is incomplete, with what is wrong in <paramref name="problem"/> ("without
        /// SecurityToken", "an Expiration that is not ...") for a message that says who answered it.
        /// </summary>
        internal static FcCredential ReadTemporaryCredential(JsonElement element, string source, out string problem)
        {
            var id = String(element, "AccessKeyId");
            var secret = String(element, "AccessKeySecret");
            var token = String(element, "SecurityToken");
            var expirationText = String(element, "Expiration");
            var missing = new List<string>();
            if (string.IsNullOrEmpty(id)) missing.Add("AccessKeyId");
            if (string.IsNullOrEmpty(secret)) missing.Add("AccessKeySecret");
            if (string.IsNullOrEmpty(token)) missing.Add("SecurityToken");
            if (string.IsNullOrEmpty(expirationText)) missing.Add("Expiration");
            var expiration = ParseExpiration(expirationText);
            problem = missing.Count > 0 ? "without " + string.Join(", ", missing)
                : !expiration.HasValue ? "an Expiration that is not a UTC time like 2006-01-02T15:04:05Z"
                : null;
            return problem == null ? new FcCredential(id, secret, token, expiration, source) : null;
        }

        internal static DateTimeOffset? ParseExpiration(string value) =>
            DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when)
                ? when : (DateTimeOffset?)null;

        internal static string String(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString() : null;
    }
}
