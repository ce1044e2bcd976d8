// The wait at scale: the cost model alone, then the waiter against a scripted FC (listings that lag, fail, repeat tokens,
// lack fields; several functions and API versions). Long on purpose: the cases share the scripted FC below.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>
    /// The wait's cost model (FcTaskWaitPlanner) on its own, and the wait itself (FcAsyncTaskWaiter) against a scripted FC
    /// task API that can do what the emulator does not: listings without some fields, listings refused, paging that repeats
    /// a token. Every test checks the two promises: the tasks written are exactly what GetAsyncTask returns, and the reads
    /// stay within the expected budget.
    /// </summary>
    public class TaskWaitTests
    {
        private static readonly FcFunctionRef Fn = new FcFunctionRef("fn", null, null);

        // ---- The planner ----

        [Fact]
        public void The_common_prefix_of_ids()
        {
            Assert.Equal("batch-0001", FcTaskWaitPlanner.CommonPrefix(new[] { "batch-000101", "batch-000199", "batch-000150" }));
            Assert.Equal(string.Empty, FcTaskWaitPlanner.CommonPrefix(new[] { "a1", "b1" }));
            Assert.Equal("only", FcTaskWaitPlanner.CommonPrefix(new[] { "only" }));
            Assert.Equal(string.Empty, FcTaskWaitPlanner.CommonPrefix(new string[0]));
        }

        [Fact]
        public void Fewer_than_eight_unseen_tasks_are_read_one_by_one_and_more_are_looked_for_newest_first()
        {
            Assert.Null(FcTaskWaitPlanner.PlanDiscovery(Targets(7)));
            var plan = FcTaskWaitPlanner.PlanDiscovery(Targets(8));
            Assert.NotNull(plan);
            Assert.True(plan.NewestFirst);
            Assert.Equal("t-00000", plan.IdPrefix);
            Assert.Equal(1, plan.ExpectedPages);
            Assert.Equal(3, plan.MaxPages);
            var big = FcTaskWaitPlanner.PlanDiscovery(Targets(5000));
            Assert.Equal(50, big.ExpectedPages);
            Assert.Equal(101, big.MaxPages);
            var query = big.ToQuery(null, 100);
            Assert.True(query.IncludePayload);
            Assert.Equal(true, query.Descending);
            Assert.Equal("t-00", query.IdPrefix);
        }

        [Fact]
        public void Known_start_times_are_cut_where_a_page_of_other_tasks_lies_between()
        {
            // 40 pending tasks at t=1000..1039 and 40 at t=5000..5039; 150 other tasks at t=2000..2149 lie between.
            var timed = Timed(40, 1000, "a-").Concat(Timed(40, 5000, "b-")).ToList();
            var others = new FcTaskPopulation();
            for (int i = 0; i < 150; i++) others.Record("x-" + i, 2000 + i);
            var (listings, single) = FcTaskWaitPlanner.PlanKnown(timed, others);
            Assert.Empty(single);
            Assert.Equal(2, listings.Count);
            Assert.Equal(999, listings[0].StartedFrom);
            Assert.Equal(1040, listings[0].StartedTo);
            Assert.Equal("a-00", listings[0].IdPrefix);
            Assert.Equal(4999, listings[1].StartedFrom);

            // With only 99 between them, one listing covers both (the 99 cost at most one page more).
            others = new FcTaskPopulation();
            for (int i = 0; i < 99; i++) others.Record("x-" + i, 2000 + i);
            (listings, single) = FcTaskWaitPlanner.PlanKnown(timed, others);
            Assert.Single(listings);
            Assert.Equal(2, listings[0].ExpectedPages);
        }

        [Fact]
        public void A_segment_is_read_one_by_one_when_its_pages_would_cost_more_than_half_its_reads()
        {
            // 10 stragglers spread over 1,000 finished tasks: 11 pages against 10 reads.
            var timed = Enumerable.Range(0, 10).Select(i => Target("s-" + i, 1000 + i * 99, listed: true)).ToList();
            var others = new FcTaskPopulation();
            for (int i = 0; i < 1000; i++) others.Record("s-done-" + i, 1000 + i); // the same prefix: the listing cannot narrow them out
            var (listings, single) = FcTaskWaitPlanner.PlanKnown(timed, others);
            Assert.Empty(listings);
            Assert.Equal(10, single.Count);

            // Seven pending tasks are never listed, whatever the pages.
            (listings, single) = FcTaskWaitPlanner.PlanKnown(Timed(7, 1000, "a-"), new FcTaskPopulation());
            Assert.Empty(listings);
            Assert.Equal(7, single.Count);
        }

        [Fact]
        public void A_range_never_listed_counts_double()
        {
            // 250 tasks: 3 pages if the range was listed before, guessed as 6 (budget 7) if not.
            var known = FcTaskWaitPlanner.PlanKnown(Timed(250, 1000, "k-", listed: true), new FcTaskPopulation()).listings.Single();
            Assert.True(known.PopulationKnown);
            Assert.Equal(3, known.ExpectedPages);
            Assert.Equal(4, known.MaxPages);
            var guessed = FcTaskWaitPlanner.PlanKnown(Timed(250, 1000, "k-", listed: false), new FcTaskPopulation()).listings.Single();
            Assert.False(guessed.PopulationKnown);
            Assert.Equal(7, guessed.MaxPages);
            // Eight tasks never listed: one page guessed as two, still at most half of eight reads.
            Assert.Single(FcTaskWaitPlanner.PlanKnown(Timed(8, 1000, "g-", listed: false), new FcTaskPopulation()).listings);
        }

        [Fact]
        public void Many_pending_tasks_of_a_counted_range_are_listed_by_final_status_when_that_costs_fewer_pages()
        {
            var context = new FcTaskPlanContext { AllowStatusListings = true, ExpectedFinishing = 2 * 40 + 10, LikelyStatus = "Succeeded" };
            var others = new FcTaskPopulation();
            for (int i = 0; i < 150; i++) others.Record("k-0x" + i, 1100 + i, i < 120 ? "Succeeded" : "Failed");
            var plans = FcTaskWaitPlanner.PlanKnown(Timed(1000, 1000, "k-"), others, context).listings;
            // Every status: 1,150 tasks, 12 pages. By status: Succeeded 120 + 90 expected = 3, Failed 1, three empty: 7.
            Assert.Equal(FcTaskWaitPlanner.FinalStatuses, plans.Select(p => p.Status));
            Assert.Equal(new[] { 3, 1, 1, 1, 1 }, plans.Select(p => p.ExpectedPages));
            Assert.Equal("Succeeded", plans[0].ToQuery(null, 100).Status);

            // Not allowed (a full listing is due, or FC refused them), or not cheaper (100 tasks: 1 page against 5): every status.
            context.AllowStatusListings = false;
            Assert.Null(FcTaskWaitPlanner.PlanKnown(Timed(1000, 1000, "k-"), others, context).listings.Single().Status);
            context.AllowStatusListings = true;
            Assert.Null(FcTaskWaitPlanner.PlanKnown(Timed(100, 1000, "k-"), new FcTaskPopulation(), context).listings.Single().Status);
            // Never on a range not counted before.
            Assert.Null(FcTaskWaitPlanner.PlanKnown(Timed(1000, 1000, "k-", listed: false), new FcTaskPopulation(), context).listings.Single().Status);
        }

        [Fact]
        public void The_population_counts_by_time_range_and_prefix()
        {
            var p = new FcTaskPopulation();
            p.Record("a-1", 10); p.Record("a-2", 20); p.Record("b-1", 20); p.Record("a-3", 30);
            Assert.Equal(3, p.CountBetween(10, 20, null, exclusive: false));
            Assert.Equal(2, p.CountBetween(10, 20, "a-", exclusive: false));
            Assert.Equal(2, p.CountBetween(10, 30, null, exclusive: true));
            Assert.Equal(0, p.CountBetween(20, 21, null, exclusive: true));
            p.Record("a-1", 40);
            Assert.Equal(1, p.CountBetween(35, 45, null, exclusive: false));
        }

        [Fact]
        public void A_listed_task_is_complete_only_with_every_field_a_get_has()
        {
            var full = Parse(TaskJson(new FakeTask("t1", 1000, "Succeeded"), includePayload: true, omit: null));
            Assert.Null(FcAsyncTaskFields.Lacking(full, Parse(TaskJson(new FakeTask("t1", 1000, "Succeeded"), true, null))));
            var noEvents = Parse(TaskJson(new FakeTask("t1", 1000, "Succeeded"), true, new HashSet<string> { "events" }));
            Assert.Equal("Events", FcAsyncTaskFields.Lacking(noEvents, full));
            var noPayload = Parse(TaskJson(new FakeTask("t1", 1000, "Succeeded"), includePayload: false, omit: null));
            Assert.Equal("Payload", FcAsyncTaskFields.Lacking(noPayload, full));
            var laterDestination = Parse(TaskJson(new FakeTask("t1", 1000, "Succeeded") { Destination = "Succeeded" }, true, null));
            var firstDestination = Parse(TaskJson(new FakeTask("t1", 1000, "Succeeded") { Destination = "Failed" }, true, null));
            Assert.Null(FcAsyncTaskFields.Lacking(firstDestination, laterDestination));
        }

        // ---- The wait against a scripted FC ----

        [Fact]
        public async Task Finished_tasks_are_taken_from_one_listing_after_one_check_per_status()
        {
            var fc = new FakeTaskApi();
            fc.Add(50, "b-", "Succeeded");
            fc.Add(20, "b-", "Failed", firstIndex: 50);
            var outcome = await WaitAsync(fc, fc.Ids("b-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Equal(1, fc.Lists);
            Assert.Equal(2, fc.Gets); // one Succeeded and one Failed task, read to check the listing's fields
            Assert.Contains("prefix=b-", fc.ListQueries[0]);
            Assert.Contains("includePayload=true", fc.ListQueries[0]);
            Assert.Contains("sortOrderByTime=desc", fc.ListQueries[0]);
        }

        [Fact]
        public async Task Five_tasks_cost_five_reads()
        {
            var fc = new FakeTaskApi();
            fc.Add(5, "f-", "Succeeded");
            var outcome = await WaitAsync(fc, fc.Ids("f-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Equal(0, fc.Lists);
            Assert.Equal(5, fc.Gets);
        }

        [Fact]
        public async Task A_listing_without_a_field_the_get_has_makes_every_finished_task_a_read()
        {
            var fc = new FakeTaskApi { ListingOmits = { "events" } };
            fc.Add(30, "e-", "Succeeded");
            var outcome = await WaitAsync(fc, fc.Ids("e-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.All(outcome.Finished, t => Assert.NotEmpty(t.Events));
            Assert.Equal(1, fc.Lists);
            Assert.Equal(30, fc.Gets);
            Assert.Contains(outcome.Log, l => l.Contains("lacks") && l.Contains("Events"));
        }

        [Fact]
        public async Task A_refused_listing_falls_back_to_one_read_per_task_without_an_error()
        {
            var fc = new FakeTaskApi { ListingStatus = 403 };
            fc.Add(30, "r-", "Succeeded");
            var outcome = await WaitAsync(fc, fc.Ids("r-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Empty(outcome.Failed);
            Assert.Equal(1, fc.Lists);
            Assert.Equal(30, fc.Gets);
        }

        [Fact]
        public async Task A_listing_still_throttled_after_its_retries_gives_no_news_and_is_listed_again_next_round()
        {
            var fc = new FakeTaskApi { ThrottledListings = 4 }; // the first attempt and its 3 retries
            fc.Add(30, "t-", "Succeeded");
            var outcome = await WaitAsync(fc, fc.Ids("t-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Empty(outcome.Failed);
            Assert.Equal(5, fc.Lists);
            Assert.Equal(1, fc.Gets);
            Assert.Contains(outcome.Log, l => l.Contains("listed again next round"));
        }

        [Fact]
        public async Task A_listing_that_fails_three_rounds_in_a_row_gives_way_to_one_read_per_task()
        {
            var fc = new FakeTaskApi { ThrottledListings = 12 }; // three listings, each with its 3 retries
            fc.Add(30, "u-", "Succeeded");
            var outcome = await WaitAsync(fc, fc.Ids("u-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Empty(outcome.Failed);
            Assert.Equal(12, fc.Lists);
            Assert.Equal(30, fc.Gets);
        }

        [Fact]
        public async Task Paging_that_repeats_a_token_is_stopped_and_the_tasks_are_read_one_by_one()
        {
            var fc = new FakeTaskApi { RepeatToken = true };
            fc.Add(250, "p-", "Succeeded");
            var outcome = await WaitAsync(fc, fc.Ids("p-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Equal(2, fc.Lists); // the second page repeats the first page's token: no third
            Assert.Equal(250 - 200 + 1, fc.Gets); // the two pages' finished tasks were taken (one checked), the rest read
        }

        [Fact]
        public async Task A_task_missing_from_listings_is_never_taken_as_finished_and_is_read_after_two_misses()
        {
            var fc = new FakeTaskApi();
            fc.Add(30, "h-", "Succeeded");
            foreach (var id in fc.Ids("h-").Take(10)) fc.Hidden.Add(id);
            var outcome = await WaitAsync(fc, fc.Ids("h-").Concat(new[] { "h-missing" }).ToList());
            Assert.Equal(30, outcome.Finished.Count);
            outcome.AssertExactlyWhatGetsGive(fc);
            // Round 1 lists (20 shown, 1 checked); round 2 lists again and reads the 10 hidden ones and the unknown id.
            Assert.Equal(2, fc.Lists);
            Assert.Equal(1 + 10 + 1, fc.Gets);
            var failure = Assert.Single(outcome.Failed);
            Assert.Equal("h-missing", failure.target.TaskId);
            Assert.Equal(404, Assert.IsType<FcServiceException>(failure.error).StatusCode);
        }

        [Fact]
        public async Task Listings_that_miss_most_tasks_pause_and_the_wait_reads_one_by_one()
        {
            var fc = new FakeTaskApi();
            fc.Add(20, "l-", "Running");
            foreach (var id in fc.Ids("l-")) fc.Hidden.Add(id);
            fc.OnRequest = n => { if (n == 60) fc.SetAll("Succeeded"); };
            var outcome = await WaitAsync(fc, fc.Ids("l-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Contains(outcome.Log, l => l.Contains("lag behind"));
            // Per round: 20 reads; listings only in rounds 1, 2 and after each pause (2, then 4 rounds).
            Assert.True(fc.Lists <= 4, $"{fc.Lists} listings");
        }

        [Fact]
        public async Task Running_tasks_are_followed_in_the_listing_of_their_start_times()
        {
            var fc = new FakeTaskApi();
            fc.Add(120, "s-", "Running");
            fc.Add(300, "other-", "Succeeded", firstIndex: 1000, startedAt: 500); // unrelated and older
            fc.OnRequest = n => { if (n == 3) fc.SetAll("Succeeded", "s-"); };
            var outcome = await WaitAsync(fc, fc.Ids("s-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            // Round 1: 2 pages newest first find all 120; round 2: their time range, 2 pages; one check.
            Assert.Equal(4, fc.Lists);
            Assert.Equal(1, fc.Gets);
            Assert.Contains(fc.ListQueries, q => q.Contains("startedTimeBegin=") && q.Contains("startedTimeEnd=") && !q.Contains("sortOrderByTime"));
        }

        [Fact]
        public async Task Many_running_tasks_are_followed_by_listings_of_finished_ones_with_a_full_listing_every_eighth_round()
        {
            var fc = new FakeTaskApi();
            fc.Add(1000, "r-", "Running");
            fc.OnRequest = n => { if (n == 56) fc.SetAll("Succeeded"); };
            var outcome = await WaitAsync(fc, fc.Ids("r-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            var q = fc.ListQueries;
            // Round 1: 10 pages newest first. Rounds 2 to 8: five listings of finished tasks each (one page each, all empty).
            Assert.All(q.Take(10), x => Assert.Contains("sortOrderByTime=desc", x));
            Assert.All(q.Skip(10).Take(35), x => Assert.Contains("status=", x));
            Assert.Equal(new[] { "Succeeded", "Failed", "Stopped", "Expired", "Invalid" },
                         q.Skip(10).Take(5).Select(x => System.Text.RegularExpressions.Regex.Match(x, "status=([A-Za-z]+)").Groups[1].Value));
            // Round 9: every status again (10 pages); round 10 finds all 1,000 finished among the Succeeded ones.
            Assert.All(q.Skip(45).Take(10), x => Assert.DoesNotContain("status=", x));
            Assert.All(q.Skip(55), x => Assert.Contains("status=", x));
            Assert.Equal(1, fc.Gets);
            Assert.Equal(55 + 10, fc.Lists); // the Succeeded listing of round 10 is 10 pages; the others are not asked: all were shown
        }

        [Fact]
        public async Task A_status_filter_fc_refuses_gives_way_to_listing_every_status()
        {
            var fc = new FakeTaskApi { RefusedStatuses = { "Stopped" } };
            fc.Add(1000, "x-", "Running");
            fc.OnRequest = n => { if (n == 13) fc.SetAll("Succeeded"); };
            var outcome = await WaitAsync(fc, fc.Ids("x-"));
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Empty(outcome.Failed);
            var q = fc.ListQueries;
            // Round 1: 10 pages. Round 2: Succeeded and Failed (empty), Stopped refused, then every status: 10 pages.
            Assert.Contains("status=Stopped", q[12]);
            Assert.All(q.Skip(13).Take(10), x => Assert.DoesNotContain("status=", x));
            Assert.DoesNotContain(q.Skip(13), x => x.Contains("status="));
            Assert.Equal(1, fc.Gets);
        }

        [Fact]
        public async Task Tasks_of_other_functions_and_api_versions_are_waited_for_side_by_side()
        {
            var fc = new FakeTaskApi();
            fc.Add(20, "m-", "Succeeded");
            fc.Add(20, "m-", "Failed", firstIndex: 20, function: "other");
            fc.Add(20, "m-", "Succeeded", firstIndex: 40, function: "svc/v2fn");
            var targets = fc.Tasks.Select(t => new FcTaskWaitTarget(t.Function, t.Id, t.Id)).ToList();
            var outcome = await WaitAsync(fc, targets);
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Equal(60, outcome.Finished.Count);
            Assert.Equal(3, fc.Lists);
            Assert.Equal(3, fc.Gets);
            Assert.Contains(fc.ListQueries, q => q.StartsWith("/2021-04-06/services/svc/functions/v2fn/stateful-async-invocations?") && q.Contains("invocationIdPrefix=m-"));
            Assert.All(outcome.Finished.Where(t => t.ServiceName == "svc"), t => Assert.Equal("2021-04-06", t.ApiVersion));
        }

        [Fact]
        public async Task Many_newer_unrelated_tasks_without_a_common_prefix_cost_at_most_the_budget_more()
        {
            var fc = new FakeTaskApi();
            fc.Add(10, "a", "Succeeded", startedAt: 100);
            fc.Add(10, "z", "Succeeded", firstIndex: 10, startedAt: 110);
            fc.Add(1000, "n-", "Succeeded", firstIndex: 100, startedAt: 10000); // newer, unrelated
            var ids = fc.Ids("a").Concat(fc.Ids("z")).ToList();
            var outcome = await WaitAsync(fc, ids);
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Equal(3, fc.Lists);  // 2 x 1 page + 1: the budget, then one by one
            Assert.Equal(20, fc.Gets);
        }

        [Fact]
        public async Task The_per_task_strategy_never_lists()
        {
            var fc = new FakeTaskApi();
            fc.Add(40, "q-", "Succeeded");
            var outcome = await WaitAsync(fc, fc.Ids("q-"), FcTaskWaitStrategy.PerTask);
            outcome.AssertExactlyWhatGetsGive(fc);
            Assert.Equal(0, fc.Lists);
            Assert.Equal(40, fc.Gets);
        }

        // ---- helpers ----

        // ---- Several connections at once ----

        [Fact]
        public async Task With_Any_a_task_finished_on_one_connection_ends_the_wait_on_the_others()
        {
            var done = new FakeTaskApi();
            done.Add(1, "a-", "Succeeded");
            var running = new FakeTaskApi();
            running.Add(1, "b-", "Running");
            var options = FastOptions();
            options.Any = true;
            var (onA, onB) = (new Outcome(), new Outcome());
            var wait = FcAsyncTaskWaiter.WaitAllAsync(new[] { Group(done, "a-", onA), Group(running, "b-", onB) }, options, FastCallOptions(), NullFcLog.Instance, CancellationToken.None);

            Assert.Same(wait, await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(60)))); // a hang guard: without Any across connections b- is polled for ever
            var result = await wait;
            Assert.False(result.TimedOut);
            Assert.Equal(1, result.Finished);
            Assert.Equal(new[] { "a-000000" }, onA.Finished.Select(t => t.TaskId));
            Assert.Empty(onB.Finished);
            Assert.Equal(new[] { "b-000000" }, result.Unfinished.Select(t => t.TaskId));
        }

        [Fact]
        public async Task A_wait_that_fails_ends_the_waits_on_the_other_connections_and_its_failure_is_thrown()
        {
            var broken = new FakeTaskApi();
            broken.Add(1, "a-", "Running");
            var running = new FakeTaskApi();
            running.Add(1, "b-", "Running");
            var noCredential = Client(broken, new FailingProvider());
            var groups = new[] { new FcTaskWaitGroup(noCredential, Targets(broken, "a-"), new Outcome()), Group(running, "b-", new Outcome()) };
            var wait = FcAsyncTaskWaiter.WaitAllAsync(groups, FastOptions(), FastCallOptions(), NullFcLog.Instance, CancellationToken.None);

            Assert.Same(wait, await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(60)))); // a hang guard: b- is never finished
            var error = await Assert.ThrowsAsync<FcCredentialException>(() => wait);
            Assert.Equal(FcCredentialFailure.Sts, error.Failure);
            Assert.Equal(0, broken.Gets + broken.Lists);
        }

        [Fact]
        public async Task Without_Any_the_waits_on_several_connections_each_finish_their_own_tasks()
        {
            var first = new FakeTaskApi();
            first.Add(3, "a-", "Succeeded");
            var second = new FakeTaskApi();
            second.Add(2, "b-", "Failed");
            var (onA, onB) = (new Outcome(), new Outcome());
            var result = await FcAsyncTaskWaiter.WaitAllAsync(new[] { Group(first, "a-", onA), Group(second, "b-", onB) }, FastOptions(), FastCallOptions(), NullFcLog.Instance, CancellationToken.None);
            Assert.Equal(5, result.Finished);
            Assert.Empty(result.Unfinished);
            Assert.Equal(first.Ids("a-"), onA.Finished.Select(t => t.TaskId).OrderBy(id => id, StringComparer.Ordinal));
            Assert.Equal(second.Ids("b-"), onB.Finished.Select(t => t.TaskId).OrderBy(id => id, StringComparer.Ordinal));
        }

        private static FcTaskWaitGroup Group(FakeTaskApi fc, string prefix, Outcome outcome) =>
            new FcTaskWaitGroup(Client(fc), Targets(fc, prefix), outcome);

        private static List<FcTaskWaitTarget> Targets(FakeTaskApi fc, string prefix) => fc.Ids(prefix).Select(id => new FcTaskWaitTarget(Fn, id, id)).ToList();

        private sealed class FailingProvider : ICredentialProvider
        {
            public string Name => "Failing";
            public FcCredential LastCredential => null;
            public string KnownAccountId => null;
            public string AccountCacheKey => "failing";
            public Task<FcCredential> GetCredentialAsync(IFcLog log, CancellationToken cancellationToken) =>
                Task.FromException<FcCredential>(new FcCredentialException(FcCredentialFailure.Sts, "STS could not be reached."));
        }

        private static List<FcTaskWaitTarget> Targets(int n) => Enumerable.Range(0, n).Select(i => new FcTaskWaitTarget(Fn, $"t-{i:d6}", null)).ToList();

        private static List<FcTaskWaitTarget> Timed(int n, long start, string prefix, bool listed = true) =>
            Enumerable.Range(0, n).Select(i => Target(prefix + i.ToString("d4", CultureInfo.InvariantCulture), start + i, listed)).ToList();

        private static FcTaskWaitTarget Target(string id, long start, bool listed)
        {
            var t = new FcTaskWaitTarget(Fn, id, null) { SeenInListing = listed };
            t.LastSeen = Parse(TaskJson(new FakeTask(id, start, "Running"), true, null));
            return t;
        }

        private static FcAsyncTask Parse(string json)
        {
            using (var doc = JsonDocument.Parse(json)) return FcAsyncTasks.FromJson(doc.RootElement, Fn);
        }

        private sealed class Outcome : IFcTaskWaitObserver
        {
            public readonly List<FcAsyncTask> Finished = new List<FcAsyncTask>();
            public readonly List<(FcTaskWaitTarget target, Exception error)> Failed = new List<(FcTaskWaitTarget, Exception)>();
            public readonly List<string> Log = new List<string>();
            public FcTaskWaitResult Result;

            void IFcTaskWaitObserver.Finished(FcTaskWaitTarget target, FcAsyncTask task) { lock (Finished) Finished.Add(task); }
            void IFcTaskWaitObserver.Failed(FcTaskWaitTarget target, Exception error) { lock (Failed) Failed.Add((target, error)); }
            void IFcTaskWaitObserver.Progress(IReadOnlyDictionary<string, int> pendingByStatus, int finished, int total) { }

            /// <summary>Each task written equals what a GetAsyncTask of it returns now, field by field.</summary>
            public void AssertExactlyWhatGetsGive(FakeTaskApi fc)
            {
                Assert.Empty(Result.Unfinished);
                foreach (var task in Finished)
                {
                    var fn = fc.Tasks.Single(t => t.Id == task.TaskId).Function;
                    using (var doc = JsonDocument.Parse(fc.GetJson(fn, task.TaskId)))
                        Assert.Null(FcAsyncTaskFields.Lacking(task, FcAsyncTasks.FromJson(doc.RootElement, fn)));
                }
            }
        }

        private sealed class ListLog : IFcLog
        {
            private readonly List<string> _lines;
            public ListLog(List<string> lines) => _lines = lines;
            public bool IsVerboseEnabled => true;
            public bool IsDebugEnabled => false;
            public void Verbose(string message) { lock (_lines) _lines.Add(message); }
            public void Debug(string message) { }
            public void Warning(string message) { }
        }

        private static Task<Outcome> WaitAsync(FakeTaskApi fc, IReadOnlyList<string> ids, FcTaskWaitStrategy strategy = FcTaskWaitStrategy.Auto) =>
            WaitAsync(fc, ids.Select(id => new FcTaskWaitTarget(fc.Tasks.FirstOrDefault(t => t.Id == id)?.Function ?? Fn, id, id)).ToList(), strategy);

        private static async Task<Outcome> WaitAsync(FakeTaskApi fc, IReadOnlyList<FcTaskWaitTarget> targets, FcTaskWaitStrategy strategy = FcTaskWaitStrategy.Auto)
        {
            var outcome = new Outcome();
            var options = FastOptions();
            options.Strategy = strategy;
            options.Timeout = TimeSpan.FromSeconds(60); // a hang guard, never reached by a passing test
            outcome.Result = await FcAsyncTaskWaiter.WaitAsync(Client(fc), targets, options, FastCallOptions(), new ListLog(outcome.Log), outcome, CancellationToken.None);
            return outcome;
        }

        private static FcClient Client(FakeTaskApi fc, ICredentialProvider credentials = null) =>
            new FcClient(new FcConnection(FcEndpoint.FromUri(new Uri("http://127.0.0.1:9/")), "1", "cn-hangzhou",
                credentials ?? new StaticCredentialProvider(new FcCredential("AK", "SECRET", null, null, "Test"))), new HttpClient(fc));

        /// <summary>Polls 1 ms apart; no deadline.</summary>
        private static FcTaskWaitOptions FastOptions() =>
            new FcTaskWaitOptions { InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) };

        private static FcCallOptions FastCallOptions() =>
            new FcCallOptions { Retry = new FcRetryPolicy(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)) };

        private sealed class FakeTask
        {
            public FakeTask(string id, long started, string status) { Id = id; Started = started; Status = status; }
            public FcFunctionRef Function = Fn;
            public string Id;
            public long Started;
            public string Status;
            public string Destination;
        }

        private static string TaskJson(FakeTask t, bool includePayload, ISet<string> omit)
        {
            var o = new Dictionary<string, object>
            {
                [t.Function.IsV2 ? "invocationId" : "taskId"] = t.Id,
                ["status"] = t.Status,
                ["startedTime"] = t.Started,
                ["requestId"] = "req-" + t.Id,
                ["qualifier"] = "LATEST",
            };
            if (t.Function.IsV2) { o["serviceName"] = t.Function.ServiceName; o["functionName"] = t.Function.FunctionName; }
            else o["functionArn"] = "acs:fc:cn-hangzhou:1:functions/" + t.Function.FunctionName;
            if (includePayload) o[t.Function.IsV2 ? "invocationPayload" : "taskPayload"] = "payload of " + t.Id;
            var events = new List<object> { new Dictionary<string, object> { ["eventId"] = 1, ["status"] = "Enqueued", ["timestamp"] = t.Started, ["eventDetail"] = "" } };
            if (FcAsyncTask.IsTerminalStatus(t.Status))
            {
                o["endTime"] = t.Started + 5;
                o["durationMs"] = 5;
                if (t.Status == "Succeeded") o["returnPayload"] = "result of " + t.Id;
                else o[t.Function.IsV2 ? "invocationErrorMessage" : "taskErrorMessage"] = "failed: " + t.Id;
                events.Add(new Dictionary<string, object> { ["eventId"] = 2, ["status"] = t.Status, ["timestamp"] = t.Started + 5, ["eventDetail"] = "" });
            }
            if (t.Destination != null) o["destinationStatus"] = t.Destination;
            o["events"] = events;
            if (omit != null) foreach (var name in omit) o.Remove(name);
            return JsonSerializer.Serialize(o);
        }

        /// <summary>A scripted FC task API (both versions) over an in-memory list of tasks, counting Get and List requests.</summary>
        private sealed class FakeTaskApi : HttpMessageHandler
        {
            public readonly List<FakeTask> Tasks = new List<FakeTask>();
            public readonly HashSet<string> Hidden = new HashSet<string>(StringComparer.Ordinal);
            public readonly HashSet<string> ListingOmits = new HashSet<string>(StringComparer.Ordinal);
            public readonly List<string> ListQueries = new List<string>();
            public int ListingStatus = 200;
            /// <summary>Status filters answered 400, as an FC that does not know them would.</summary>
            public readonly HashSet<string> RefusedStatuses = new HashSet<string>(StringComparer.Ordinal);
            /// <summary>How many listing requests are answered 429 before listings are served.</summary>
            public int ThrottledListings;
            public bool RepeatToken;
            /// <summary>Called with the running number of each request (1-based) before it is answered.</summary>
            public Action<int> OnRequest;
            public int Gets, Lists;
            private int _requests;

            public void Add(int n, string prefix, string status, int firstIndex = 0, long startedAt = 1000, string function = null)
            {
                var fn = function == null ? Fn : function.Contains('/')
                    ? new FcFunctionRef(function.Split('/')[1], function.Split('/')[0], null) : new FcFunctionRef(function, null, null);
                for (int i = 0; i < n; i++)
                    Tasks.Add(new FakeTask(prefix + (firstIndex + i).ToString("d6", CultureInfo.InvariantCulture), startedAt + i, status) { Function = fn });
            }

            public List<string> Ids(string prefix) => Tasks.Where(t => t.Id.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t.Id).ToList();

            public void SetAll(string status, string prefix = "")
            {
                lock (Tasks) foreach (var t in Tasks.Where(t => t.Id.StartsWith(prefix, StringComparison.Ordinal))) t.Status = status;
            }

            public string GetJson(FcFunctionRef fn, string id)
            {
                lock (Tasks)
                {
                    var t = Tasks.FirstOrDefault(x => x.Id == id && FcTaskFunctionWatch.Key(x.Function) == FcTaskFunctionWatch.Key(fn));
                    return t == null ? null : TaskJson(t, includePayload: true, omit: null);
                }
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
            {
                OnRequest?.Invoke(Interlocked.Increment(ref _requests));
                var path = request.RequestUri.AbsolutePath;
                var query = ParseQuery(request.RequestUri.Query);
                var segments = path.Trim('/').Split('/');
                bool v2 = segments[0] == "2021-04-06";
                var fn = v2 ? new FcFunctionRef(segments[4], segments[2], null) : new FcFunctionRef(segments[2], null, null);
                int collection = v2 ? 5 : 3;
                if (segments.Length == collection + 2)
                {
                    Interlocked.Increment(ref Gets);
                    var json = GetJson(fn, Uri.UnescapeDataString(segments[collection + 1]));
                    return Task.FromResult(json == null
                        ? Answer(404, "{\"Code\":\"AsyncTaskNotFound\",\"Message\":\"not found\"}")
                        : Answer(200, json));
                }
                Interlocked.Increment(ref Lists);
                lock (ListQueries) ListQueries.Add(path + request.RequestUri.Query);
                if (ListingStatus != 200) return Task.FromResult(Answer(ListingStatus, "{\"Code\":\"AccessDenied\",\"Message\":\"no\"}"));
                if (query.TryGetValue("status", out var filter) && RefusedStatuses.Contains(filter))
                    return Task.FromResult(Answer(400, "{\"Code\":\"InvalidArgument\",\"Message\":\"status\"}"));
                if (Interlocked.Decrement(ref ThrottledListings) >= 0) return Task.FromResult(Answer(429, "{\"Code\":\"ResourceExhausted\",\"Message\":\"slow down\"}"));
                return Task.FromResult(Answer(200, Page(fn, v2, query)));
            }

            private string Page(FcFunctionRef fn, bool v2, Dictionary<string, string> q)
            {
                List<FakeTask> all;
                lock (Tasks)
                {
                    IEnumerable<FakeTask> m = Tasks.Where(t => FcTaskFunctionWatch.Key(t.Function) == FcTaskFunctionWatch.Key(fn) && !Hidden.Contains(t.Id));
                    if (q.TryGetValue(v2 ? "invocationIdPrefix" : "prefix", out var prefix)) m = m.Where(t => t.Id.StartsWith(prefix, StringComparison.Ordinal));
                    if (q.TryGetValue("status", out var status)) m = m.Where(t => t.Status == status);
                    if (q.TryGetValue("startedTimeBegin", out var b)) m = m.Where(t => t.Started >= long.Parse(b, CultureInfo.InvariantCulture));
                    if (q.TryGetValue("startedTimeEnd", out var e)) m = m.Where(t => t.Started <= long.Parse(e, CultureInfo.InvariantCulture));
                    bool desc = q.TryGetValue("sortOrderByTime", out var sort) && sort == "desc";
                    m = desc ? m.OrderByDescending(t => t.Started).ThenByDescending(t => t.Id, StringComparer.Ordinal)
                             : m.OrderBy(t => t.Started).ThenBy(t => t.Id, StringComparer.Ordinal);
                    all = m.ToList();
                }
                int start = q.TryGetValue("nextToken", out var token) ? int.Parse(token, CultureInfo.InvariantCulture) : 0;
                int limit = int.Parse(q["limit"], CultureInfo.InvariantCulture);
                bool payload = q.TryGetValue("includePayload", out var p) && p == "true";
                var items = all.Skip(start).Take(limit).Select(t => TaskJson(t, payload, ListingOmits));
                var next = start + limit < all.Count ? (RepeatToken ? limit : start + limit).ToString(CultureInfo.InvariantCulture) : null;
                return "{\"" + (v2 ? "invocations" : "tasks") + "\":[" + string.Join(",", items) + "]" +
                       (next != null ? ",\"nextToken\":\"" + next + "\"" : string.Empty) + "}";
            }

            private static Dictionary<string, string> ParseQuery(string query)
            {
                var d = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var pair in PercentEncoding.ParseQuery(query.TrimStart('?'))) d[pair.Key] = pair.Value;
                return d;
            }

            private static HttpResponseMessage Answer(int status, string body)
            {
                var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                r.Headers.TryAddWithoutValidation("x-fc-request-id", "req");
                return r;
            }
        }
    }
}
