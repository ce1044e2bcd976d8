using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using FcInvoke.Core;
using FcInvoke.Interop;

namespace FcInvoke.Commands
{
    /// <summary>The parameters of an invoking cmdlet that a piped object may bind and <see cref="PipelineBinding"/> may drop.</summary>
    internal interface IPipedFunctionInput
    {
        string ServiceName { get; set; }
        string Qualifier { get; set; }
        string AsyncTaskId { get; set; }
    }

    /// <summary>
    /// The pipeline binding rules the invoking cmdlets share (the table in docs/cmdlets/Invoke-FcFunction.md): a piped row
    /// or value is the input (Invoke-FcFunction's payload, Invoke-FcHttpTrigger's body) and names the function only with a
    /// FunctionName property; what else a plain row's properties would bind is not used, with a warning once per command
    /// naming the property; FcInvoke's own objects choose the function, service and qualifier; what the user names on the
    /// command line (a value or a delay-bind script block) always wins. Made in BeginProcessing.
    /// </summary>
    internal sealed class PipelineBinding
    {

        private readonly PSCmdlet _cmdlet;
        private readonly HashSet<string> _named;
        private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly string _rowIs;
        private readonly string _ownObjectsChoose;

        /// <param name="rowIs">What a piped row is, e.g. "the payload".</param>
        /// <param name="ownObjectsChoose">What only FcInvoke's own objects choose, e.g. "the service, qualifier or task id".</param>
        public PipelineBinding(PSCmdlet cmdlet, string rowIs, string ownObjectsChoose)
        {
            _cmdlet = cmdlet;
            _named = new HashSet<string>(cmdlet.MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
            _rowIs = rowIs;
            _ownObjectsChoose = ownObjectsChoose;
        }

        /// <summary>Whether the user named the parameter on the command line (a value or a delay-bind script block).</summary>
        public bool IsNamed(string parameter) => _named.Contains(parameter);

        /// <summary>Whether the parameter was bound from the current piped object's properties (not named on the command line).</summary>
        public bool FromPipeline(string parameter) => _cmdlet.MyInvocation.BoundParameters.ContainsKey(parameter) && !_named.Contains(parameter);

        /// <summary>Says once per command which property of the piped rows was not used (an empty one changes nothing: no warning).</summary>
        public void WarnColumn(PSObject piped, string value, string parameter, params string[] properties)
        {
            if (string.IsNullOrEmpty(value)) return;
            var property = properties.FirstOrDefault(p => piped.Properties[p] != null) ?? properties[0];
            if (!_warned.Add(property)) return;
            _cmdlet.WriteWarning($"The piped objects' '{property}' property was not used as -{parameter}: a piped row is {_rowIs}, and only FcInvoke's own objects " +
                                 $"(functions, results, tasks) choose {_ownObjectsChoose}. To take it from each input, give -{parameter} {{ $_.{property} }}.");
        }

        /// <summary>
        /// The rules for what names the function, for every invoking cmdlet: nothing piped chooses the task id (FcInvoke's
        /// own objects carry theirs, and resending it would be FC's "already exists"); a plain row or value never chooses
        /// the service or qualifier, and names the function only with a FunctionName property. Drops what a piped object
        /// may not choose (a warning names a plain row's property, once per command); returns the error to write when this
        /// input names no function, else null.
        /// </summary>
        public ErrorRecord ApplyFunctionRules(IPipedFunctionInput input, PSObject piped, bool fcObject, FcFailureContext failure)
        {
            if (FromPipeline(nameof(input.AsyncTaskId)))
            {
                if (!fcObject) WarnColumn(piped, input.AsyncTaskId, nameof(input.AsyncTaskId), "AsyncTaskId", "TaskId");
                input.AsyncTaskId = null;
            }
            if (fcObject) return null;
            if (Drop(piped, nameof(input.ServiceName), input.ServiceName)) input.ServiceName = null;
            if (Drop(piped, nameof(input.Qualifier), input.Qualifier)) input.Qualifier = null;
            if (FromPipeline("FunctionName") && piped.Properties["FunctionName"] == null)
                return FcErrors.Input(FcErrorIds.InvalidArgument,
                    $"No function is named for this input: give it on the command line ({_cmdlet.MyInvocation.MyCommand.Name} <name>), or per input with " +
                    "-FunctionName { $_.<property> }. A piped object names the function only with a FunctionName property; its 'Name' is not taken as one.",
                    failure.Input, failure);
            return null;
        }

        /// <summary>
        /// Whether a piped row's property of the same name bound the parameter (which only the command line may give): the
        /// caller then drops the value; the warning names the property once per command.
        /// </summary>
        public bool Drop(PSObject piped, string parameter, string value)
        {
            if (!FromPipeline(parameter)) return false;
            WarnColumn(piped, value, parameter, parameter);
            return true;
        }

        /// <summary>A -Header hashtable as name/value pairs: values as text, several values joined with ", " as HTTP folds them.</summary>
        public static List<KeyValuePair<string, string>> HeaderPairs(IDictionary header)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (header == null) return pairs;
            foreach (DictionaryEntry entry in header)
            {
                var value = PSJson.Unwrap(entry.Value);
                var text = value is IEnumerable many && !(value is string)
                    ? string.Join(", ", many.Cast<object>().Select(Text))
                    : Text(value);
                pairs.Add(new KeyValuePair<string, string>(Text(entry.Key), text));
            }
            return pairs;
        }

        /// <summary>A value as text, as PowerShell's invariant conversion writes it.</summary>
        public static string Text(object value) => Convert.ToString(PSJson.Unwrap(value), CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
