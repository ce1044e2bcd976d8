using System.Management.Automation;
using FcInvoke.Core;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Base of the cmdlets that act on one function (invoke it, or its async tasks): its identity, bindable by property name
    /// from invocation results, tasks and function objects, with completion. -FunctionName also takes the form tables show,
    /// 'service/function:qualifier' (<see cref="FcFunctionName"/>).
    /// </summary>
    public abstract class FcFunctionCmdlet : FcCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Name")]
        [ArgumentCompleter(typeof(FcFunctionNameCompleter))]
        public string FunctionName { get; set; }

        /// <summary>The FC 2.0 service; null or empty (as an FC 3.0 object piped in carries) means FC 3.0.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(FcServiceNameCompleter))]
        public string ServiceName { get; set; }

        /// <summary>Version or alias; null or empty means LATEST.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(FcQualifierCompleter))]
        public string Qualifier { get; set; }

        /// <summary>
        /// The function this input names (the 'service/function:qualifier' shorthand resolved), checked against FC's naming
        /// rules; writes an FcInvalidName error and returns false when it cannot be sent.
        /// (Task ids are not pattern-checked by the task cmdlets: ids FC generates, GUIDs, may start with a digit.)
        /// </summary>
        internal bool TryGetFunction(object target, out FcFunctionRef function, FcFailureContext context = null)
        {
            var problem = FcFunctionName.Resolve(FunctionName, ServiceName, Qualifier, out function) ?? FcNames.CheckFunction(function);
            if (problem == null) return true;
            WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, target, context));
            return false;
        }
    }
}
