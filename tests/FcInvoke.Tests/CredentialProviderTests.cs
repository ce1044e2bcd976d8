using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
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
        public void Sts_endpoint_comes_from_the_variables(string endpoint, string region, string vpc, string expected)
        {
            var variables = new Dictionary<string, string>();
            if (endpoint != null) variables[StsEndpoint.EndpointVariable] = endpoint;
            if (region != null) variables[StsEndpoint.RegionVariable] = region;
            if (vpc != null) variables[StsEndpoint.VpcVariable] = vpc;
            Assert.Equal(expected, StsEndpoint.Resolve(new DictionaryEnvironment(variables)).ToString());
        }

        private static Dictionary<string, string> EmulatorQuery(string raw) =>
            FcInvoke.Emulator.EmulatorAuthenticator.ParseQuery(raw).ToDictionary(p => p.Key, p => p.Value);
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
}
