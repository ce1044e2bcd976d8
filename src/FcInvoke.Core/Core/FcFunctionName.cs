namespace FcInvoke.Core
{
    /// <summary>
    /// The display form of a function, 'service/function:qualifier' (as tables show it), accepted wherever a function is
    /// named: 'svc/fn' is shorthand for -ServiceName svc -FunctionName fn, 'fn:prod' for -FunctionName fn -Qualifier prod.
    /// FC names never contain '/' or ':', so the form is unambiguous; '$' (FC 3.0 names of upgraded FC 2.0 functions) stays part of the name.
    /// </summary>
    internal static class FcFunctionName
    {
        /// <summary>
        /// The parts of <paramref name="name"/>; a part it does not give is null. Null when the name is neither form (the
        /// function name as it is); otherwise a problem message when the form is broken ('svc/', '/fn', 'a/b/c', 'fn:').
        /// </summary>
        public static string Split(string name, out string service, out string function, out string qualifier)
        {
            service = null;
            qualifier = null;
            function = name;
            if (string.IsNullOrEmpty(name) || (name.IndexOf('/') < 0 && name.IndexOf(':') < 0)) return null;

            var rest = name;
            var slash = rest.IndexOf('/');
            if (slash >= 0)
            {
                if (rest.IndexOf('/', slash + 1) >= 0)
                    return $"'{name}' is not a function name: use 'function', or 'service/function' for an FC 2.0 function (one '/').";
                service = rest.Substring(0, slash);
                rest = rest.Substring(slash + 1);
            }
            var colon = rest.IndexOf(':');
            if (colon >= 0)
            {
                qualifier = rest.Substring(colon + 1);
                rest = rest.Substring(0, colon);
            }
            function = rest;
            if (service != null && service.Length == 0 || function.Length == 0 || qualifier != null && qualifier.Length == 0)
                return $"'{name}' is not a function name: 'service/function:qualifier' needs each part it has ('function', 'service/function', 'function:qualifier').";
            return null;
        }

        /// <summary>
        /// The function named by a -FunctionName value together with -ServiceName and -Qualifier: the shorthand's parts
        /// fill the parameters that were not given, and must agree with those that were. Returns a problem message or null.
        /// </summary>
        public static string Resolve(string functionName, string serviceName, string qualifier, out FcFunctionRef function)
        {
            function = new FcFunctionRef(functionName, serviceName, qualifier);
            var problem = Split(functionName, out var service, out var name, out var q);
            if (problem != null) return problem;
            if (service == null && q == null) return null;
            if (service != null && !string.IsNullOrEmpty(serviceName) && service != serviceName)
                return $"-FunctionName '{functionName}' names the service '{service}', but -ServiceName says '{serviceName}': give the service once.";
            if (q != null && !string.IsNullOrEmpty(qualifier) && q != qualifier)
                return $"-FunctionName '{functionName}' names the qualifier '{q}', but -Qualifier says '{qualifier}': give the qualifier once.";
            function = new FcFunctionRef(name, service ?? serviceName, q ?? qualifier);
            return null;
        }
    }
}
