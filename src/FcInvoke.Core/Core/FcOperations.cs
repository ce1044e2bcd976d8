using System.Net.Http;

namespace FcInvoke.Core
{
    /// <summary>Identifies a function: FC 2.0 when a service name is given, FC 3.0 otherwise.</summary>
    internal readonly struct FcFunctionRef
    {
        public FcFunctionRef(string functionName, string serviceName, string qualifier)
        {
            FunctionName = functionName;
            ServiceName = string.IsNullOrEmpty(serviceName) ? null : serviceName;
            Qualifier = string.IsNullOrEmpty(qualifier) ? null : qualifier;
        }

        public string FunctionName { get; }
        public string ServiceName { get; }
        public string Qualifier { get; }
        public FcApiVersion ApiVersion => FcApiVersions.ForService(ServiceName);
        public bool IsV2 => ServiceName != null;

        public override string ToString() => FcNameFormat.Function(ServiceName, FunctionName, Qualifier);
    }

    /// <summary>The one place that knows each FC operation's action name, method and path, for both API versions.</summary>
    internal static class FcOperations
    {
        public static FcRequest InvokeFunction(FcFunctionRef fn) =>
            Function(fn, "InvokeFunction", HttpMethod.Post, FcCallKind.Invocation, "invocations");

        public static FcRequest GetAsyncTask(FcFunctionRef fn, string taskId) => fn.IsV2
            ? Function(fn, "GetStatefulAsyncInvocation", HttpMethod.Get, FcCallKind.Read, "stateful-async-invocations", taskId)
            : Function(fn, "GetAsyncTask", HttpMethod.Get, FcCallKind.Read, "async-tasks", taskId);

        public static FcRequest ListAsyncTasks(FcFunctionRef fn) => (fn.IsV2
            ? Function(fn, "ListStatefulAsyncInvocations", HttpMethod.Get, FcCallKind.Read, "stateful-async-invocations")
            : Function(fn, "ListAsyncTasks", HttpMethod.Get, FcCallKind.Read, "async-tasks")).WithResponseLimit(FcResponseLimits.TaskListing);

        public static FcRequest StopAsyncTask(FcFunctionRef fn, string taskId) => fn.IsV2
            ? Function(fn, "StopStatefulAsyncInvocation", HttpMethod.Put, FcCallKind.Read, "stateful-async-invocations", taskId)
            : Function(fn, "StopAsyncTask", HttpMethod.Put, FcCallKind.Read, "async-tasks", taskId, "stop");

        public static FcRequest GetFunction(FcFunctionRef fn) =>
            Function(fn, "GetFunction", HttpMethod.Get, FcCallKind.Read);

        public static FcRequest ListFunctions(string serviceName) => string.IsNullOrEmpty(serviceName)
            ? new FcRequest("ListFunctions", HttpMethod.Get, FcApiVersion.V20230330, FcCallKind.Read, "functions")
            : new FcRequest("ListFunctions", HttpMethod.Get, FcApiVersion.V20210406, FcCallKind.Read, "services", serviceName, "functions");

        public static FcRequest ListServices() =>
            new FcRequest("ListServices", HttpMethod.Get, FcApiVersion.V20210406, FcCallKind.Read, "services");

        public static FcRequest GetService(string serviceName) =>
            new FcRequest("GetService", HttpMethod.Get, FcApiVersion.V20210406, FcCallKind.Read, "services", serviceName);

        /// <summary>Aliases: per service on FC 2.0, per function on FC 3.0.</summary>
        public static FcRequest ListAliases(FcFunctionRef fn) => fn.IsV2
            ? new FcRequest("ListAliases", HttpMethod.Get, FcApiVersion.V20210406, FcCallKind.Read, "services", fn.ServiceName, "aliases")
            : new FcRequest("ListAliases", HttpMethod.Get, FcApiVersion.V20230330, FcCallKind.Read, "functions", fn.FunctionName, "aliases");

        /// <summary>Published versions: per service on FC 2.0, per function on FC 3.0.</summary>
        public static FcRequest ListVersions(FcFunctionRef fn) => fn.IsV2
            ? new FcRequest("ListVersions", HttpMethod.Get, FcApiVersion.V20210406, FcCallKind.Read, "services", fn.ServiceName, "versions")
            : new FcRequest("ListVersions", HttpMethod.Get, FcApiVersion.V20230330, FcCallKind.Read, "functions", fn.FunctionName, "versions");

        /// <summary>A function's triggers: FC 2.0 per service and function, FC 3.0 per function; neither takes a qualifier (http-triggers.md §1).</summary>
        public static FcRequest ListTriggers(FcFunctionRef fn) => fn.IsV2
            ? new FcRequest("ListTriggers", HttpMethod.Get, FcApiVersion.V20210406, FcCallKind.Read, "services", fn.ServiceName, "functions", fn.FunctionName, "triggers")
            : new FcRequest("ListTriggers", HttpMethod.Get, FcApiVersion.V20230330, FcCallKind.Read, "functions", fn.FunctionName, "triggers");

        private static FcRequest Function(FcFunctionRef fn, string action, HttpMethod method, FcCallKind kind, params string[] tail)
        {
            var head = fn.IsV2
                ? new[] { "services", fn.ServiceName, "functions", fn.FunctionName }
                : new[] { "functions", fn.FunctionName };
            var segments = new string[head.Length + tail.Length];
            head.CopyTo(segments, 0);
            tail.CopyTo(segments, head.Length);
            return new FcRequest(action, method, fn.ApiVersion, kind, segments).WithQuery("qualifier", fn.Qualifier);
        }
    }
}
