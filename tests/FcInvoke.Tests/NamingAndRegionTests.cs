using FcInvoke.Core;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>The 'service/function:qualifier' form (issue 14) and the close matches offered for an unknown region.</summary>
    public class NamingAndRegionTests
    {
        [Theory]
        [InlineData("echo", null, "echo", null)]
        [InlineData("svc/echo", "svc", "echo", null)]
        [InlineData("svc/echo:prod", "svc", "echo", "prod")]
        [InlineData("echo:3", null, "echo", "3")]
        [InlineData("orders$process", null, "orders$process", null)]
        public void Splits_the_form_tables_show(string name, string service, string function, string qualifier)
        {
            Assert.Null(FcFunctionName.Split(name, out var s, out var f, out var q));
            Assert.Equal(service, s);
            Assert.Equal(function, f);
            Assert.Equal(qualifier, q);
        }

        [Theory]
        [InlineData("a/b/c")]
        [InlineData("/echo")]
        [InlineData("svc/")]
        [InlineData("echo:")]
        public void Refuses_a_broken_form(string name)
        {
            Assert.Contains(name, FcFunctionName.Split(name, out _, out _, out _));
        }

        [Fact]
        public void Fills_the_parameters_not_given_and_refuses_a_disagreement()
        {
            Assert.Null(FcFunctionName.Resolve("svc/echo", null, "prod", out var fn));
            Assert.Equal(new FcFunctionRef("echo", "svc", "prod").ToString(), fn.ToString());
            Assert.True(fn.IsV2);
            Assert.Null(FcFunctionName.Resolve("svc/echo", "svc", null, out _));
            Assert.Contains("-ServiceName says 'other'", FcFunctionName.Resolve("svc/echo", "other", null, out _));
            Assert.Contains("-Qualifier says 'blue'", FcFunctionName.Resolve("echo:prod", null, "blue", out _));
        }

        [Fact]
        public void Offers_the_close_regions_of_a_typo_and_none_for_nonsense()
        {
            Assert.False(FcRegions.IsKnown("cn-hangzou"));
            Assert.True(FcRegions.IsKnown("CN-HANGZHOU"));
            Assert.Equal("cn-hangzhou", FcRegions.Closest("cn-hangzou")[0]);
            Assert.Equal("ap-southeast-1", FcRegions.Closest("ap-southeast-9")[0]);
            Assert.Empty(FcRegions.Closest("mars-north-1x"));
        }
    }
}
