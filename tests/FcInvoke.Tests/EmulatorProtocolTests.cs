using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using FcInvoke.Emulator;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>The emulator's strict HTTP head parser: anything a lenient parser could read two ways is refused.</summary>
    public class EmulatorHttpHeadTests
    {
        private static EmulatorHttpHead Parse(string head, out string problem)
        {
            var bytes = Encoding.ASCII.GetBytes(head);
            return EmulatorHttpHead.Parse(bytes, 0, bytes.Length, out problem);
        }

        [Fact]
        public void Parses_a_request_head_with_raw_path_query_and_repeated_headers()
        {
            var head = Parse("POST /2023-03-30/functions/a%24b/invocations?qualifier=prod&x=%20 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-Acs-Test: a\r\nx-acs-test:  b \r\nContent-Length: 5", out var problem);
            Assert.Null(problem);
            Assert.Equal("POST", head.Method);
            Assert.Equal("/2023-03-30/functions/a%24b/invocations", head.Path);
            Assert.Equal("qualifier=prod&x=%20", head.Query);
            Assert.Equal("a,b", head.Headers["X-ACS-TEST"]);
            Assert.Equal(new[] { "a", "b" }, head.Headers.Values("x-acs-test"));
            Assert.Equal(5, head.ContentLength);
            Assert.True(head.KeepAlive);
            Assert.True(head.HasBody);
        }

        [Theory]
        [InlineData("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked", "both")]
        [InlineData("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4", "differ")]
        [InlineData("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1", "not a number")]
        [InlineData("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked", "chunked")]
        [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded", "folded")]
        [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\u0000", "control")]
        [InlineData("GET / HTTP/1.1\r\nX-A: 1", "Host")]
        [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b", "Host")]
        [InlineData("GET http://x/ HTTP/1.1\r\nHost: h", "absolute path")]
        [InlineData("GET / HTTP/2.0\r\nHost: h", "HTTP/1.1")]
        [InlineData("get / HTTP/1.1\r\nHost: h", "method")]
        [InlineData("GET /a b HTTP/1.1\r\nHost: h", "request line")]
        [InlineData("GET / HTTP/1.1\r\nBad Name: 1\r\nHost: h", "header name")]
        public void Refuses_ambiguous_or_malformed_heads(string text, string reason)
        {
            Assert.Null(Parse(text, out var problem));
            Assert.Contains(reason, problem);
        }

        [Fact]
        public void Knows_chunked_bodies_keep_alive_rules_and_expectations()
        {
            var chunked = Parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\nExpect: 100-continue\r\nConnection: close", out _);
            Assert.True(chunked.IsChunked);
            Assert.True(chunked.HasBody);
            Assert.True(chunked.ExpectContinue);
            Assert.False(chunked.KeepAlive);
            var old = Parse("GET / HTTP/1.0", out var problem);
            Assert.Null(problem);
            Assert.False(old.KeepAlive);
            Assert.True(Parse("GET / HTTP/1.0\r\nConnection: keep-alive", out _).KeepAlive);
            Assert.False(Parse("GET / HTTP/1.1\r\nHost: h", out _).HasBody);
        }
    }

    /// <summary>Which paths are FC operations, and the names in them checked by Core's FcNames before anything runs.</summary>
    public class EmulatorRouteTests
    {
        private static EmulatorRoute Match(string method, string path) =>
            EmulatorRoute.Match(method, path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Select(s => FcInvoke.Core.PercentEncoding.Decode(s)).ToArray());

        [Theory]
        [InlineData("GET", "/2021-04-06/services", "ListServices")]
        [InlineData("GET", "/2021-04-06/services/s", "GetService")]
        [InlineData("GET", "/2021-04-06/services/s/functions", "ListFunctions")]
        [InlineData("GET", "/2021-04-06/services/s/functions/f", "GetFunction")]
        [InlineData("GET", "/2021-04-06/services/s/aliases", "ListAliases")]
        [InlineData("GET", "/2021-04-06/services/s/aliases/prod", "GetAlias")]
        [InlineData("GET", "/2021-04-06/services/s/versions", "ListVersions")]
        [InlineData("GET", "/2021-04-06/services/s/functions/f/triggers", "ListTriggers")]
        [InlineData("GET", "/2021-04-06/services/s/functions/f/triggers/t", "GetTrigger")]
        [InlineData("GET", "/2021-04-06/services/s/functions/f/async-invoke-config", "GetAsyncInvokeConfig")]
        [InlineData("GET", "/2021-04-06/services/s/functions/f/async-invoke-configs", "ListFunctionAsyncInvokeConfigs")]
        [InlineData("GET", "/2021-04-06/stateful-async-invocation-functions", "ListStatefulAsyncInvocationFunctions")]
        [InlineData("POST", "/2021-04-06/services/s/functions/f/invocations", "InvokeFunction")]
        [InlineData("GET", "/2021-04-06/services/s/functions/f/stateful-async-invocations", "ListAsyncTasks")]
        [InlineData("GET", "/2021-04-06/services/s/functions/f/stateful-async-invocations/t1", "GetAsyncTask")]
        [InlineData("PUT", "/2021-04-06/services/s/functions/f/stateful-async-invocations/t1", "StopAsyncTask")]
        [InlineData("GET", "/2023-03-30/functions", "ListFunctions")]
        [InlineData("GET", "/2023-03-30/functions/f", "GetFunction")]
        [InlineData("GET", "/2023-03-30/functions/f/aliases", "ListAliases")]
        [InlineData("GET", "/2023-03-30/functions/f/aliases/prod", "GetAlias")]
        [InlineData("GET", "/2023-03-30/functions/f/versions", "ListVersions")]
        [InlineData("GET", "/2023-03-30/functions/f/triggers", "ListTriggers")]
        [InlineData("GET", "/2023-03-30/functions/f/triggers/t", "GetTrigger")]
        [InlineData("GET", "/2023-03-30/functions/f/async-invoke-config", "GetAsyncInvokeConfig")]
        [InlineData("GET", "/2023-03-30/async-invoke-configs", "ListAsyncInvokeConfigs")]
        [InlineData("POST", "/2023-03-30/functions/f/invocations", "InvokeFunction")]
        [InlineData("GET", "/2023-03-30/functions/f/async-tasks", "ListAsyncTasks")]
        [InlineData("GET", "/2023-03-30/functions/f/async-tasks/t1", "GetAsyncTask")]
        [InlineData("PUT", "/2023-03-30/functions/f/async-tasks/t1/stop", "StopAsyncTask")]
        public void Matches_each_served_operation(string method, string path, string operation)
        {
            Assert.Equal(operation, Match(method, path).Operation.ToString());
        }

        [Theory]
        [InlineData("DELETE", "/2023-03-30/functions/f")]
        [InlineData("PUT", "/2023-03-30/functions/f/async-invoke-config")]
        [InlineData("GET", "/2023-03-30/functions/f/invocations")]
        [InlineData("GET", "/2023-03-30/services")]
        [InlineData("GET", "/2021-04-06/functions")]
        [InlineData("GET", "/2023-03-30/functions/f/async-tasks/t1/stop")]
        [InlineData("PUT", "/2021-04-06/services/s/functions/f/stateful-async-invocations/t1/stop")]
        [InlineData("GET", "/2016-08-15/services")]
        [InlineData("GET", "/")]
        public void Leaves_other_paths_and_methods_unmatched(string method, string path)
        {
            Assert.Null(Match(method, path));
        }

        [Theory]
        [InlineData("/2023-03-30/functions/f/invocations", "a%0D%0Ab")]
        [InlineData("/2023-03-30/functions/f/invocations", "a%00b")]
        [InlineData("/2023-03-30/functions/f/invocations", "caf%C3%A9")]
        [InlineData("/2023-03-30/functions/f/invocations", "..%2F..%2Fetc")]
        [InlineData("/2023-03-30/functions/f/invocations", "-prod")]
        [InlineData("/2023-03-30/functions/bad%20name/invocations", null)]
        [InlineData("/2023-03-30/functions/1abc/invocations", null)]
        [InlineData("/2021-04-06/services/-s/functions/f/invocations", null)]
        public void Checks_names_and_qualifiers_with_fcs_rules(string path, string encodedQualifier)
        {
            var route = Match("POST", path);
            var qualifier = encodedQualifier == null ? null : FcInvoke.Core.PercentEncoding.Decode(encodedQualifier);
            Assert.NotNull(route.CheckNames(qualifier));
        }

        [Fact]
        public void Checks_task_ids_and_the_length_of_a_qualifier()
        {
            Assert.NotNull(Match("GET", "/2023-03-30/functions/f/async-tasks/1abc").CheckNames(null));
            Assert.Null(Match("GET", "/2023-03-30/functions/f/async-tasks/task-1").CheckNames(null));
            Assert.NotNull(Match("POST", "/2023-03-30/functions/f/invocations").CheckNames(new string('a', 200)));
            Assert.Null(Match("POST", "/2023-03-30/functions/f/invocations").CheckNames("prod"));
        }
    }

    /// <summary>How qualifiers resolve to versions: declared aliases and versions only, once a function (or service) declares any.</summary>
    public class EmulatorVersioningTests
    {
        private static readonly EmulatorVersioning Declared = new EmulatorVersioning(new[]
        {
            new EmulatorAlias("prod", "2"),
            new EmulatorAlias("canary", "2", new Dictionary<string, double> { ["3"] = 0.25 }),
        });

        private static string Resolve(EmulatorVersioning versioning, string qualifier, double draw = 0.9)
        {
            var error = versioning.Resolve(qualifier, false, "fn", () => draw, out var version);
            return error == null ? version : error.Status + " " + error.Code;
        }

        [Fact]
        public void Aliases_resolve_to_their_versions_and_canary_weights_pick_the_extra_version()
        {
            Assert.Equal("2", Resolve(Declared, "prod"));
            Assert.Equal("3", Resolve(Declared, "canary", draw: 0.1));
            Assert.Equal("2", Resolve(Declared, "canary", draw: 0.3));
            Assert.Equal("LATEST", Resolve(Declared, "LATEST"));
            Assert.Equal("LATEST", Resolve(Declared, null));
            Assert.Equal("3", Resolve(Declared, "3"));
            Assert.Equal(new[] { "2", "3" }, Declared.Versions);
        }

        [Fact]
        public void Undeclared_aliases_and_versions_get_fcs_404s_once_anything_is_declared()
        {
            Assert.Equal("404 AliasNotFound", Resolve(Declared, "staging"));
            Assert.Equal("404 VersionNotFound", Resolve(Declared, "7"));
            Declared.Resolve("staging", true, "svc", () => 0, out _).Message.Contains("service 'svc'");
        }

        [Fact]
        public void With_nothing_declared_any_valid_qualifier_runs()
        {
            Assert.Equal("LATEST", Resolve(EmulatorVersioning.None, "staging"));
            Assert.Equal("12", Resolve(EmulatorVersioning.None, "12"));
        }

        [Theory]
        [InlineData("LATEST", "1", null, "LATEST")]
        [InlineData("1abc", "1", null, "version number")]
        [InlineData("12", "1", null, "version number")]
        [InlineData("prod", "LATEST", null, "published version")]
        [InlineData("prod", "1", "1", "major version")]
        [InlineData("prod", "1", "x", "not a version")]
        public void Declarations_follow_fcs_alias_rules(string name, string version, string weighted, string problem)
        {
            var weights = weighted == null ? null : new Dictionary<string, double> { [weighted] = 0.5 };
            Assert.Contains(problem, new EmulatorAlias(name, version, weights).Check());
        }

        [Fact]
        public void Weights_must_stay_within_one()
        {
            Assert.Contains("add up", new EmulatorAlias("a", "1", new Dictionary<string, double> { ["2"] = 0.6, ["3"] = 0.6 }).Check());
            Assert.Contains("outside", new EmulatorAlias("a", "1", new Dictionary<string, double> { ["2"] = 1.5 }).Check());
            Assert.Null(new EmulatorAlias("a", "1", new Dictionary<string, double> { ["2"] = 1.0 }).Check());
        }

        [Fact]
        public void Fc2_aliases_belong_to_the_service_and_must_agree_across_its_functions()
        {
            var same = new Dictionary<string, IReadOnlyList<EmulatorAlias>>
            {
                ["svc/a"] = new[] { new EmulatorAlias("prod", "1") },
                ["svc/b"] = new[] { new EmulatorAlias("prod", "1") },
            };
            Assert.Null(EmulatorFunctions.CheckAliases(same, new[] { "svc/a", "svc/b", "svc/c" }));
            var functions = new EmulatorFunctions(new Dictionary<string, string> { ["svc/a"] = "", ["svc/c"] = "" }, new Dictionary<string, IReadOnlyList<EmulatorAlias>> { ["svc/a"] = same["svc/a"] });
            Assert.True(functions.Find("svc", "c", out _).Versioning.IsDeclared);
            var differ = new Dictionary<string, IReadOnlyList<EmulatorAlias>>
            {
                ["svc/a"] = new[] { new EmulatorAlias("prod", "1") },
                ["svc/b"] = new[] { new EmulatorAlias("prod", "2") },
            };
            Assert.Contains("belong to the service", EmulatorFunctions.CheckAliases(differ, new[] { "svc/a", "svc/b" }));
            Assert.Contains("not one of the emulated functions", EmulatorFunctions.CheckAliases(same, new[] { "svc/a" }));
        }
    }
}
