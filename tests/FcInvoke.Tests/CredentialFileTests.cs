// Both credential file formats (aliyun CLI config.json, the INI credentials file) as the official parsers read them.
// Long on purpose: one file per format family keeps each official rule next to its near cases.
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
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

        [Theory]
        [InlineData("false")]
        [InlineData("0")]
        [InlineData("1")]
        public void Ini_profile_with_enable_other_than_true_is_refused_when_used(string enable)
        {
            // credentials-go and @alicloud/credentials ignore 'enable' and would use the profile; credentials-java needs enable = true.
            var file = Ini("[default]\ntype = access_key\naccess_key_id = A\naccess_key_secret = " + Secret + "\nenable = " + enable + "\n");
            Assert.NotNull(file.Find("default"));
            var ex = Fails(() => ProfileCredentials.Resolve(file.Find("default"), NoEnvironment));
            Assert.Equal(FcCredentialFailure.InvalidFile, ex.Failure);
            Assert.Contains("line 1: profile 'default' has 'enable = " + enable + "'", ex.Message);
            foreach (var on in new[] { "true", "TRUE" })
                Assert.Equal("Profile 'default'", ProfileCredentials.Resolve(Ini("[default]\ntype = access_key\naccess_key_id = A\naccess_key_secret = s\nenable = " + on + "\n").Find("default"), NoEnvironment).Provider.Name);
        }

        [Fact]
        public void Cli_config_with_two_profiles_of_one_name_uses_the_first()
        {
            // aliyun-cli config/configuration.go GetProfile and the libraries' cli_profile getProfile return the first match.
            var file = Cli("{\"current\": \"dev\", \"profiles\": [" +
                           "{\"name\": \"dev\", \"mode\": \"AK\", \"access_key_id\": \"FIRST\", \"access_key_secret\": \"s\"}," +
                           "{\"name\": \"dev\", \"mode\": \"AK\", \"access_key_id\": \"SECOND\", \"access_key_secret\": \"s\"}," +
                           "{\"name\": \"hop\", \"mode\": \"ChainableRamRoleArn\", \"source_profile\": \"dev\", \"ram_role_arn\": \"acs:ram::1:role/r\"}]}");
            Assert.Equal("FIRST", file.Find("dev").Get("access_key_id"));
            Assert.Equal("FIRST", ProfileCredentials.Resolve(file.Find("dev"), NoEnvironment).Provider.LastCredential.AccessKeyId);
        }

        [Fact]
        public void Ini_sections_of_one_name_are_merged_and_a_later_key_wins()
        {
            // go-ini (default options) and npm ini 1.x both merge a repeated [section]; a repeated key keeps the last value.
            var file = Ini("[default]\ntype = access_key\naccess_key_id = FIRST\n[other]\ntype = sts\n[default]\naccess_key_id = SECOND\naccess_key_secret = s\n");
            Assert.Equal(2, file.Profiles.Count);
            var profile = file.Find("default");
            Assert.Equal(1, profile.Line);
            Assert.Equal(("access_key", "SECOND", "s"), (profile.Kind, profile.Get("access_key_id"), profile.Get("access_key_secret")));
        }

        [Theory]
        [InlineData("LTAI5tKey1234 ; ops laptop", "LTAI5tKey1234")]
        [InlineData("LTAI5tKey1234 # ops laptop", "LTAI5tKey1234")]
        [InlineData("LTAI5tKey1234\t;\tops laptop", "LTAI5tKey1234")]
        [InlineData("LTAI5tKey1234;ops", "LTAI5tKey1234")]
        [InlineData("LTAI5tKey1234#ops", "LTAI5tKey1234")]
        [InlineData("\"LTAI5tKey1234\"", "LTAI5tKey1234")]
        [InlineData("'LTAI5tKey1234'", "LTAI5tKey1234")]
        [InlineData("\"it's\"", "it's")]
        [InlineData("a\\b", "a\\b")]
        [InlineData("acs:ram::1:role/x", "acs:ram::1:role/x")]
        [InlineData("; only a comment", null)]
        public void Ini_inline_comments_end_a_value_as_in_the_official_parsers(string written, string read)
        {
            // go-ini v1.67.0 parser.go readValue: strings.IndexAny(line, "#;") ends the value; npm ini 1.3.8 unsafe(): the first
            // unescaped ';' or '#' ends it. Neither needs whitespace before the marker.
            Assert.Equal(read, Ini("[p]\naccess_key_id = " + written + "\n").Find("p").Get("access_key_id"));
        }

        [Theory]
        [InlineData("\"" + Secret + ";x\"")]
        [InlineData("\"" + Secret + "#x\"")]
        [InlineData("\"" + Secret + "\\n\"")]
        [InlineData("\"" + Secret + "\"x\"")]
        [InlineData(Secret + "\\;x")]
        [InlineData("\"" + Secret + "\" ; comment")]
        [InlineData(Secret + "\\")]
        public void Ini_values_the_official_parsers_read_differently_are_refused(string written)
        {
            var ex = Fails(() => Ini("[p]\ntype = access_key\naccess_key_secret = " + written + "\n"));
            Assert.Equal(FcCredentialFailure.InvalidFile, ex.Failure);
            Assert.Contains("line 3:", ex.Message);
            Assert.Contains("read differently", ex.Message);
        }

        [Fact]
        public void Ini_keys_and_types_and_cli_modes_are_case_sensitive_as_in_the_official_tools()
        {
            // go-ini, npm ini and credentials-java keep INI keys as written and compare types exactly; the aliyun CLI and the
            // libraries compare config.json modes exactly (the CLI normalizes only its --mode flag). config.json field names
            // are matched without case, as Go's encoding/json (the CLI's reader) does.
            var ini = Ini("[a]\nType = access_key\naccess_key_id = A\naccess_key_secret = s\n[b]\ntype = Access_Key\naccess_key_id = A\naccess_key_secret = s\n" +
                          "[c]\ntype = access_key\nAccess_Key_Id = A\naccess_key_secret = s\n");
            Assert.Contains("profile 'a' has no 'type'", Fails(() => ProfileCredentials.Resolve(ini.Find("a"), NoEnvironment)).Message);
            Assert.Contains("has type 'Access_Key'; the official tools compare it exactly: write 'access_key'", Fails(() => ProfileCredentials.Resolve(ini.Find("b"), NoEnvironment)).Message);
            Assert.Contains("has no 'access_key_id'", Fails(() => ProfileCredentials.Resolve(ini.Find("c"), NoEnvironment)).Message);
            var cli = Cli("{\"profiles\": [ {\"name\": \"p\", \"mode\": \"ak\", \"access_key_id\": \"A\", \"access_key_secret\": \"s\"}," +
                          " {\"name\": \"q\", \"Mode\": \"AK\", \"Access_Key_Id\": \"A\", \"access_key_secret\": \"s\"} ]}");
            Assert.Contains("has mode 'ak'; the official tools compare it exactly: write 'AK'", Fails(() => ProfileCredentials.Resolve(cli.Find("p"), NoEnvironment)).Message);
            Assert.Equal("A", ProfileCredentials.Resolve(cli.Find("q"), NoEnvironment).Provider.LastCredential.AccessKeyId);
        }

        [Fact]
        public void Cli_credentials_uri_mode_is_refused_with_the_reason()
        {
            // The aliyun CLI supports mode CredentialsURI; credentials-go/-java/-nodejs cli_profile do not (unsupported mode: next source).
            var file = Cli("{\"profiles\": [ {\"name\": \"u\", \"mode\": \"CredentialsURI\", \"credentials_uri\": \"http://127.0.0.1:1/?token=" + Secret + "\"} ]}");
            var ex = Fails(() => ProfileCredentials.Resolve(file.Find("u"), NoEnvironment));
            Assert.Equal(FcCredentialFailure.InvalidFile, ex.Failure);
            Assert.Contains("the aliyun CLI supports but the official credential libraries do not", ex.Message);
            Assert.Contains("ALIBABA_CLOUD_CREDENTIALS_URI", ex.Message);
        }

        [Fact]
        public void External_profiles_need_a_well_formed_process_command_and_never_show_it()
        {
            var file = Cli("{\"profiles\": [ {\"name\": \"none\", \"mode\": \"External\"}," +
                           " {\"name\": \"bad\", \"mode\": \"External\", \"process_command\": \"get-creds --token '" + Secret + "\"}," +
                           " {\"name\": \"ok\", \"mode\": \"External\", \"process_command\": \"get-creds --token " + Secret + "\"} ]}");
            Assert.Contains("has no 'process_command'", Fails(() => ProfileCredentials.Resolve(file.Find("none"), NoEnvironment)).Message);
            var ex = Fails(() => ProfileCredentials.Resolve(file.Find("bad"), NoEnvironment));
            Assert.Equal(FcCredentialFailure.InvalidFile, ex.Failure);
            Assert.Contains("profile 'bad': the process_command has an unclosed quote", ex.Message);
            var provider = ProfileCredentials.Resolve(file.Find("ok"), NoEnvironment).Provider;
            Assert.Equal("Profile 'ok' (External)", provider.Name);
            Assert.Null(provider.LastCredential); // nothing is run before a credential is needed
            Assert.DoesNotContain(Secret, provider.ToString());

            var disabled = new DictionaryEnvironment(new Dictionary<string, string> { [FcEnvironment.DisableExternalProcessVariable] = "1" });
            ex = Fails(() => ProfileCredentials.Resolve(file.Find("ok"), disabled));
            Assert.Equal(FcCredentialFailure.CredentialProcess, ex.Failure);
            Assert.Equal("FcCredentialProcessError", ex.ErrorId);
            Assert.Contains("ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS", ex.Message);
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
            foreach (var part in new[] { "ALIBABA_CLOUD_ACCESS_KEY_ID", "OIDC", "config.json' (no such file)", "credentials' (no such file)",
                                         "the ECS RAM role (ALIBABA_CLOUD_ECS_METADATA_DISABLED=true); ALIBABA_CLOUD_CREDENTIALS_URI (not set)" })
                Assert.Contains(part, ex.Message);
        }

        [Theory]
        [InlineData("1", "CLIKEY")]
        [InlineData("yes", "CLIKEY")]
        [InlineData("false", "CLIKEY")]
        [InlineData("true", "INIKEY")]
        [InlineData("TRUE", "INIKEY")]
        public void Cli_profile_is_disabled_only_by_true_in_any_case(string value, string used)
        {
            // credentials-go cli_profile.go: strings.ToLower(v) == "true"; credentials-java AuthUtils: Boolean.parseBoolean;
            // @alicloud/credentials cli_profile.ts: v.toLowerCase() === 'true'.
            WriteIni("[default]\ntype = access_key\naccess_key_id = INIKEY\naccess_key_secret = s\n");
            WriteCli("{\"current\": \"c\", \"profiles\": [{\"name\": \"c\", \"mode\": \"AK\", \"access_key_id\": \"CLIKEY\", \"access_key_secret\": \"s\"}]}");
            _variables[FcEnvironment.CliProfileDisabledVariable] = value;
            Assert.Equal(used, DefaultCredentialChain.Resolve(Environment).Provider.LastCredential.AccessKeyId);
        }

        [Fact]
        public void The_current_cli_profile_is_the_first_of_its_name()
        {
            WriteCli("{\"current\": \"c\", \"profiles\": [{\"name\": \"c\", \"mode\": \"AK\", \"access_key_id\": \"FIRST\", \"access_key_secret\": \"s\"}," +
                     "{\"name\": \"c\", \"mode\": \"AK\", \"access_key_id\": \"LAST\", \"access_key_secret\": \"s\"}]}");
            Assert.Equal("FIRST", DefaultCredentialChain.Resolve(Environment).Provider.LastCredential.AccessKeyId);
            Assert.Equal("FIRST", ProfileCredentials.FindNamed("c", Environment).Provider.LastCredential.AccessKeyId);
        }

        [Fact]
        public async Task The_credentials_uri_comes_after_the_ecs_role()
        {
            using var metadata = new LoopbackHttpServer(_ => (404, ""));  // no token, no role: not an ECS instance
            using var uri = new LoopbackHttpServer(_ => (200, CredentialsUriTests.Answer("URIKEY1", DateTimeOffset.UtcNow.AddHours(1))));
            _variables.Remove(EcsRamRoleProvider.DisabledVariable);
            _variables[EcsRamRoleProvider.EndpointVariable] = metadata.Url.ToString();
            _variables[FcEnvironment.CredentialsUriVariable] = uri.Url + "creds?user=ops";
            var provider = DefaultCredentialChain.Resolve(Environment).Provider;
            Assert.Equal(0, metadata.Requests + uri.Requests); // resolving the chain sends nothing
            var credential = await provider.GetCredentialAsync(CancellationToken.None);
            Assert.Equal("URIKEY1", credential.AccessKeyId);
            Assert.True(metadata.Requests >= 1);
            Assert.Equal(1, uri.Requests);
            Assert.Equal($"CredentialsUri '{uri.Url}creds?…'", provider.Name);
            await provider.GetCredentialAsync(CancellationToken.None);
            Assert.Equal(1, uri.Requests); // kept, and still fresh
        }

        [Fact]
        public async Task When_neither_the_ecs_role_nor_the_uri_answers_nothing_found_lists_both()
        {
            using var metadata = new LoopbackHttpServer(_ => (404, ""));
            using var uri = new LoopbackHttpServer(_ => (500, "{\"Message\": \"down\"}"));
            _variables.Remove(EcsRamRoleProvider.DisabledVariable);
            _variables[EcsRamRoleProvider.EndpointVariable] = metadata.Url.ToString();
            _variables[FcEnvironment.CredentialsUriVariable] = uri.Url + "creds";
            var ex = await Assert.ThrowsAsync<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment).Provider.GetCredentialAsync(CancellationToken.None));
            Assert.Equal(FcCredentialFailure.NotFound, ex.Failure);
            Assert.Contains("; the ECS RAM role (The ECS metadata service at 127.0.0.1:", ex.Message);
            Assert.Contains($"; ALIBABA_CLOUD_CREDENTIALS_URI (The credentials URI {uri.Url}creds answered HTTP 500.)", ex.Message);
        }

        [Fact]
        public void Ecs_metadata_disabled_as_1_stays_cautious_only_while_nothing_follows_it()
        {
            _variables[EcsRamRoleProvider.DisabledVariable] = "1";
            var ex = Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment));
            Assert.Equal(FcCredentialFailure.NotFound, ex.Failure);
            Assert.Contains("the ECS RAM role (ALIBABA_CLOUD_ECS_METADATA_DISABLED=1, read as true;", ex.Message);
            // With a source after it, reading "1" as true could give other credentials than the official libraries (which ask
            // the metadata service first): a plain value is asked for.
            _variables[FcEnvironment.CredentialsUriVariable] = "http://127.0.0.1:1/creds";
            ex = Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment));
            Assert.Equal(FcCredentialFailure.InvalidArgument, ex.Failure);
            Assert.Contains("Set it to true or false", ex.Message);
            _variables[EcsRamRoleProvider.DisabledVariable] = "True";
            Assert.StartsWith("CredentialsUri ", DefaultCredentialChain.Resolve(Environment).Provider.Name);
        }

        [Fact]
        public async Task Imdsv1_disabled_as_1_is_an_error_where_the_readings_would_differ()
        {
            using var metadata = new LoopbackHttpServer(r => r.HttpMethod == "PUT" ? (403, "") : (404, ""));  // IMDSv1 only
            using var uri = new LoopbackHttpServer(_ => (200, CredentialsUriTests.Answer("URIKEY2", DateTimeOffset.UtcNow.AddHours(1))));
            _variables.Remove(EcsRamRoleProvider.DisabledVariable);
            _variables[EcsRamRoleProvider.EndpointVariable] = metadata.Url.ToString();
            _variables[FcEnvironment.CredentialsUriVariable] = uri.Url + "creds";
            _variables[EcsRamRoleProvider.ImdsV1DisabledVariable] = "1";
            var ex = await Assert.ThrowsAsync<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment).Provider.GetCredentialAsync(CancellationToken.None));
            Assert.Equal(FcCredentialFailure.InvalidArgument, ex.Failure);
            Assert.Contains("ALIBABA_CLOUD_IMDSV1_DISABLED is '1'", ex.Message);
            Assert.Equal(0, uri.Requests);
            // "true" forbids IMDSv1 for everyone: the ECS source has nothing and the chain goes on, as in the official ones.
            _variables[EcsRamRoleProvider.ImdsV1DisabledVariable] = "true";
            Assert.Equal("URIKEY2", (await DefaultCredentialChain.Resolve(Environment).Provider.GetCredentialAsync(CancellationToken.None)).AccessKeyId);
        }

        [Fact]
        public async Task Deliberate_differences_stop_with_an_error_where_the_official_chains_fall_through()
        {
            // The official chains treat each of these as "this source has nothing" and go on to the next source (here the
            // INI file's [default]), which may be another account. FcInvoke stops and says why (docs/credentials.md).
            WriteIni("[default]\ntype = access_key\naccess_key_id = INIKEY\naccess_key_secret = s\n");

            WriteCli("{\"current\": \"gone\", \"profiles\": [{\"name\": \"dev\", \"mode\": \"AK\", \"access_key_id\": \"K\", \"access_key_secret\": \"s\"}]}");
            var ex = Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment));
            Assert.Equal(FcCredentialFailure.ProfileNotFound, ex.Failure);
            Assert.Contains("names 'gone' as its current profile", ex.Message);

            WriteCli("{\"current\": \"dev\", \"profiles\": [{\"name\": \"dev\" \"mode\": \"AK\"}]}");
            Assert.Equal(FcCredentialFailure.InvalidFile, Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment)).Failure);

            WriteCli("{\"current\": \"dev\", \"profiles\": [{\"name\": \"dev\", \"mode\": \"AK\", \"access_key_id\": \"K\"}]}");
            ex = Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment));
            Assert.Equal(FcCredentialFailure.InvalidFile, ex.Failure);
            Assert.Contains("has no 'access_key_secret'", ex.Message);

            File.Delete(Path.Combine(_home, ".aliyun", "config.json"));
            _variables[FcEnvironment.RoleArnVariable] = "acs:ram::42:role/r";
            _variables[FcEnvironment.OidcProviderArnVariable] = "acs:ram::42:oidc-provider/p";
            _variables[FcEnvironment.OidcTokenFileVariable] = Path.Combine(_home, "no-such-token");
            var oidc = DefaultCredentialChain.Resolve(Environment).Provider;
            ex = await Assert.ThrowsAsync<FcCredentialException>(() => oidc.GetCredentialAsync(CancellationToken.None));
            Assert.Equal(FcCredentialFailure.InvalidFile, ex.Failure);
            Assert.Contains("The OIDC token file", ex.Message);
        }

        [Fact]
        public void A_malformed_credentials_uri_is_refused_without_repeating_it()
        {
            _variables[FcEnvironment.CredentialsUriVariable] = "ftp://127.0.0.1/creds?token=s3cr3t-in-query";
            var ex = Assert.Throws<FcCredentialException>(() => DefaultCredentialChain.Resolve(Environment));
            Assert.Equal(FcCredentialFailure.InvalidArgument, ex.Failure);
            Assert.DoesNotContain("s3cr3t", ex.Message);
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
