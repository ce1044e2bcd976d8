using System;
using System.Globalization;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The async-task API of both versions: FC 3.0 GetAsyncTask/ListAsyncTasks/StopAsyncTask and FC 2.0
    /// GetStatefulAsyncInvocation/ListStatefulAsyncInvocations/StopStatefulAsyncInvocation, over the task store.
    /// </summary>
    internal sealed class EmulatorTaskRoutes
    {
        private readonly EmulatorTaskStore _tasks;
        private readonly EmulatorIdentity _identity;

        public EmulatorTaskRoutes(EmulatorTaskStore tasks, EmulatorIdentity identity)
        {
            _tasks = tasks;
            _identity = identity;
        }

        /// <summary>The path segment under a function that holds its tasks.</summary>
        public static string Collection(bool v2) => v2 ? "stateful-async-invocations" : "async-tasks";

        public async Task GetAsync(EmulatorCall call, EmulatedFunction function, string taskId)
        {
            var task = Find(call, function, taskId);
            if (task == null) { await call.ErrorAsync(TaskNotFound(call, taskId)).ConfigureAwait(false); return; }
            await call.RespondAsync(200, "application/json", EmulatorTaskJson.One(task.Snapshot(), call.IsV2, _identity.AccountId, _identity.Region)).ConfigureAwait(false);
        }

        public async Task StopAsync(EmulatorCall call, EmulatedFunction function, string taskId)
        {
            var task = Find(call, function, taskId);
            if (task == null) { await call.ErrorAsync(TaskNotFound(call, taskId)).ConfigureAwait(false); return; }
            var status = task.Snapshot().Status;
            if (EmulatorTask.IsTerminal(status))
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", $"the async task '{taskId}' has already finished ({status})")).ConfigureAwait(false);
                return;
            }
            if (status == "Running" || status == "Dequeued")
            {
                task.Transition("Stopping", EmulatorClock.NowMs());
                task.Stop.Cancel();
            }
            else
            {
                // Still waiting for a slot: it ends here, and its cancelled wait never runs it.
                _tasks.Finish(task, "Stopped", EmulatorClock.NowMs(), null, "the task was stopped", 0, string.Empty);
                task.Stop.Cancel();
            }
            await call.RespondAsync(200, null, Array.Empty<byte>()).ConfigureAwait(false);
        }

        public async Task ListAsync(EmulatorCall call, EmulatedFunction function)
        {
            var limitText = call.QueryValue("limit");
            int limit = call.IsV2 ? 50 : 20;
            if (limitText != null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 100))
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", $"limit must be between 1 and 100, not '{limitText}'")).ConfigureAwait(false);
                return;
            }
            var sort = call.QueryValue("sortOrderByTime");
            if (sort != null && sort != "asc" && sort != "desc")
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", $"sortOrderByTime must be asc or desc, not '{sort}'")).ConfigureAwait(false);
                return;
            }
            var token = call.QueryValue("nextToken");
            if (token != null && !EmulatorTaskStore.IsValidToken(token))
            {
                await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", "nextToken is not valid")).ConfigureAwait(false);
                return;
            }
            var query = new EmulatorTaskQuery
            {
                Qualifier = call.QueryValue("qualifier"),
                Status = call.QueryValue("status"),
                IdPrefix = call.QueryValue(call.IsV2 ? "invocationIdPrefix" : "prefix"),
                StartedBegin = ParseLong(call.QueryValue("startedTimeBegin")),
                StartedEnd = ParseLong(call.QueryValue("startedTimeEnd")),
                Descending = sort == "desc",
                Limit = limit,
                NextToken = token,
            };
            var includePayload = string.Equals(call.QueryValue("includePayload"), "true", StringComparison.OrdinalIgnoreCase);
            var (page, next) = _tasks.List(function.Key, query);
            await call.RespondAsync(200, "application/json",
                EmulatorTaskJson.Page(page, next, call.IsV2, _identity.AccountId, _identity.Region, includePayload)).ConfigureAwait(false);
        }

        /// <summary>The task, when it exists for the function and (if the request names one) was invoked with that qualifier.</summary>
        private EmulatorTask Find(EmulatorCall call, EmulatedFunction function, string taskId)
        {
            var task = _tasks.Find(function.Key, taskId);
            var qualifier = call.QueryValue("qualifier");
            return task == null || (qualifier != null && qualifier != task.Qualifier) ? null : task;
        }

        private static EmulatorError TaskNotFound(EmulatorCall call, string taskId) => call.IsV2
            ? new EmulatorError(404, "StatefulAsyncInvocationNotFound", $"stateful async invocation '{taskId}' does not exist")
            : new EmulatorError(404, "AsyncTaskNotFound", $"async task '{taskId}' does not exist");

        private static long? ParseLong(string text) =>
            long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (long?)null;
    }
}
