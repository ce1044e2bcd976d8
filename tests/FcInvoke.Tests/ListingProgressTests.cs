using System;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;
using FcInvoke.TestFixtures;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>The one rule that makes every listing end (FcListingProgress), and ListTriggers keeping it.</summary>
    public class ListingProgressTests
    {
        [Fact]
        public void A_listing_progresses_while_its_tokens_are_new_and_ends_without_one()
        {
            var progress = new FcListingProgress();
            Assert.Null(progress.Stalled(100, "t1"));
            Assert.Null(progress.Stalled(100, "t2"));
            Assert.Null(progress.Stalled(3, null));
            Assert.Equal((3, 203L), (progress.Pages, progress.Items));
        }

        [Fact]
        public void A_token_returned_a_second_time_is_a_stall()
        {
            var progress = new FcListingProgress();
            Assert.Null(progress.Stalled(1, "a"));
            Assert.Null(progress.Stalled(1, "b"));
            Assert.Contains("returned the nextToken 'a' a second time (page 3)", progress.Stalled(1, "a"));
        }

        [Fact]
        public void Empty_pages_stall_only_when_they_come_in_a_row()
        {
            var progress = new FcListingProgress();
            for (int i = 1; i < FcListingProgress.MaxEmptyPagesInARow; i++) Assert.Null(progress.Stalled(0, "e" + i));
            Assert.Null(progress.Stalled(1, "full")); // an item in between starts the count again
            for (int i = 1; i < FcListingProgress.MaxEmptyPagesInARow; i++) Assert.Null(progress.Stalled(0, "f" + i));
            Assert.Contains($"returned {FcListingProgress.MaxEmptyPagesInARow} empty pages in a row", progress.Stalled(0, "last"));
        }

        [Fact]
        public async Task ListTriggers_that_repeats_its_token_is_stopped_after_the_second_page()
        {
            using var fixture = new RawHttpFixture(RawReply.Http(200, "{\"triggers\":[],\"nextToken\":\"same\"}"));
            var client = new FcClient(new FcConnection(FcEndpoint.FromUri(fixture.Endpoint), "1", "cn-hangzhou",
                new StaticCredentialProvider(new FcCredential("AK", "SECRET", null, null, "Test"))));
            var error = await Assert.ThrowsAsync<FcPagingException>(() =>
                FcTriggerDiscovery.FindAsync(client, new FcFunctionRef("web", null, null), false, new FcCallOptions(), NullFcLog.Instance, CancellationToken.None));
            Assert.Contains("ListTriggers of 'web' returned the nextToken 'same' a second time", error.Message);
            Assert.Equal(2, fixture.RequestCount);
        }
    }
}
