using System;
using System.Linq;
using System.Text;
using FcInvoke.Commands;
using FcInvoke.Core;
using Xunit;

namespace FcInvoke.Tests
{
    public class CatalogJsonTests
    {
        private static FcResponse Utf8(string s) =>
            new FcResponse(200, new System.Collections.Generic.Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), Encoding.UTF8.GetBytes(s), TimeSpan.Zero, 1);

        [Fact]
        public void Maps_an_fc3_function_page_with_next_token()
        {
            var page = FcCatalogJson.ParseFunctionPage(Utf8(
                "{\"functions\":[{\"functionName\":\"resize\",\"functionArn\":\"acs:fc:cn-hangzhou:123:functions/resize\",\"runtime\":\"python3.10\"," +
                "\"handler\":\"index.handler\",\"timeout\":60,\"memorySize\":1024,\"cpu\":0.5,\"diskSize\":512,\"description\":\"Resizes\"," +
                "\"createdTime\":\"2023-04-01T08:15:27Z\",\"lastModifiedTime\":\"2024-05-06T07:08:09Z\",\"codeSize\":2048}],\"nextToken\":\"resize2\"}"), "ListFunctions",
                null, FcApiVersion.V20230330);
            var f = Assert.Single(page.Items);
            Assert.Equal("resize2", page.NextToken);
            Assert.Equal("resize", f.FunctionName);
            Assert.Null(f.ServiceName);
            Assert.Equal("python3.10", f.Runtime);
            Assert.Equal(60, f.Timeout);
            Assert.Equal(1024, f.MemorySize);
            Assert.Equal(0.5, f.Cpu);
            Assert.Equal(2048L, f.CodeSize);
            Assert.Equal("Resizes", f.Description);
            Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero), f.LastModifiedTime);
            Assert.Equal("2023-03-30", f.ApiVersion);
            Assert.Contains("\"functionArn\"", f.Json);
        }

        [Fact]
        public void Maps_an_fc2_function_with_compact_offset_times_and_no_next_token()
        {
            var page = FcCatalogJson.ParseFunctionPage(Utf8(
                "{\"functions\":[{\"functionId\":\"f-1\",\"functionName\":\"close\",\"runtime\":\"nodejs14\",\"timeout\":600," +
                "\"memorySize\":128,\"createdTime\":\"2016-08-15T15:00:00.000+0800\",\"lastModifiedTime\":\"2016-08-16T15:00:00.000+0000\"}]}"), "ListFunctions",
                "billing", FcApiVersion.V20210406);
            var f = Assert.Single(page.Items);
            Assert.Null(page.NextToken);
            Assert.Equal("billing", f.ServiceName);
            Assert.Equal("f-1", f.FunctionId);
            Assert.Equal(new DateTimeOffset(2016, 8, 15, 15, 0, 0, TimeSpan.FromHours(8)), f.CreatedTime);
            Assert.Equal(new DateTimeOffset(2016, 8, 16, 15, 0, 0, TimeSpan.Zero), f.LastModifiedTime);
            Assert.Equal(string.Empty, f.Description);
            Assert.Equal("billing/close", f.ToString());
        }

        [Fact]
        public void Tolerates_missing_fields_empty_next_token_and_other_casing()
        {
            var page = FcCatalogJson.ParseFunctionPage(Utf8("{\"Functions\":[{\"FunctionName\":\"x\",\"timeout\":\"not a number\"}],\"nextToken\":\"\"}"), "ListFunctions", null, FcApiVersion.V20230330);
            var f = Assert.Single(page.Items);
            Assert.Equal("x", f.FunctionName);
            Assert.Null(f.Timeout);
            Assert.Null(f.LastModifiedTime);
            Assert.Null(page.NextToken);
        }

        [Fact]
        public void Maps_services_aliases_and_versions()
        {
            var services = FcCatalogJson.ParseServicePage(Utf8("{\"services\":[{\"serviceName\":\"billing\",\"description\":\"d\",\"role\":\"acs:ram::1:role/x\",\"internetAccess\":false}],\"nextToken\":\"n\"}"), "ListServices");
            var s = Assert.Single(services.Items);
            Assert.Equal("billing", s.ServiceName);
            Assert.False(s.InternetAccess);
            Assert.Equal("n", services.NextToken);
            Assert.Equal(new[] { "prod", "beta" }, FcCatalogJson.ParseAliasPage(Utf8("{\"aliases\":[{\"aliasName\":\"prod\",\"versionId\":\"2\"},{\"aliasName\":\"beta\"}]}"), "ListAliases").Items);
            Assert.Equal(new[] { "3", "2" }, FcCatalogJson.ParseVersionPage(Utf8("{\"versions\":[{\"versionId\":\"3\"},{\"versionId\":\"2\"}],\"direction\":\"BACKWARD\"}"), "ListVersions").Items);
        }

        [Fact]
        public void Rejects_a_body_that_is_not_a_json_object()
        {
            var html = Assert.Throws<FcUnexpectedResponseException>(() => FcCatalogJson.ParseServicePage(Utf8("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad &amp; gateway</h1></body></html>"), "ListServices"));
            Assert.Equal("ListServices answered HTTP 200 with a body that is not JSON: \"502 Bad Gateway\".", html.Message);
            Assert.Equal("ListServices", html.Action);
            Assert.Throws<FcUnexpectedResponseException>(() => FcCatalogJson.ParseFunction(Utf8("[1,2]"), "GetFunction", null, FcApiVersion.V20230330));
        }

        [Fact]
        public void List_queries_and_catalog_paths_for_both_versions()
        {
            var v3 = new FcListQuery { Prefix = "job-", Limit = 500, NextToken = "t 1" }.ApplyTo(FcOperations.ListFunctions(null));
            Assert.Equal("/2023-03-30/functions?limit=100&nextToken=t%201&prefix=job-", v3.PathAndQuery);
            Assert.Equal("/2021-04-06/services/s/functions", FcOperations.ListFunctions("s").PathAndQuery);
            Assert.Equal("/2021-04-06/services/s", FcOperations.GetService("s").PathAndQuery);
            Assert.Equal("/2023-03-30/functions/f/aliases", FcOperations.ListAliases(new FcFunctionRef("f", null, null)).PathAndQuery);
            Assert.Equal("/2021-04-06/services/s/versions", FcOperations.ListVersions(new FcFunctionRef("f", "s", null)).PathAndQuery);
            Assert.Equal("/2023-03-30/functions/f?qualifier=prod", FcOperations.GetFunction(new FcFunctionRef("f", null, "prod")).PathAndQuery);
        }

        [Theory]
        [InlineData("job-*", "job-", true)]
        [InlineData("*", null, true)]
        [InlineData("job-[12]", "job-", false)]
        [InlineData("a?c*", "a", false)]
        public void Wildcard_names_narrow_by_literal_prefix(string pattern, string prefix, bool prefixOnly)
        {
            Assert.Equal(prefix, FcWildcardName.LiteralPrefix(pattern));
            Assert.Equal(prefixOnly, FcWildcardName.IsPrefixOnly(pattern));
        }

        [Fact]
        public void Regions_are_unique_and_well_formed()
        {
            var ids = FcRegions.All.Select(r => r.Key).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.All(ids, id => Assert.Matches("^[a-z]{2}-[a-z0-9-]+$", id));
            Assert.Contains("cn-hangzhou", ids);
        }
    }
}
