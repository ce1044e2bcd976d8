using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Emulator;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>The emulator's async task store: lifecycle, qualifier filter, paging and its memory bounds.</summary>
    public class EmulatorTaskStoreTests
    {
        private static EmulatorTask Task(string id, string qualifier = null, long accepted = 1000, string payload = "p") =>
            new EmulatorTask(id, null, "fn", qualifier, qualifier == null ? "LATEST" : "2", payload, "req-" + id, accepted);

        private static EmulatorTaskQuery Query(string qualifier = null, int limit = 100) => new EmulatorTaskQuery { Qualifier = qualifier, Limit = limit };

        [Fact]
        public void A_qualifier_filters_the_listing_and_no_qualifier_lists_all()
        {
            var store = new EmulatorTaskStore();
            Assert.Equal(EmulatorTaskStore.AddResult.Added, store.TryAdd("fn", Task("a", "prod", 1)));
            store.TryAdd("fn", Task("b", null, 2));
            store.TryAdd("fn", Task("c", "prod", 3));
            store.TryAdd("other", Task("d", "prod", 4));
            Assert.Equal(new[] { "a", "c" }, store.List("fn", Query("prod")).page.Select(t => t.Task.Id));
            Assert.Equal(new[] { "b" }, store.List("fn", Query("LATEST")).page.Select(t => t.Task.Id));
            Assert.Equal(new[] { "a", "b", "c" }, store.List("fn", Query()).page.Select(t => t.Task.Id));
        }

        [Fact]
        public void A_lagging_listing_shows_the_tasks_as_they_stood_and_a_task_only_once_it_is_old_enough()
        {
            var store = new EmulatorTaskStore { ListingLag = TimeSpan.FromMilliseconds(100) };
            var early = Task("early", accepted: 1000);
            var late = Task("late", accepted: 1950);
            store.TryAdd("fn", early);
            store.TryAdd("fn", late);
            early.Transition("Dequeued", 1001);
            early.Transition("Running", 1002);
            store.Finish(early, "Succeeded", 1980, "result", null, 978, "");

            // At 2000 the listing shows the store as of 1900: 'late' not yet, 'early' still running, without its end.
            var (page, _) = store.List("fn", Query(), now: 2000);
            var shown = Assert.Single(page);
            Assert.Equal("early", shown.Task.Id);
            Assert.Equal("Running", shown.Status);
            Assert.Null(shown.EndTime);
            Assert.Null(shown.ReturnPayload);
            Assert.Equal(new[] { "Enqueued", "Dequeued", "Running" }, shown.Events.Select(e => e.Status));
            Assert.Empty(store.List("fn", new EmulatorTaskQuery { Status = "Succeeded", Limit = 100 }, now: 2000).page);

            // At 2100 (as of 2000) both appear, 'early' whole.
            (page, _) = store.List("fn", Query(), now: 2100);
            Assert.Equal(new[] { "early", "late" }, page.Select(t => t.Task.Id));
            Assert.Equal("Succeeded", page[0].Status);
            Assert.Equal("result", page[0].ReturnPayload);
            // GetAsyncTask (Find + Snapshot) is never behind.
            Assert.Equal("Succeeded", store.Find("fn", "early").Snapshot().Status);
        }

        [Fact]
        public void Pages_filtered_by_status_hold_each_matching_task_once()
        {
            var store = new EmulatorTaskStore();
            for (int i = 0; i < 25; i++)
            {
                var t = Task("t" + i.ToString("d2"), accepted: 100 + i);
                store.TryAdd("fn", t);
                if (i % 2 == 0) store.Finish(t, "Succeeded", 200, "r", null, 1, "");
            }
            var seen = new System.Collections.Generic.List<string>();
            string token = null;
            int pages = 0;
            do
            {
                var (page, next) = store.List("fn", new EmulatorTaskQuery { Status = "Succeeded", Limit = 5, NextToken = token });
                Assert.All(page, t => Assert.Equal("Succeeded", t.Status));
                seen.AddRange(page.Select(t => t.Task.Id));
                token = next;
                pages++;
            } while (token != null);
            Assert.Equal(Enumerable.Range(0, 25).Where(i => i % 2 == 0).Select(i => "t" + i.ToString("d2")), seen);
            Assert.Equal(3, pages);
        }

        [Fact]
        public void The_same_id_twice_for_one_function_is_refused()
        {
            var store = new EmulatorTaskStore();
            store.TryAdd("fn", Task("a"));
            Assert.Equal(EmulatorTaskStore.AddResult.Exists, store.TryAdd("fn", Task("a")));
            Assert.Equal(EmulatorTaskStore.AddResult.Added, store.TryAdd("fn2", Task("a")));
        }

        [Fact]
        public void Past_the_task_bound_the_oldest_finished_tasks_are_forgotten_and_unfinished_ones_never()
        {
            var store = new EmulatorTaskStore(maxTasks: 3);
            var running = Task("running", accepted: 1);
            store.TryAdd("fn", running);
            running.Transition("Running", 2);
            var first = Task("first", accepted: 2);
            var second = Task("second", accepted: 3);
            store.TryAdd("fn", first);
            store.TryAdd("fn", second);
            store.Finish(first, "Succeeded", 5, "r", null, 1, "");
            store.Finish(second, "Succeeded", 6, "r", null, 1, "");

            Assert.Equal(EmulatorTaskStore.AddResult.Added, store.TryAdd("fn", Task("third", accepted: 7)));
            Assert.Null(store.Find("fn", "first"));
            Assert.NotNull(store.Find("fn", "running"));
            Assert.NotNull(store.Find("fn", "second"));
            Assert.Equal(EmulatorTaskStore.AddResult.Added, store.TryAdd("fn", Task("fourth", accepted: 8)));
            Assert.Null(store.Find("fn", "second"));
            Assert.Equal(EmulatorTaskStore.AddResult.Full, store.TryAdd("fn", Task("fifth", accepted: 9)));
            Assert.Equal(3, store.Count);
        }

        [Fact]
        public void Retained_payload_bytes_are_bounded_too()
        {
            var store = new EmulatorTaskStore(maxTasks: 100, maxRetainedBytes: 1000);
            var old = Task("old", payload: new string('x', 300)); // 600 bytes as UTF-16
            store.TryAdd("fn", old);
            Assert.Equal(EmulatorTaskStore.AddResult.Full, store.TryAdd("fn", Task("big", payload: new string('y', 300))));
            store.Finish(old, "Failed", 2, null, "e", 1, "");
            Assert.Equal(EmulatorTaskStore.AddResult.Added, store.TryAdd("fn", Task("big", payload: new string('y', 300))));
            Assert.Null(store.Find("fn", "old"));
            Assert.True(store.RetainedBytes <= 1000);
        }

        [Fact]
        public void A_result_is_kept_up_to_fcs_one_megabyte_cut_at_a_character_boundary()
        {
            var store = new EmulatorTaskStore();
            var task = Task("t");
            store.TryAdd("fn", task);
            var result = "é" + new string('a', EmulatorTaskStore.MaxReturnPayloadBytes); // 'é' is two bytes in UTF-8
            store.Finish(task, "Succeeded", 2, result, null, 1, "");
            var kept = task.Snapshot().ReturnPayload;
            Assert.True(Encoding.UTF8.GetByteCount(kept) <= EmulatorTaskStore.MaxReturnPayloadBytes);
            Assert.StartsWith("é", kept);
            Assert.Equal(EmulatorTaskStore.MaxReturnPayloadBytes - 1, kept.Length);
        }

        [Fact]
        public void A_task_is_enqueued_until_it_moves_and_ends_once()
        {
            var task = Task("t");
            Assert.Equal("Enqueued", task.Snapshot().Status);
            Assert.True(task.Transition("Dequeued", 5));
            Assert.True(task.Transition("Running", 5));
            Assert.True(task.Finish("Succeeded", 9, "ok", null, 4, ""));
            Assert.False(task.Finish("Failed", 10, null, "late", 5, ""));
            Assert.False(task.Transition("Running", 11));
            var snapshot = task.Snapshot();
            Assert.Equal(new[] { "Enqueued", "Dequeued", "Running", "Succeeded" }, snapshot.Events.Select(e => e.Status));
            Assert.Equal(4, snapshot.DurationMs);
        }

        [Fact]
        public void Pages_follow_next_token_in_start_order()
        {
            var store = new EmulatorTaskStore();
            for (int i = 0; i < 5; i++) store.TryAdd("fn", Task("t" + i, accepted: 100 + i));
            var (page, next) = store.List("fn", Query(limit: 2));
            Assert.Equal(new[] { "t0", "t1" }, page.Select(t => t.Task.Id));
            Assert.True(EmulatorTaskStore.IsValidToken(next));
            var rest = store.List("fn", new EmulatorTaskQuery { Limit = 10, NextToken = next }).page;
            Assert.Equal(new[] { "t2", "t3", "t4" }, rest.Select(t => t.Task.Id));
            Assert.False(EmulatorTaskStore.IsValidToken("%%%"));
        }
    }

    /// <summary>The first-come-first-served quota behind function slots and the request-body budget.</summary>
    public class EmulatorFifoQuotaTests
    {
        [Fact]
        public async Task Waiters_are_served_in_the_order_they_asked_and_a_cancelled_one_leaves_the_queue()
        {
            var quota = new EmulatorFifoQuota(1);
            var held = await quota.ReserveAsync(1, CancellationToken.None);
            var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var cancel = new CancellationTokenSource();
            var first = quota.ReserveAsync(1, CancellationToken.None);
            var dropped = quota.ReserveAsync(1, cancel.Token);
            var third = quota.ReserveAsync(1, CancellationToken.None);
            Assert.Equal(3, quota.Waiting);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
            Assert.Equal(2, quota.Waiting);

            held.Dispose();
            using (await first) order.Enqueue("first");
            Assert.False(third.IsCompleted && order.Count == 0);
            using (await third) order.Enqueue("third");
            Assert.Equal(new[] { "first", "third" }, order);
            Assert.Equal(0, quota.Used);
            Assert.Equal(1, quota.Peak);
        }

        [Fact]
        public async Task A_large_reservation_is_not_overtaken_by_smaller_ones_behind_it()
        {
            var quota = new EmulatorFifoQuota(10);
            var six = await quota.ReserveAsync(6, CancellationToken.None);
            var eight = quota.ReserveAsync(8, CancellationToken.None);
            var one = quota.ReserveAsync(1, CancellationToken.None);
            Assert.False(one.IsCompleted); // it would fit, but the 8 came first
            six.Dispose();
            (await eight).Dispose();
            (await one).Dispose();
            Assert.Equal(0, quota.Used);
        }
    }
}
