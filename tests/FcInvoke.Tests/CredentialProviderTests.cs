// The credential providers (static, refreshing, STS, OIDC, ECS metadata) against loopback listeners. Long on purpose:
// the providers share the listener and environment helpers below; each test class is one provider or rule.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;
using Xunit;

namespace FcInvoke.Tests
{
    public class RpcSignatureTests
    {
        // The worked example of Alibaba Cloud's RPC signature (V1) documentation: DescribeRegions with
        // AccessKeyId "testid" and secret "testsecret". Verified by recomputing it independently:
        //   printf '%s' 'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26' \
        //     | openssl dgst -sha1 -hmac 'testsecret&' -binary | base64
        //   => OLeaidS1JvxuMvnyHOwuJ+uX5qY=
        private static readonly Dictionary<string, string> Example = new Dictionary<string, string>
        {
            ["Timestamp"] = "2016-02-23T12:46:24Z", ["Format"] = "XML", ["AccessKeyId"] = "testid", ["Action"] = "DescribeRegions",
            ["SignatureMethod"] = "HMAC-SHA1", ["SignatureNonce"] = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", ["SignatureVersion"] = "1.0", ["Version"] = "2014-05-26",
        };

        [Fact]
        public void Documented_example_string_to_sign_and_signature()
        {
            Assert.Equal("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
                RpcSigner.StringToSign("GET", Example));
            Assert.Equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", RpcSigner.Sign("GET", Example, "testsecret"));
        }

        [Fact]
        public void Signature_parameter_is_left_out_and_values_are_rfc3986_encoded()
        {
            var withSignature = new Dictionary<string, string>(Example) { ["Signature"] = "anything" };
            Assert.Equal(RpcSigner.Sign("GET", Example, "testsecret"), RpcSigner.Sign("GET", withSignature, "testsecret"));
            Assert.Equal("a=%20%2A~%2B", RpcSigner.CanonicalizedQuery(new Dictionary<string, string> { ["a"] = " *~+" }));
        }

        [Fact]
        public async Task AssumeRole_request_is_a_signed_form_post_with_the_token_of_temporary_callers()
        {
            var caller = new FcCredential("STS.caller", "callersecret", "callertoken", null, "Test");
            var form = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("RoleArn", "acs:ram::1:role/r"), new KeyValuePair<string, string>("RoleSessionName", "s n") };
            using var message = StsClient.BuildRequest(new Uri("http://127.0.0.1:9/"), "AssumeRole", form, caller, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "nonce1");
            Assert.Equal(HttpMethod.Post, message.Method);
            var query = EmulatorQuery(message.RequestUri.Query.TrimStart('?'));
            Assert.Equal("AssumeRole", query["Action"]);
            Assert.Equal("2015-04-01", query["Version"]);
            Assert.Equal("2026-01-02T03:04:05Z", query["Timestamp"]);
            Assert.Equal("callertoken", query["SecurityToken"]);
            var body = await message.Content.ReadAsStringAsync();
            Assert.Equal("RoleArn=acs%3Aram%3A%3A1%3Arole%2Fr&RoleSessionName=s%20n", body);
            var all = query.Where(q => q.Key != "Signature").Concat(EmulatorQuery(body));
            Assert.Equal(RpcSigner.Sign("POST", all, "callersecret"), query["Signature"]);
        }

        [Fact]
        public void AssumeRoleWithOIDC_is_anonymous()
        {
            using var message = StsClient.BuildRequest(new Uri("http://127.0.0.1:9/"), "AssumeRoleWithOIDC", new List<KeyValuePair<string, string>>(), null, DateTimeOffset.UtcNow, "n");
            var query = EmulatorQuery(message.RequestUri.Query.TrimStart('?'));
            Assert.False(query.ContainsKey("Signature"));
            Assert.False(query.ContainsKey("AccessKeyId"));
        }

        [Theory]
        [InlineData(null, null, null, "https://sts.aliyuncs.com/")]
        [InlineData(null, "cn-shanghai", null, "https://sts.cn-shanghai.aliyuncs.com/")]
        [InlineData(null, "cn-shanghai", "true", "https://sts-vpc.cn-shanghai.aliyuncs.com/")]
        [InlineData("sts-vpc.cn-hangzhou.aliyuncs.com", "cn-shanghai", null, "https://sts-vpc.cn-hangzhou.aliyuncs.com/")]
        [InlineData("http://127.0.0.1:8080", null, null, "http://127.0.0.1:8080/")]
        [InlineData(null, "cn-shanghai", "1", "https://sts.cn-shanghai.aliyuncs.com/")]  // only "true" turns it on, as in the official libraries
        [InlineData(null, "cn-shanghai", "TRUE", "https://sts-vpc.cn-shanghai.aliyuncs.com/")]
        public void Sts_endpoint_comes_from_the_variables(string endpoint, string region, string vpc, string expected)
        {
            var variables = new Dictionary<string, string>();
            if (endpoint != null) variables[StsEndpoint.EndpointVariable] = endpoint;
            if (region != null) variables[StsEndpoint.RegionVariable] = region;
            if (vpc != null) variables[StsEndpoint.VpcVariable] = vpc;
            Assert.Equal(expected, StsEndpoint.Resolve(new DictionaryEnvironment(variables)).ToString());
        }

        private static Dictionary<string, string> EmulatorQuery(string raw) =>
            PercentEncoding.ParseQuery(raw).ToDictionary(p => p.Key, p => p.Value);
    }

    public class RefreshingProviderTests
    {
        private sealed class CountingProvider : RefreshingCredentialProvider
        {
            private readonly Func<int, DateTimeOffset?> _expiry;
            private readonly TimeSpan _delay;
            private int _calls;
            public Exception FailWith;

            public CountingProvider(Func<int, DateTimeOffset?> expiry, TimeSpan delay = default) : base("Counting")
            {
                _expiry = expiry;
                _delay = delay;
            }

            protected override async Task<FcCredential> FetchAsync(IFcLog log, CancellationToken cancellationToken)
            {
                int n = Interlocked.Increment(ref _calls);
                if (_delay > TimeSpan.Zero) await Task.Delay(_delay, cancellationToken);
                if (FailWith != null) throw FailWith;
                return new FcCredential("STS.key" + n, "secret" + n, "token" + n, _expiry(n), Name);
            }
        }

        [Fact]
        public async Task Concurrent_callers_share_one_fetch()
        {
            var provider = new CountingProvider(_ => DateTimeOffset.UtcNow.AddHours(1), TimeSpan.FromMilliseconds(100));
            var all = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => provider.GetCredentialAsync(CancellationToken.None))));
            Assert.Equal(1, provider.FetchCount);
            Assert.All(all, c => Assert.Equal("STS.key1", c.AccessKeyId));
        }

        [Fact]
        public async Task Refreshes_three_minutes_ahead_once_for_all_callers()
        {
            var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var provider = new CountingProvider(n => now.AddHours(1), TimeSpan.FromMilliseconds(50)) { Clock = () => now };
            Assert.Equal("STS.key1", (await provider.GetCredentialAsync(CancellationToken.None)).AccessKeyId);
            now = now.AddMinutes(56);
            Assert.Equal("STS.key1", (await provider.GetCredentialAsync(CancellationToken.None)).AccessKeyId);
            now = now.AddMinutes(1.5); // 2.5 minutes before expiry
            var all = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => provider.GetCredentialAsync(CancellationToken.None))));
            Assert.Equal(2, provider.FetchCount);
            Assert.All(all, c => Assert.Equal("STS.key2", c.AccessKeyId));
        }

        [Theory]
        [InlineData(3600, 3420)]
        [InlineData(240, 120)]
        [InlineData(4, 2)]
        public void Short_lived_credentials_refresh_halfway(int lifetimeSeconds, int refreshAfterSeconds)
        {
            var now = DateTimeOffset.UtcNow;
            var credential = new FcCredential("STS.a", "s", "t", now.AddSeconds(lifetimeSeconds), "x");
            Assert.Equal(now.AddSeconds(refreshAfterSeconds), RefreshingCredentialProvider.RefreshTime(credential, now));
        }

        [Fact]
        public async Task A_failed_refresh_keeps_the_still_valid_credential_and_warns()
        {
            var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var provider = new CountingProvider(n => now.AddHours(1)) { Clock = () => now };
            await provider.GetCredentialAsync(CancellationToken.None);
            now = now.AddMinutes(58);
            provider.FailWith = new FcCredentialException(FcCredentialFailure.Sts, "STS is down");
            var log = new ListLog();
            Assert.Equal("STS.key1", (await provider.GetCredentialAsync(log, CancellationToken.None)).AccessKeyId);
            Assert.Contains(log.Warnings, w => w.Contains("STS is down"));
            now = now.AddMinutes(2.5); // expired: the failure surfaces
            await Assert.ThrowsAsync<FcCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));
        }

        private sealed class ListLog : IFcLog
        {
            public List<string> Warnings { get; } = new List<string>();
            public bool IsVerboseEnabled => true;
            public bool IsDebugEnabled => true;
            public void Verbose(string message) { }
            public void Debug(string message) { }
            public void Warning(string message) => Warnings.Add(message);
        }
    }

    public class CredentialSecrecyTests
    {
        [Fact]
        public void Credential_shows_only_a_masked_key_id()
        {
            var credential = new FcCredential("LTAI5tAbCdEfGh1234", "the-secret-value", "the-token-value", null, "Profile 'p'");
            Assert.Equal("**************1234 (Profile 'p', temporary)", credential.ToString());
            Assert.Equal("the-secret-value", credential.AccessKeySecret);
            Assert.Equal("the-token-value", credential.SecurityToken);
            Assert.DoesNotContain(typeof(FcCredential).GetProperties(), p => p.PropertyType == typeof(string) && p.GetMethod.IsPublic &&
                                                                               (p.GetValue(credential) as string)?.Contains("secret-value") == true);
        }

        [Fact]
        public void Context_exposes_no_secret_through_its_public_properties()
        {
            var context = new FcContext(new StaticCredentialProvider(new FcCredential("LTAI5tAbCdEfGh1234", "the-secret-value", "the-token-value", null, "Environment")),
                                        "cn-hangzhou", "1", null, false);
            foreach (var property in typeof(FcContext).GetProperties())
            {
                var text = Convert.ToString(property.GetValue(context)) ?? string.Empty;
                Assert.DoesNotContain("the-secret-value", text);
                Assert.DoesNotContain("the-token-value", text);
                Assert.DoesNotContain("LTAI5tAbCdEf", text);
            }
            Assert.Equal("**************1234", context.AccessKeyId);
        }

        [Theory]
        [InlineData("http://127.0.0.1:80/", true)]
        [InlineData("http://127.1.2.3/", true)]
        [InlineData("http://[::1]:8080/", true)]
        [InlineData("http://localhost:5000/", true)]
        [InlineData("http://100.100.100.200/", false)]
        [InlineData("https://sts.aliyuncs.com/", false)]
        [InlineData("https://123.cn-hangzhou.fc.aliyuncs.com/", false)]
        [InlineData("http://10.0.0.1/", false)]
        public void Loopback_guard_knows_loopback(string uri, bool loopback)
        {
            Assert.Equal(loopback, LoopbackGuardHandler.IsLoopback(new Uri(uri)));
        }
    }

    /// <summary>A small HTTP server on 127.0.0.1 (a random port) that answers every request with the handler's status and body.</summary>
    internal sealed class LoopbackHttpServer : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly Func<HttpListenerRequest, (int Status, string Body)> _handler;
        private int _requests;

        public LoopbackHttpServer(Func<HttpListenerRequest, (int Status, string Body)> handler)
        {
            _handler = handler;
            for (int attempt = 0; ; attempt++)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                int port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                _listener = new HttpListener();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    _listener.Start();
                    Url = new Uri($"http://127.0.0.1:{port}/");
                    break;
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                    _listener.Close(); // the port was taken meanwhile: another one
                }
            }
            _ = Task.Run(ServeAsync);
        }

        public Uri Url { get; }
        public int Requests => Volatile.Read(ref _requests);
        public List<string> Paths { get; } = new List<string>();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException || ex is ObjectDisposedException || ex is InvalidOperationException) { return; }
                lock (Paths) Paths.Add(context.Request.HttpMethod + " " + context.Request.RawUrl);
                Interlocked.Increment(ref _requests);
                var (status, body) = _handler(context.Request);
                var bytes = Encoding.UTF8.GetBytes(body ?? string.Empty);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes, 0, bytes.Length);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }

    internal sealed class ListLog : IFcLog
    {
        public List<string> Lines { get; } = new List<string>();
        public bool IsVerboseEnabled => true;
        public bool IsDebugEnabled => true;
        public void Verbose(string message) { lock (Lines) Lines.Add("VERBOSE: " + message); }
        public void Debug(string message) { lock (Lines) Lines.Add("DEBUG: " + message); }
        public void Warning(string message) { lock (Lines) Lines.Add("WARNING: " + message); }
        public string All { get { lock (Lines) return string.Join("\n", Lines); } }
    }

    public class CredentialsUriTests
    {
        private const string Secret = "uri-Secret-Never-Shown";
        private const string Token = "uri-Token-Never-Shown";

        /// <summary>The answer the official libraries and the aliyun CLI README describe.</summary>
        internal static string Answer(string keyId, DateTimeOffset expiration, string code = "Success") =>
            "{" + (code != null ? $"\"Code\": \"{code}\", " : "") + $"\"AccessKeyId\": \"{keyId}\", \"AccessKeySecret\": \"{Secret}\", " +
            $"\"SecurityToken\": \"{Token}\", \"Expiration\": \"{expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\"}}";

        [Fact]
        public async Task Answer_is_a_temporary_credential_refreshed_three_minutes_before_it_expires()
        {
            int n = 0;
            var expiry = DateTimeOffset.UtcNow.AddHours(1);
            using var server = new LoopbackHttpServer(_ => (200, Answer("URI.key" + Interlocked.Increment(ref n), expiry)));
            var now = DateTimeOffset.UtcNow;
            var provider = new CredentialsUriProvider(new Uri(server.Url, "/creds?token=query-secret")) { Clock = () => now };
            var log = new ListLog();
            var credential = await provider.GetCredentialAsync(log, CancellationToken.None);
            Assert.Equal(("URI.key1", Secret, Token, true), (credential.AccessKeyId, credential.AccessKeySecret, credential.SecurityToken, credential.IsTemporary));
            Assert.Equal(expiry.ToUnixTimeSeconds(), credential.Expiration.Value.ToUnixTimeSeconds());
            Assert.Equal(new[] { "GET /creds?token=query-secret" }, server.Paths);
            now = expiry.AddMinutes(-4);
            Assert.Equal("URI.key1", (await provider.GetCredentialAsync(log, CancellationToken.None)).AccessKeyId);
            now = expiry.AddMinutes(-2.5);
            Assert.Equal("URI.key2", (await provider.GetCredentialAsync(log, CancellationToken.None)).AccessKeyId);
            Assert.Equal(2, server.Requests);
            foreach (var secret in new[] { Secret, Token, "query-secret" })
            {
                Assert.DoesNotContain(secret, log.All);
                Assert.DoesNotContain(secret, provider.Name);
                Assert.DoesNotContain(secret, credential.ToString());
            }
        }

        [Theory]
        [InlineData("{\"AccessKeyId\": \"K\", \"AccessKeySecret\": \"S\", \"SecurityToken\": \"T\", \"Expiration\": \"2030-01-01T00:00:00Z\"}", null)]
        [InlineData("{\"AccessKeyId\": \"K\", \"SecurityToken\": 7, \"Expiration\": \"2030-01-01T00:00:00Z\"}", "without AccessKeySecret, SecurityToken")]
        [InlineData("{\"AccessKeyId\": \"K\", \"AccessKeySecret\": \"S\", \"SecurityToken\": \"T\", \"Expiration\": \"tomorrow\"}", "an Expiration that is not a UTC time")]
        [InlineData("[1]", "without AccessKeyId, AccessKeySecret, SecurityToken, Expiration")]
        public void The_temporary_credential_sts_ecs_and_uris_answer_is_read_whole_or_not_at_all(string json, string problem)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            var credential = StsClient.ReadTemporaryCredential(doc.RootElement, "Test", out var found);
            if (problem == null) Assert.Null(found);
            else Assert.StartsWith(problem, found);
            if (problem == null) Assert.Equal(("K", "S", "T", 2030), (credential.AccessKeyId, credential.AccessKeySecret, credential.SecurityToken, credential.Expiration.Value.Year));
            else Assert.Null(credential);
        }

        [Fact]
        public async Task An_answer_without_Code_is_accepted_as_by_credentials_go_and_nodejs()
        {
            using var server = new LoopbackHttpServer(_ => (200, Answer("URI.nocode", DateTimeOffset.UtcNow.AddHours(1), code: null)));
            Assert.Equal("URI.nocode", (await new CredentialsUriProvider(server.Url).GetCredentialAsync(CancellationToken.None)).AccessKeyId);
        }

        [Theory]
        [InlineData(500, "{\"Message\": \"" + Secret + "\"}", "answered HTTP 500.")]
        [InlineData(201, "CREATED", "answered HTTP 201.")]
        [InlineData(200, "not json " + Secret, "something other than JSON")]
        [InlineData(200, "[\"" + Secret + "\"]", "not an object")]
        [InlineData(200, "{\"Code\": \"Failed\", \"AccessKeyId\": \"K\", \"AccessKeySecret\": \"" + Secret + "\", \"SecurityToken\": \"" + Token + "\", \"Expiration\": \"2030-01-01T00:00:00Z\"}", "answered Code 'Failed', not 'Success'")]
        [InlineData(200, "{\"Code\": \"" + Secret + " x\"}", "answered Code '(not shown)'")]
        [InlineData(200, "{\"Code\": \"Success\", \"AccessKeyId\": \"K\", \"AccessKeySecret\": \"" + Secret + "\", \"Expiration\": \"2030-01-01T00:00:00Z\"}", "answered without SecurityToken.")]
        [InlineData(200, "{\"Code\": \"Success\", \"AccessKeyId\": \"K\", \"AccessKeySecret\": \"" + Secret + "\", \"SecurityToken\": \"" + Token + "\"}", "answered without Expiration.")]
        [InlineData(200, "{\"Code\": \"Success\", \"AccessKeyId\": \"K\", \"AccessKeySecret\": \"" + Secret + "\", \"SecurityToken\": \"" + Token + "\", \"Expiration\": \"soon\"}", "Expiration that is not a UTC time")]
        public async Task Failures_name_the_uri_without_its_query_and_show_nothing_of_the_answer(int status, string body, string problem)
        {
            using var server = new LoopbackHttpServer(_ => (status, body));
            var provider = new CredentialsUriProvider(new Uri(server.Url, "/creds?token=query-secret"));
            var ex = await Assert.ThrowsAsync<FcCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));
            Assert.Equal(FcCredentialFailure.CredentialsUri, ex.Failure);
            Assert.Equal("FcCredentialsUriError", ex.ErrorId);
            Assert.StartsWith($"The credentials URI {server.Url}creds?… ", ex.Message);
            Assert.Contains(problem, ex.Message);
            foreach (var secret in new[] { Secret, Token, "query-secret" }) Assert.DoesNotContain(secret, ex.Message);
        }

        [Fact]
        public async Task An_unreachable_uri_is_a_credentials_uri_failure()
        {
            int port;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop(); // nothing listens there now
            var ex = await Assert.ThrowsAsync<FcCredentialException>(() => new CredentialsUriProvider(new Uri($"http://127.0.0.1:{port}/creds")).GetCredentialAsync(CancellationToken.None));
            Assert.Equal(FcCredentialFailure.CredentialsUri, ex.Failure);
            Assert.Contains("could not be reached", ex.Message);
        }
    }

    public class ProcessCommandLineTests
    {
        [Theory]
        [InlineData("get-creds", new[] { "get-creds" })]
        [InlineData("  /opt/tool --profile  ops\t-v ", new[] { "/opt/tool", "--profile", "ops", "-v" })]
        [InlineData("tool 'a b' \"c d\" e\\ f", new[] { "tool", "a b", "c d", "e f" })]
        [InlineData("tool '' \"\" x", new[] { "tool", "", "", "x" })]
        [InlineData("tool 'it\\s' \"q\\\"q \\$HOME \\x\"", new[] { "tool", "it\\s", "q\"q $HOME \\x" })]
        [InlineData("tool a\\\nb", new[] { "tool", "ab" })]
        [InlineData("tool pre'mid'post", new[] { "tool", "premidpost" })]
        public void Splits_on_unix_like_the_cli(string command, string[] expected)
        {
            Assert.Equal(expected, ProcessCommandLine.Split(command, windows: false));
        }

        [Theory]
        [InlineData("C:\\tools\\cred.exe --x", new[] { "C:\\tools\\cred.exe", "--x" })]
        [InlineData("\"C:\\Program Files\\cred.exe\" \"say \\\"hi\\\"\"", new[] { "C:\\Program Files\\cred.exe", "say \"hi\"" })]
        public void Splits_on_windows_keeping_backslashes(string command, string[] expected)
        {
            Assert.Equal(expected, ProcessCommandLine.Split(command, windows: true));
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("tool 'open")]
        [InlineData("tool \"open")]
        [InlineData("tool trailing\\")]
        [InlineData("'' arg")]
        public void Refuses_what_the_cli_refuses(string command)
        {
            Assert.Throws<FormatException>(() => ProcessCommandLine.Split(command, windows: false));
        }

        [Theory]
        [InlineData(new[] { "a", "b c", "" }, "a \"b c\" \"\"")]
        [InlineData(new[] { "say \"hi\"" }, "\"say \\\"hi\\\"\"")]
        [InlineData(new[] { "C:\\dir\\", "x\\y" }, "C:\\dir\\ x\\y")]
        [InlineData(new[] { "C:\\my dir\\" }, "\"C:\\my dir\\\\\"")]
        public void Joins_for_windows_so_the_c_runtime_splits_it_back(string[] arguments, string expected)
        {
            Assert.Equal(expected, ProcessCommandLine.JoinForWindows(arguments));
        }
    }

    public class ExternalProcessTests : IDisposable
    {
        private const string Secret = "ext-Secret-Never-Shown";
        private const string Token = "ext-Token-Never-Shown";
        private const string What = "The process_command of profile 'ext' (/home/u/.aliyun/config.json, line 3)";
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "fcinvoke-ext-" + Guid.NewGuid().ToString("N"));

        public ExternalProcessTests() => Directory.CreateDirectory(_dir);
        public void Dispose() => Directory.Delete(_dir, true);

        private static FcCredential Parse(string output, ListLog log = null) => ExternalProcess.ParseOutput(output, What, "Profile 'ext' (External)", log);

        [Fact]
        public void Output_in_the_documented_json_makes_a_credential()
        {
            var ak = Parse("{\"mode\": \"AK\", \"access_key_id\": \"LTAIext1\", \"access_key_secret\": \"" + Secret + "\"}");
            Assert.Equal(("LTAIext1", Secret, false, (DateTimeOffset?)null), (ak.AccessKeyId, ak.AccessKeySecret, ak.IsTemporary, ak.Expiration));
            var sts = Parse("{\"mode\": \"StsToken\", \"access_key_id\": \"STS.ext1\", \"access_key_secret\": \"" + Secret + "\", \"sts_token\": \"" + Token + "\", \"expiration\": \"2030-01-02T03:04:05Z\"}\n");
            Assert.Equal(("STS.ext1", Token, true), (sts.AccessKeyId, sts.SecurityToken, sts.IsTemporary));
            Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), sts.Expiration);
            var log = new ListLog();
            Assert.Null(Parse("{\"mode\": \"StsToken\", \"access_key_id\": \"STS.ext1\", \"access_key_secret\": \"s\", \"sts_token\": \"t\", \"expiration\": \"" + Secret + "\"}", log).Expiration);
            Assert.Contains("not a UTC time", log.All);
            Assert.DoesNotContain(Secret, log.All);
        }

        [Theory]
        [InlineData("", "printed nothing on its standard output")]
        [InlineData("Password: " + Secret, "something other than JSON")]
        [InlineData("[\"" + Secret + "\"]", "not an object")]
        [InlineData("{\"access_key_id\": \"K\", \"access_key_secret\": \"" + Secret + "\"}", "printed no \"mode\"")]
        [InlineData("{\"mode\": \"" + Secret + "\", \"access_key_id\": \"K\", \"access_key_secret\": \"" + Secret + "\"}", "a \"mode\" other than \"AK\" or \"StsToken\"")]
        [InlineData("{\"mode\": \"RamRoleArn\", \"access_key_id\": \"K\", \"access_key_secret\": \"" + Secret + "\"}", "a \"mode\" other than")]
        [InlineData("{\"mode\": \"AK\", \"access_key_id\": \"K\"}", "mode \"AK\" without access_key_secret")]
        [InlineData("{\"mode\": \"StsToken\", \"access_key_id\": \"K\", \"access_key_secret\": \"" + Secret + "\"}", "mode \"StsToken\" without sts_token")]
        [InlineData("{\"mode\": \"AK\", \"access_key_id\": \"K\", \"access_key_secret\": \"" + Secret + "\", \"sts_token\": \"" + Token + "\"}", "mode \"AK\" with an sts_token")]
        public void Output_that_makes_no_credential_is_refused_without_showing_it(string output, string problem)
        {
            var ex = Assert.Throws<FcCredentialException>(() => Parse(output));
            Assert.Equal(FcCredentialFailure.CredentialProcess, ex.Failure);
            Assert.StartsWith(What, ex.Message);
            Assert.Contains(problem, ex.Message);
            Assert.DoesNotContain(Secret, ex.Message);
            Assert.DoesNotContain(Token, ex.Message);
        }

        /// <summary>A script for the platform's shell and the process_command that runs it.</summary>
        private string Script(string name, string unix, string windows)
        {
            if (Path.DirectorySeparatorChar == '\\')
            {
                var cmd = Path.Combine(_dir, name + ".cmd");
                File.WriteAllText(cmd, "@echo off\r\n" + windows.Replace("\n", "\r\n"));
                return $"cmd.exe /d /c \"{cmd}\"";
            }
            var sh = Path.Combine(_dir, name + ".sh");
            File.WriteAllText(sh, unix);
            return $"/bin/sh '{sh}'";
        }

        private ExternalProcessProvider Provider(string command) =>
            new ExternalProcessProvider("Profile 'ext' (External)", ProcessCommandLine.Split(command, Path.DirectorySeparatorChar == '\\'), What);

        private int Runs(string counter) => File.Exists(counter) ? File.ReadAllLines(counter).Length : 0;

        [Fact]
        public async Task Runs_the_command_without_input_and_again_before_the_expiration()
        {
            var json = Path.Combine(_dir, "out.json");
            var counter = Path.Combine(_dir, "runs.txt");
            var expiry = DateTimeOffset.UtcNow.AddHours(1);
            File.WriteAllText(json, "{\"mode\": \"StsToken\", \"access_key_id\": \"STS.run\", \"access_key_secret\": \"" + Secret + "\", \"sts_token\": \"" + Token +
                                    "\", \"expiration\": \"" + expiry.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + "\"}");
            // A prompt reads nothing (standard input is closed at once); the standard error is never shown.
            var command = Script("creds",
                $"echo run >> '{counter}'\nread answer\necho '{Secret} on stderr' >&2\ncat '{json}'\n",
                $"echo run>>\"{counter}\"\nset /p answer=\necho {Secret} on stderr 1>&2\ntype \"{json}\"\n");
            var now = DateTimeOffset.UtcNow;
            var provider = Provider(command);
            provider.Clock = () => now;
            var log = new ListLog();
            var credential = await provider.GetCredentialAsync(log, CancellationToken.None);
            Assert.Equal(("STS.run", Token), (credential.AccessKeyId, credential.SecurityToken));
            Assert.Equal(1, Runs(counter));
            now = expiry.AddMinutes(-4);
            await provider.GetCredentialAsync(log, CancellationToken.None);
            Assert.Equal(1, Runs(counter));
            now = expiry.AddMinutes(-2);
            await provider.GetCredentialAsync(log, CancellationToken.None);
            Assert.Equal(2, Runs(counter));
            Assert.Contains("running the profile's process_command", log.All);
            Assert.DoesNotContain(Secret, log.All);
            Assert.DoesNotContain(Token, log.All);
        }

        [Fact]
        public async Task An_access_key_without_expiration_is_kept_for_the_provider()
        {
            var json = Path.Combine(_dir, "ak.json");
            var counter = Path.Combine(_dir, "runs.txt");
            File.WriteAllText(json, "{\"mode\": \"AK\", \"access_key_id\": \"LTAIrun\", \"access_key_secret\": \"" + Secret + "\"}");
            var provider = Provider(Script("ak", $"echo run >> '{counter}'\ncat '{json}'\n", $"echo run>>\"{counter}\"\ntype \"{json}\"\n"));
            for (int i = 0; i < 3; i++) Assert.Equal("LTAIrun", (await provider.GetCredentialAsync(CancellationToken.None)).AccessKeyId);
            Assert.Equal(1, Runs(counter));
            Assert.Equal("ak:LTAIrun", provider.AccountCacheKey);
        }

        [Fact]
        public async Task A_failing_command_is_reported_by_its_exit_code_only()
        {
            var provider = Provider(Script("fail", $"echo '{Secret}'\necho 'token {Token}' >&2\nexit 3\n", $"echo {Secret}\necho token {Token} 1>&2\nexit /b 3\n"));
            var ex = await Assert.ThrowsAsync<FcCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));
            Assert.Equal("FcCredentialProcessError", ex.ErrorId);
            Assert.Equal(What + " exited with code 3. Its error output is not shown (it could hold a secret): run the command yourself to see it.", ex.Message);
        }

        [Fact]
        public async Task A_command_that_does_not_finish_is_stopped_at_the_time_limit()
        {
            var marker = Path.Combine(_dir, "started.txt");
            var provider = Provider(Script("hang", $"echo started > '{marker}'\nsleep 60\n", $"echo started>\"{marker}\"\nping -n 60 127.0.0.1 >nul\n"));
            provider.Timeout = TimeSpan.FromMilliseconds(300);
            var ex = await Assert.ThrowsAsync<FcCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));
            Assert.Equal(FcCredentialFailure.CredentialProcess, ex.Failure);
            Assert.Equal(What + " did not finish within 0.3 s and was stopped.", ex.Message);
        }

        [Fact]
        public async Task A_program_that_cannot_be_started_is_named_by_the_profile_only()
        {
            var provider = Provider(Path.Combine(_dir, "no-such-program") + " --token " + Secret);
            var ex = await Assert.ThrowsAsync<FcCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));
            Assert.Equal(FcCredentialFailure.CredentialProcess, ex.Failure);
            Assert.StartsWith(What + " could not be started", ex.Message);
            Assert.DoesNotContain(Secret, ex.Message);
            Assert.DoesNotContain(_dir, ex.Message);
            Assert.Null(ex.InnerException); // its message would name the program and the working directory
        }
    }
}
