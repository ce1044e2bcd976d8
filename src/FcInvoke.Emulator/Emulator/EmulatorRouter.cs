using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// Takes each API request through FC's checks in FC's order, then to its handler: authentication from the headers
    /// alone, the path (400 PathNotSupported), names (400 InvalidArgument), the function and qualifier (404s), and only
    /// then the body, streamed against its signed hash. Nothing runs before every check has passed.
    /// </summary>
    internal sealed class EmulatorRouter
    {
        private readonly EmulatorAuthenticator _auth;
        private readonly EmulatorFunctions _functions;
        private readonly EmulatorBodyReader _bodies;
        private readonly EmulatorFaultInjector _faults;
        private readonly EmulatorCatalog _catalog;
        private readonly EmulatorAsyncConfigRoutes _asyncConfigs;
        private readonly EmulatorTriggerRoutes _triggers;
        private readonly EmulatorInvokeHandler _invoke;
        private readonly EmulatorTaskRoutes _taskRoutes;
        private readonly EmulatorJournal _journal;
        private readonly Random _weights = new Random();
        private readonly CancellationToken _shutdown;

        public EmulatorRouter(EmulatorAuthenticator auth, EmulatorFunctions functions, EmulatorBodyReader bodies, EmulatorFaultInjector faults,
                              EmulatorCatalog catalog, EmulatorAsyncConfigRoutes asyncConfigs, EmulatorTriggerRoutes triggers,
                              EmulatorInvokeHandler invoke, EmulatorTaskRoutes taskRoutes, EmulatorJournal journal, CancellationToken shutdown)
        {
            _journal = journal;
            _auth = auth;
            _functions = functions;
            _bodies = bodies;
            _faults = faults;
            _catalog = catalog;
            _asyncConfigs = asyncConfigs;
            _triggers = triggers;
            _invoke = invoke;
            _taskRoutes = taskRoutes;
            _shutdown = shutdown;
        }

        public async Task RouteAsync(EmulatorCall call)
        {
            if (await _triggers.TryHandleRequestAsync(call).ConfigureAwait(false)) return;
            var segments = call.Segments;
            if (segments.Length == 0 || !Core.FcApiVersions.TryParse(segments[0], out var version))
            {
                await NotSupportedAsync(call).ConfigureAwait(false);
                return;
            }
            call.IsV2 = version == Core.FcApiVersion.V20210406;

            var authError = _auth.Authenticate(call.Method, call.Path, call.Query, call.Headers, call.HasBody, DateTimeOffset.UtcNow, out var signedSha256);
            if (authError != null) { await call.ErrorAsync(authError).ConfigureAwait(false); return; }

            var route = EmulatorRoute.Match(call.Method, segments);
            if (route == null) { await NotSupportedAsync(call).ConfigureAwait(false); return; }
            _journal.CountOperation(route.Action);
            var qualifier = call.QueryValue("qualifier");
            var problem = route.CheckNames(qualifier);
            if (problem != null) { await call.ErrorAsync(new EmulatorError(400, "InvalidArgument", problem)).ConfigureAwait(false); return; }

            EmulatedFunction function = null;
            EmulatorVersioning versioning = null;
            string owner = null;
            if (route.IsFunctionOperation)
            {
                function = _functions.Find(route.Service, route.Function, out var notFound);
                if (function == null) { await call.ErrorAsync(notFound).ConfigureAwait(false); return; }
                versioning = function.Versioning;
                owner = function.VersioningOwner;
            }
            else if (route.Service != null)
            {
                if (!_functions.HasService(route.Service)) { await call.ErrorAsync(EmulatorFunctions.ServiceNotFound(route.Service)).ConfigureAwait(false); return; }
                versioning = _functions.ServiceVersioning(route.Service);
                owner = route.Service;
            }
            if (qualifier != null && versioning != null)
            {
                var unresolved = versioning.Resolve(qualifier, call.IsV2, owner, NextWeightDraw, out var resolved);
                if (unresolved != null) { await call.ErrorAsync(unresolved).ConfigureAwait(false); return; }
                call.Qualifier = qualifier;
                call.Version = resolved;
            }

            var bodyError = await _bodies.ReadAsync(call, route.MaxBodyBytes(EmulatorInvokeHandler.IsAsync(call.Headers)), signedSha256).ConfigureAwait(false);
            if (bodyError != null) { await call.ErrorAsync(bodyError).ConfigureAwait(false); return; }

            if ((route.Operation == EmulatorOperation.InvokeFunction || route.IsTaskOperation) &&
                await _faults.TryRefuseBeforeRunAsync(call, _shutdown).ConfigureAwait(false)) return;
            await DispatchAsync(call, route, function, versioning, owner).ConfigureAwait(false);
        }

        private Task DispatchAsync(EmulatorCall call, EmulatorRoute route, EmulatedFunction function, EmulatorVersioning versioning, string owner)
        {
            switch (route.Operation)
            {
                case EmulatorOperation.InvokeFunction: return _invoke.InvokeAsync(call, function);
                case EmulatorOperation.ListAsyncTasks: return _taskRoutes.ListAsync(call, function);
                case EmulatorOperation.GetAsyncTask: return _taskRoutes.GetAsync(call, function, route.Name);
                case EmulatorOperation.StopAsyncTask: return _taskRoutes.StopAsync(call, function, route.Name);
                case EmulatorOperation.ListServices: return _catalog.ListServicesAsync(call);
                case EmulatorOperation.GetService: return _catalog.GetServiceAsync(call, route.Service);
                case EmulatorOperation.ListFunctions: return _catalog.ListFunctionsAsync(call, route.Service);
                case EmulatorOperation.GetFunction: return _catalog.GetFunctionAsync(call, function);
                case EmulatorOperation.ListAliases: return _catalog.ListAliasesAsync(call, versioning);
                case EmulatorOperation.GetAlias: return _catalog.GetAliasAsync(call, versioning, route.Name, owner);
                case EmulatorOperation.ListVersions: return _catalog.ListVersionsAsync(call, versioning);
                case EmulatorOperation.ListTriggers: return _triggers.ListAsync(call, function);
                case EmulatorOperation.GetTrigger: return _triggers.GetAsync(call, function, route.Name);
                case EmulatorOperation.GetAsyncInvokeConfig: return _asyncConfigs.GetAsync(call, function);
                case EmulatorOperation.ListAsyncInvokeConfigs: return _asyncConfigs.ListAllAsync(call);
                case EmulatorOperation.ListFunctionAsyncInvokeConfigs: return _asyncConfigs.ListForFunctionAsync(call, function);
                case EmulatorOperation.ListStatefulAsyncInvocationFunctions: return _asyncConfigs.ListStatefulFunctionsAsync(call);
                default: return NotSupportedAsync(call);
            }
        }

        private double NextWeightDraw()
        {
            lock (_weights) return _weights.NextDouble();
        }

        /// <summary>FC's answer for a path (or method) it has no operation for; also what the emulator says to write operations.</summary>
        public static Task NotSupportedAsync(EmulatorCall call) =>
            call.ErrorAsync(new EmulatorError(400, "PathNotSupported", $"'{call.Method}' against '{call.Path}' is not supported"));
    }
}
