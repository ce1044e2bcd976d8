using System.Threading.Tasks;

namespace FcInvoke.Emulator
{
    /// <summary>ListTriggers and GetTrigger, and the requests that arrive on HTTP trigger URLs.</summary>
    internal sealed class EmulatorTriggerRoutes
    {
        /// <summary>True when the request was for a trigger URL and has been answered.</summary>
        public Task<bool> TryHandleRequestAsync(EmulatorCall call) => Task.FromResult(false);

        public Task ListAsync(EmulatorCall call, EmulatedFunction function) =>
            EmulatorPaging.ListAsync(call, new string[0], "triggers", t => t, (w, t) => { });

        public Task GetAsync(EmulatorCall call, EmulatedFunction function, string triggerName) =>
            call.ErrorAsync(new EmulatorError(404, "TriggerNotFound", $"trigger '{triggerName}' does not exist in function '{function.FunctionName}'"));
    }
}
