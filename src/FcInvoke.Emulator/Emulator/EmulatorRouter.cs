using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// Sends each request to the handler FC would: the catalog (read-only control plane), InvokeFunction, or the task
    /// routes; refuses unauthenticated requests and answers FC's errors for unknown paths and functions.
    /// </summary>
    internal sealed class EmulatorRouter
    {
        private readonly EmulatorAuthenticator _auth;
        private readonly EmulatorCatalog _catalog;
        private readonly EmulatorFunctions _functions;
        private readonly EmulatorFaultInjector _faults;
        private readonly EmulatorInvokeHandler _invoke;
        private readonly EmulatorTaskRoutes _taskRoutes;
        private readonly CancellationToken _shutdown;

        public EmulatorRouter(EmulatorAuthenticator auth, EmulatorCatalog catalog, EmulatorFunctions functions, EmulatorFaultInjector faults,
                              EmulatorInvokeHandler invoke, EmulatorTaskRoutes taskRoutes, CancellationToken shutdown)
        {
            _auth = auth;
            _catalog = catalog;
            _functions = functions;
            _faults = faults;
            _invoke = invoke;
            _taskRoutes = taskRoutes;
            _shutdown = shutdown;
        }

        public async Task RouteAsync(EmulatorCall call)
        {
            var segments = call.Segments;
            if (segments.Length == 0 || !FcApiVersions.TryParse(segments[0], out var version))
            {
                await NotSupportedAsync(call).ConfigureAwait(false);
                return;
            }
            call.IsV2 = version == FcApiVersion.V20210406;
            call.Body = await call.ReadBodyAsync(FcNames.MaxSyncPayloadBytes + 1024 * 1024).ConfigureAwait(false);
            if (call.Body == null)
            {
                await call.ErrorAsync(new EmulatorError(400, "EntityTooLarge", $"payload size exceeds maximum allowed size ({FcNames.MaxSyncPayloadBytes} bytes)")).ConfigureAwait(false);
                return;
            }
            var authError = _auth.Verify(call.Method, call.Path, call.Query, call.Headers, call.Body, DateTimeOffset.UtcNow);
            if (authError != null) { await call.ErrorAsync(authError).ConfigureAwait(false); return; }
            if (await _catalog.TryRouteAsync(call, segments).ConfigureAwait(false)) return;

            // Path after the version: [services/{s}/]functions/{f}/<rest>
            int i = 1;
            string service = null;
            if (call.IsV2)
            {
                if (segments.Length < 3 || segments[1] != "services") { await NotSupportedAsync(call).ConfigureAwait(false); return; }
                service = segments[2];
                i = 3;
            }
            if (segments.Length < i + 2 || segments[i] != "functions") { await NotSupportedAsync(call).ConfigureAwait(false); return; }
            var functionName = segments[i + 1];
            var rest = segments.Skip(i + 2).ToArray();

            var function = _functions.Find(service, functionName, out var notFound);
            if (function == null) { await call.ErrorAsync(notFound).ConfigureAwait(false); return; }
            if (await _faults.TryRefuseBeforeRunAsync(call, _shutdown).ConfigureAwait(false)) return;

            var tasks = EmulatorTaskRoutes.Collection(call.IsV2);
            if (rest.Length == 1 && rest[0] == "invocations" && call.Method == "POST")
                await _invoke.InvokeAsync(call, function).ConfigureAwait(false);
            else if (rest.Length == 1 && rest[0] == tasks && call.Method == "GET")
                await _taskRoutes.ListAsync(call, function).ConfigureAwait(false);
            else if (rest.Length == 2 && rest[0] == tasks && call.Method == "GET")
                await _taskRoutes.GetAsync(call, function, rest[1]).ConfigureAwait(false);
            else if (call.Method == "PUT" && rest.Length >= 2 && rest[0] == tasks &&
                     ((call.IsV2 && rest.Length == 2) || (!call.IsV2 && rest.Length == 3 && rest[2] == "stop")))
                await _taskRoutes.StopAsync(call, function, rest[1]).ConfigureAwait(false);
            else
                await NotSupportedAsync(call).ConfigureAwait(false);
        }

        private static Task NotSupportedAsync(EmulatorCall call) =>
            call.ErrorAsync(new EmulatorError(400, "PathNotSupported", $"'{call.Method}' against '{call.Path}' is not supported"));
    }
}
