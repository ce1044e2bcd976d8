using System;
using System.Collections.Generic;
using System.IO;
using FcInvoke.Credentials;
using Xunit;

namespace FcInvoke.Tests
{
    public class CredentialFileTests
    {
        private const string Secret = "s3cr3t-Value-Never-Shown";
        private static readonly IEnvironmentReader NoEnvironment = new DictionaryEnvironment(new Dictionary<string, string>());

        private static CredentialFile Ini(string text) => CredentialFile.Parse("/home/u/.alibabacloud/credentials", ProfileFileFormat.Ini, text);
        private static CredentialFile Cli(string text) => CredentialFile.Parse("/home/u/.aliyun/config.json", ProfileFileFormat.CliConfig, text);

        private static FcCredentialException Fails(Action action)
        {
            var ex = Assert.Throws<FcCredentialException>(action);
            Assert.DoesNotContain(Secret, ex.Message);
            return ex;
        }

        [Fact]
        public void Ini_reads_sections_keys_comments_and_quotes()
        {
            var file = Ini("# comment\r\n; another\r\n\r\n[default]\r\ntype = access_key\r\naccess_key_id=AKID1\r\naccess_key_secret = \"" + Secret + "\"\r\nregion_id = cn-hangzhou\r\n[other]\ntype=sts\n");
            var profile = file.Find("default");
            Assert.Equal(4, profile.Line);
            Assert.Equal("access_key", profile.Kind);
            Assert.Equal("AKID1", profile.Get("access_key_id"));
            Assert.Equal(Secret, profile.Get("access_key_secret"));
            Assert.Equal("cn-hangzhou", profile.Region);
            Assert.Equal("sts", file.Find("other").Kind);
            Assert.Null(file.Find("missing"));
        }

        [Fact]
        public void Ini_profile_with_enable_false_counts_as_absent()
        {
            Assert.Null(Ini("[default]\ntype = access_key\nenable = false\n").Find("default"));
        }

        [Theory]
        [InlineData("[default\ntype = access_key\n", 1, "must end with ']'")]
        [InlineData("access_key_secret = " + Secret + "\n[default]\n", 1, "before any [section]")]
        [InlineData("[default]\ntype = access_key\n" + Secret + "\n", 3, "neither")]
        [InlineData("[default]\n= " + Secret + "\n", 2, "no key")]
        [InlineData("[ ]\n", 1, "no name")]
        public void Ini_malformed_lines_name_the_file_and_line_but_never_their_content(string text, int line, string problem)
        {
            var ex = Fails(() => Ini(text));
            Assert.Equal(FcCredentialFailure.InvalidFile, ex.Failure);
            Assert.Contains("'/home/u/.alibabacloud/credentials', line " + line + ":", ex.Message);
            Assert.Contains(problem, ex.Message);
        }

        [Fact]
        public void Cli_config_reads_current_and_profiles_with_their_lines()
        {
            var file = Cli("{\n  \"current\": \"dev\",\n  \"profiles\": [\n    {\n      \"name\": \"dev\",\n      \"mode\": \"AK\",\n      \"access_key_id\": \"AKID\",\n" +
                           "      \"access_key_secret\": \"" + Secret + "\",\n      \"expired_seconds\": 900,\n      \"enable_vpc\": true,\n      \"cloud_sso\": { \"x\": [1, 2] },\n      \"region_id\": \"cn-beijing\"\n    }\n  ],\n  \"meta_path\": \"\"\n}");
            Assert.Equal("dev", file.Current);
            var profile = Assert.Single(file.Profiles);
            Assert.Equal(4, profile.Line);
            Assert.Equal("AK", profile.Kind);
            Assert.Equal("900", profile.Get("expired_seconds"));
            Assert.Equal("true", profile.Get("enable_vpc"));
            Assert.Equal("cn-beijing", profile.Region);
        }

        [Theory]
        [InlineData("{\n \"profiles\": [ { \"name\": \"dev\", \"access_key_secret\": " + Secret + " } ]\n}", 2)]
        [InlineData("{\n \"current\": \"dev\",\n \"profiles\": [ { \"name\": \"dev\" \"mode\": \"AK\" } ]\n}", 3)]
        [InlineData("{\n \"current\": \"dev\",\n \"profiles\": [\n", 4)]
        [InlineData("{\n \"profiles\": [ \"" + Secret + "\" ]\n}", 2)]
        [InlineData("{\n \"profiles\": { }\n}", 2)]
        [InlineData("{\n \"profiles\": [\n { \"mode\": \"AK\" }\n ]\n}", 3)]
        [InlineData("", 1)]
        [InlineData("[]", 1)]
        public void Cli_config_malformed_json_names_the_file_and_line_but_no_content(string text, int line)
        {
            var ex = Fails(() => Cli(text));
            Assert.Equal(FcCredentialFailure.InvalidFile, ex.Failure);
            Assert.Contains("'/home/u/.aliyun/config.json', line " + line + ":", ex.Message);
        }

        [Fact]
        public void A_profile_missing_a_field_names_file_line_and_field()
        {
            var file = Ini("[default]\ntype = access_key\n\n[p]\ntype = ram_role_arn\naccess_key_id = A\naccess_key_secret = " + Secret + "\n");
            var ex = Fails(() => ProfileCredentials.Resolve(file.Find("p"), NoEnvironment));
            Assert.Contains("line 4: profile 'p' (type ram_role_arn) has no 'role_arn'", ex.Message);
            ex = Fails(() => ProfileCredentials.Resolve(file.Find("default"), NoEnvironment));
            Assert.Contains("has no 'access_key_id'", ex.Message);
        }

        [Fact]
        public void Unsupported_modes_and_source_profile_cycles_are_errors()
        {
            var file = Cli("{\"profiles\": [ {\"name\": \"sso\", \"mode\": \"CloudSSO\"}, {\"name\": \"a\", \"mode\": \"ChainableRamRoleArn\", \"source_profile\": \"b\", \"ram_role_arn\": \"acs:ram::1:role/r\"}," +
                           " {\"name\": \"b\", \"mode\": \"ChainableRamRoleArn\", \"source_profile\": \"a\", \"ram_role_arn\": \"acs:ram::1:role/r\"} ]}");
            Assert.Contains("mode 'CloudSSO', which FcInvoke does not support", Fails(() => ProfileCredentials.Resolve(file.Find("sso"), NoEnvironment)).Message);
            Assert.Contains("cycle", Fails(() => ProfileCredentials.Resolve(file.Find("a"), NoEnvironment)).Message);
        }

        [Theory]
        [InlineData("AK", "{\"access_key_id\": \"AKIDxxxx1234\", \"access_key_secret\": \"x\"}", false)]
        [InlineData("StsToken", "{\"access_key_id\": \"STS.xxxx1234\", \"access_key_secret\": \"x\", \"sts_token\": \"t\"}", true)]
        public void Static_modes_make_static_credentials(string mode, string fields, bool temporary)
        {
            var file = Cli("{\"profiles\": [ " + fields.Replace("{", "{\"name\": \"p\", \"mode\": \"" + mode + "\", ") + " ]}");
            var provider = ProfileCredentials.Resolve(file.Find("p"), NoEnvironment).Provider;
            Assert.Equal("Profile 'p'", provider.Name);
            Assert.Equal(temporary, provider.LastCredential.IsTemporary);
            Assert.EndsWith("1234", provider.LastCredential.AccessKeyId);
        }

        [Fact]
        public void Role_profiles_know_the_role_account_without_a_request()
        {
            var file = Ini("[r]\ntype = ram_role_arn\naccess_key_id = A\naccess_key_secret = S\nrole_arn = acs:ram::123456789:role/x\n");
            var provider = ProfileCredentials.Resolve(file.Find("r"), NoEnvironment).Provider;
            Assert.Equal("123456789", provider.KnownAccountId);
            Assert.Null(provider.LastCredential);
        }
    }

    public class DefaultChainTests : IDisposable
    {
        private readonly string _home = Path.Combine(Path.GetTempPath(), "fcinvoke-chain-" + Guid.NewGuid().ToString("N"));
        private readonly Dictionary<string, string> _variables = new Dictionary<string, string>();

        public DefaultChainTests()
        {
            Directory.CreateDirectory(_home);
            _variables["HOME"] = _home;
            _variables[EcsRamRoleProvider.DisabledVariable] = "true";
        }

        public void Dispose() => Directory.Delete(_home, true);

        private IEnvironmentReader Environment => new DictionaryEnvironment(_variables);

        private void WriteIni(string text)
        {
            Directory.CreateDirectory(Path.Combine(_home, ".alibabacloud"));
            File.WriteAllText(Path.Combine(_home, ".alibabacloud", "credentials"), text);
        }

        private void WriteCli(string text)
        {
            Directory.CreateDirectory(Path.Combine(_home, ".aliyun"));
            File.WriteAllText(Path.Combine(_home, ".aliyun", "config.json"), text);
        }

        [Fact]
        public void Order_is_environment_then_cli_config_then_ini()
        {
            WriteIni("[default]\ntype = access_key\naccess_key_id = INIKEY\naccess_key_secret = s\n");
            Assert.Equal("Profile 'default'", DefaultCredentialChain.Resolve(Environment).Provider.Name);
            WriteCli("{\"current\": \"c\", \"profiles\": [{\"name\": \"c\", \"mode\": \"AK\", \"access_key_id\": \"CLIKEY\", \"access_key_secret\": \"s\"}]}");
            Assert.Equal("Profile 'c'", DefaultCredentialChain.Resolve(Environment).Provider.Name);
            _variables[FcEnvironment.AccessKeyIdVariable] = "ENVKEY";
            _variables[FcEnvironment.AccessKeySecretVariable] = "s";
            Assert.Equal("Environment", DefaultCredentialChain.Resolve(Environment).Provider.Name);
        }

        [Fact]
        public void Oidc_variables_come_second_and_need_all_three()
        {
            _variables[FcEnvironment.RoleArnVariable] = "acs:ram::42:role/r";
            _variables[FcEnvironment.OidcProviderArnVariable] = "acs:ram::42:oidc-provider/p";
            var ex = Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment));
            Assert.Contains("OIDC (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE: not all set)", ex.Message);
            _variables[FcEnvironment.OidcTokenFileVariable] = Path.Combine(_home, "token");
            var provider = DefaultCredentialChain.Resolve(Environment).Provider;
            Assert.Equal("Oidc 'acs:ram::42:role/r'", provider.Name);
            Assert.Equal("42", provider.KnownAccountId);
        }

        [Fact]
        public void A_profile_named_by_the_environment_that_exists_nowhere_is_an_error()
        {
            WriteIni("[default]\ntype = access_key\naccess_key_id = INIKEY\naccess_key_secret = s\n");
            _variables[FcEnvironment.ProfileVariable] = "prod";
            var ex = Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment));
            Assert.Equal(FcCredentialFailure.ProfileNotFound, ex.Failure);
            Assert.Contains("'prod'", ex.Message);
        }

        [Fact]
        public void Named_profile_is_searched_in_both_files_and_never_falls_through()
        {
            WriteCli("{\"profiles\": [{\"name\": \"dev\", \"mode\": \"AK\", \"access_key_id\": \"K\", \"access_key_secret\": \"s\"}]}");
            WriteIni("[ops]\ntype = access_key\naccess_key_id = K2\naccess_key_secret = s\n");
            Assert.Equal("Profile 'ops'", ProfileCredentials.FindNamed("ops", Environment).Provider.Name);
            _variables[FcEnvironment.AccessKeyIdVariable] = "ENVKEY";
            _variables[FcEnvironment.AccessKeySecretVariable] = "s";
            var ex = Assert.Throws<FcCredentialException>(() => FcConnectionResolver.Plan(new FcConnectionRequest { ProfileName = "prod" }, Environment));
            Assert.Equal(FcCredentialFailure.ProfileNotFound, ex.Failure);
            Assert.Contains("profiles: dev", ex.Message);
            Assert.Contains("profiles: ops", ex.Message);
        }

        [Fact]
        public void Nothing_found_lists_every_source_tried()
        {
            var ex = Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment));
            Assert.Equal(FcCredentialFailure.NotFound, ex.Failure);
            foreach (var part in new[] { "ALIBABA_CLOUD_ACCESS_KEY_ID", "OIDC", "config.json' (no such file)", "credentials' (no such file)", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true" })
                Assert.Contains(part, ex.Message);
        }

        [Fact]
        public void Precedence_parameters_then_context_then_session_then_environment_then_profile()
        {
            WriteIni("[default]\ntype = access_key\naccess_key_id = INIKEY\naccess_key_secret = s\nregion_id = r-profile\naccount_id = 5\n");
            var session = new FcContext(new StaticCredentialProvider(new FcCredential("SESSIONKEY", "s", null, null, "Session")), "r-session", "3", null, false);
            var context = new FcContext(new StaticCredentialProvider(new FcCredential("CONTEXTKEY", "s", null, null, "Ctx")), "r-context", "2", new Uri("http://127.0.0.1:1/"), true);

            var plan = FcConnectionResolver.Plan(new FcConnectionRequest(), Environment);
            Assert.Equal(("Profile 'default'", "r-profile", "5"), (plan.Credentials.Name, plan.Region, plan.AccountId));
            _variables[FcEnvironment.RegionVariable] = "r-env";
            _variables[FcEnvironment.AccountIdVariable] = "4";
            plan = FcConnectionResolver.Plan(new FcConnectionRequest(), Environment);
            Assert.Equal(("r-env", "4"), (plan.Region, plan.AccountId));
            plan = FcConnectionResolver.Plan(new FcConnectionRequest { SessionContext = session }, Environment);
            Assert.Equal(("Session", "r-session", "3"), (plan.Credentials.Name, plan.Region, plan.AccountId));
            plan = FcConnectionResolver.Plan(new FcConnectionRequest { SessionContext = session, Context = context }, Environment);
            Assert.Equal(("Ctx", "r-context", "2", true), (plan.Credentials.Name, plan.Region, plan.AccountId, plan.Internal));
            Assert.Equal(new Uri("http://127.0.0.1:1/"), plan.Endpoint);
            plan = FcConnectionResolver.Plan(new FcConnectionRequest
            {
                SessionContext = session, Context = context, Region = "r-param", AccountId = "1", Internal = false,
                Credential = new FcCredential("PARAMKEY", "s", null, null, "Parameter"),
            }, Environment);
            Assert.Equal(("Parameter", "r-param", "1", false), (plan.Credentials.Name, plan.Region, plan.AccountId, plan.Internal));
        }
    }
}
