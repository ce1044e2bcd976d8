using System;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>The FC operations the emulator serves (docs/cmdlets/Start-FcEmulator.md lists them with their paths).</summary>
    internal enum EmulatorOperation
    {
        ListServices, GetService, ListFunctions, GetFunction, ListAliases, GetAlias, ListVersions, ListTriggers, GetTrigger,
        GetAsyncInvokeConfig, ListAsyncInvokeConfigs, ListFunctionAsyncInvokeConfigs, ListStatefulAsyncInvocationFunctions,
        InvokeFunction, ListAsyncTasks, GetAsyncTask, StopAsyncTask,
    }

    /// <summary>
    /// An API path matched to its operation, with the names it carries (percent-decoded). Matching knows only the
    /// shapes of FC's paths; names are checked against FC's rules by <see cref="CheckNames"/>.
    /// </summary>
    internal sealed class EmulatorRoute
    {
        private EmulatorRoute(EmulatorOperation operation, bool v2, string service, string function, string name)
        {
            Operation = operation; IsV2 = v2; Service = service; Function = function; Name = name;
        }

        public EmulatorOperation Operation { get; }
        public bool IsV2 { get; }
        public string Service { get; }
        public string Function { get; }
        /// <summary>The alias, trigger or task the path names, if any.</summary>
        public string Name { get; }

        public bool IsFunctionOperation => Function != null;

        /// <summary>FC's name for the operation in the request's API version (FC 2.0 names its task operations differently).</summary>
        public string Action
        {
            get
            {
                if (!IsV2) return Operation.ToString();
                switch (Operation)
                {
                    case EmulatorOperation.ListAsyncTasks: return "ListStatefulAsyncInvocations";
                    case EmulatorOperation.GetAsyncTask: return "GetStatefulAsyncInvocation";
                    case EmulatorOperation.StopAsyncTask: return "StopStatefulAsyncInvocation";
                    case EmulatorOperation.GetAsyncInvokeConfig: return "GetFunctionAsyncInvokeConfig";
                    default: return Operation.ToString();
                }
            }
        }
        public bool IsTaskOperation => Operation == EmulatorOperation.ListAsyncTasks || Operation == EmulatorOperation.GetAsyncTask || Operation == EmulatorOperation.StopAsyncTask;

        /// <summary>The operation a request means, or null when FC has no such path (FC answers 400 PathNotSupported).</summary>
        public static EmulatorRoute Match(string method, string[] s)
        {
            if (s.Length == 0 || !FcApiVersions.TryParse(s[0], out var version)) return null;
            var v2 = version == FcApiVersion.V20210406;
            var get = method == "GET";
            if (v2)
            {
                if (s.Length == 2 && s[1] == "stateful-async-invocation-functions" && get) return new EmulatorRoute(EmulatorOperation.ListStatefulAsyncInvocationFunctions, true, null, null, null);
                if (s.Length < 2 || s[1] != "services") return null;
                if (s.Length == 2) return get ? new EmulatorRoute(EmulatorOperation.ListServices, true, null, null, null) : null;
                var service = s[2];
                if (s.Length == 3) return get ? new EmulatorRoute(EmulatorOperation.GetService, true, service, null, null) : null;
                if (s[3] == "aliases" && s.Length <= 5 && get)
                    return new EmulatorRoute(s.Length == 4 ? EmulatorOperation.ListAliases : EmulatorOperation.GetAlias, true, service, null, s.Length == 5 ? s[4] : null);
                if (s[3] == "versions" && s.Length == 4 && get) return new EmulatorRoute(EmulatorOperation.ListVersions, true, service, null, null);
                if (s[3] != "functions") return null;
                if (s.Length == 4) return get ? new EmulatorRoute(EmulatorOperation.ListFunctions, true, service, null, null) : null;
                return MatchFunction(method, s, 4, true, service);
            }
            if (s.Length == 2 && s[1] == "async-invoke-configs" && get) return new EmulatorRoute(EmulatorOperation.ListAsyncInvokeConfigs, false, null, null, null);
            if (s.Length < 2 || s[1] != "functions") return null;
            if (s.Length == 2) return get ? new EmulatorRoute(EmulatorOperation.ListFunctions, false, null, null, null) : null;
            return MatchFunction(method, s, 2, false, null);
        }

        /// <summary>Paths under functions/{f}: s[i] is the function name.</summary>
        private static EmulatorRoute MatchFunction(string method, string[] s, int i, bool v2, string service)
        {
            var function = s[i];
            var rest = s.Length - i - 1;
            EmulatorRoute Route(EmulatorOperation op, string name = null) => new EmulatorRoute(op, v2, service, function, name);
            var get = method == "GET";
            if (rest == 0) return get ? Route(EmulatorOperation.GetFunction) : null;
            var what = s[i + 1];
            var tasks = EmulatorTaskRoutes.Collection(v2);
            if (what == "invocations" && rest == 1) return method == "POST" ? Route(EmulatorOperation.InvokeFunction) : null;
            if (what == tasks)
            {
                if (rest == 1) return get ? Route(EmulatorOperation.ListAsyncTasks) : null;
                if (rest == 2 && get) return Route(EmulatorOperation.GetAsyncTask, s[i + 2]);
                if (method == "PUT" && ((v2 && rest == 2) || (!v2 && rest == 3 && s[i + 3] == "stop"))) return Route(EmulatorOperation.StopAsyncTask, s[i + 2]);
                return null;
            }
            if (!get) return null;
            if (what == "triggers" && rest <= 2) return Route(rest == 1 ? EmulatorOperation.ListTriggers : EmulatorOperation.GetTrigger, rest == 2 ? s[i + 2] : null);
            if (what == "async-invoke-config" && rest == 1) return Route(EmulatorOperation.GetAsyncInvokeConfig);
            if (v2 && what == "async-invoke-configs" && rest == 1) return Route(EmulatorOperation.ListFunctionAsyncInvokeConfigs);
            if (!v2 && (what == "aliases" || what == "versions") && rest <= 2)
            {
                if (what == "versions") return rest == 1 ? Route(EmulatorOperation.ListVersions) : null;
                return Route(rest == 1 ? EmulatorOperation.ListAliases : EmulatorOperation.GetAlias, rest == 2 ? s[i + 2] : null);
            }
            return null;
        }

        /// <summary>Null when every name in the path and the qualifier follow FC's rules (Core's FcNames), else FC's 400 message.</summary>
        public string CheckNames(string qualifier)
        {
            string problem = null;
            if (Service != null) problem = FcNames.CheckServiceName(Service);
            if (problem == null && Function != null) problem = Service != null ? FcNames.CheckFunctionName(Function) : FcNames.CheckFc3FunctionName(Function);
            if (problem == null && Name != null)
            {
                if (IsTaskOperation) problem = FcNames.CheckTaskId(Name);
                else if (Operation == EmulatorOperation.GetAlias) problem = FcNames.CheckQualifier(Name);
            }
            if (problem == null && qualifier != null) problem = FcNames.CheckQualifier(qualifier);
            return problem;
        }

        /// <summary>The most body bytes the operation reads: an invocation's payload limit, a little for everything else.</summary>
        public long MaxBodyBytes(bool asyncInvocation) =>
            Operation != EmulatorOperation.InvokeFunction ? NonInvocationMaxBodyBytes
            : asyncInvocation ? FcNames.DefaultAsyncPayloadBytes : FcNames.MaxSyncPayloadBytes;

        /// <summary>The emulator's own limit for operations whose requests carry no payload.</summary>
        public const long NonInvocationMaxBodyBytes = 64 * 1024;

        public string FunctionKey => Service != null ? Service + "/" + Function : Function;

        public override string ToString() => $"{Operation} {(IsV2 ? FcApiVersions.V2 : FcApiVersions.V3)} {FunctionKey} {Name}";
    }
}
