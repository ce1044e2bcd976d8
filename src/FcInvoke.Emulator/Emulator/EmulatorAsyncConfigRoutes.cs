using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The async invoke configuration reads: FC 3.0 GetAsyncInvokeConfig/ListAsyncInvokeConfigs, FC 2.0
    /// GetFunctionAsyncInvokeConfig/ListFunctionAsyncInvokeConfigs/ListStatefulAsyncInvocationFunctions. Every emulated
    /// function takes async tasks, so each has one configuration with task mode on (asyncTask, statefulInvocation), no
    /// destinations, FC's default event age (86,400 s) and 0 retries, because the emulator never retries a failed task.
    /// </summary>
    internal sealed class EmulatorAsyncConfigRoutes
    {
        public const long MaxAsyncEventAgeInSeconds = 86400;
        public const long MaxAsyncRetryAttempts = 0;

        private readonly IReadOnlyList<EmulatedFunction> _functions;
        private readonly EmulatorTimes _times;
        private readonly EmulatorIdentity _identity;

        public EmulatorAsyncConfigRoutes(IEnumerable<EmulatedFunction> functions, EmulatorTimes times, EmulatorIdentity identity)
        {
            _functions = functions.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
            _times = times;
            _identity = identity;
        }

        /// <summary>The configuration of a function at the request's qualifier (already resolved by the router).</summary>
        public Task GetAsync(EmulatorCall call, EmulatedFunction function) =>
            call.RespondAsync(200, "application/json", EmulatorJson.Write(w => Write(w, function, call.Qualifier)));

        /// <summary>FC 3.0: every function's configuration, or one function's with ?functionName=.</summary>
        public Task ListAllAsync(EmulatorCall call)
        {
            var name = call.QueryValue("functionName");
            var functions = _functions.Where(f => !f.IsV2 && (name == null || f.FunctionName == name)).ToList();
            return EmulatorPaging.ListAsync(call, functions, "configs", f => f.FunctionName, (w, f) => Write(w, f, "LATEST"));
        }

        /// <summary>FC 2.0: the configurations of one function (one, at LATEST).</summary>
        public Task ListForFunctionAsync(EmulatorCall call, EmulatedFunction function) =>
            EmulatorPaging.ListAsync(call, new[] { function }, "configs", f => "LATEST", (w, f) => Write(w, f, "LATEST"));

        /// <summary>FC 2.0: the functions with stateful async invocation on, as {data: [{serviceName, functionName, qualifier}]}.</summary>
        public Task ListStatefulFunctionsAsync(EmulatorCall call) =>
            EmulatorPaging.ListAsync(call, _functions.Where(f => f.IsV2).ToList(), "data", f => f.Key, (w, f) =>
            {
                w.WriteStartObject();
                w.WriteString("serviceName", f.ServiceName);
                w.WriteString("functionName", f.FunctionName);
                w.WriteString("qualifier", "LATEST");
                w.WriteEndObject();
            });

        private void Write(Utf8JsonWriter w, EmulatedFunction function, string qualifier)
        {
            var v2 = function.IsV2;
            w.WriteStartObject();
            if (v2)
            {
                w.WriteString("service", function.ServiceName);
                w.WriteString("function", function.FunctionName);
                w.WriteString("qualifier", qualifier);
                w.WriteBoolean("statefulInvocation", true);
            }
            else
            {
                w.WriteString("functionArn", _identity.FunctionArn(function.FunctionName));
                w.WriteBoolean("asyncTask", true);
            }
            w.WriteNumber("maxAsyncEventAgeInSeconds", MaxAsyncEventAgeInSeconds);
            w.WriteNumber("maxAsyncRetryAttempts", MaxAsyncRetryAttempts);
            w.WriteString("createdTime", _times.Created(v2));
            w.WriteString("lastModifiedTime", _times.Created(v2));
            w.WriteEndObject();
        }
    }
}
