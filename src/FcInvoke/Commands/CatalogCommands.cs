using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using FcInvoke.Core;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Get-FcFunction: gets functions by name, or lists them (wildcards, paging); FC 2.0 with -ServiceName (wildcards list
    /// the functions of every matching service), both with -All. Names may take the form tables show, 'service/function'.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "FcFunction", SupportsPaging = true, DefaultParameterSetName = ByServiceSet)]
    [OutputType(typeof(FcFunctionInfo))]
    public sealed class GetFcFunctionCommand : FcCmdlet
    {
        private const string ByServiceSet = "ByService";
        private const string AllSet = "All";

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("Name")]
        [ArgumentCompleter(typeof(FcFunctionNameCompleter))]
        public string[] FunctionName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ByServiceSet)]
        [SupportsWildcards]
        [AllowNull]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(FcServiceNameCompleter))]
        public string ServiceName { get; set; }

        /// <summary>Every function: the FC 3.0 functions, then those of every FC 2.0 service.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AllSet)]
        public SwitchParameter All { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(FcQualifierCompleter))]
        public string Qualifier { get; set; }

        [Parameter]
        [ValidateRange(1, FcListQuery.MaxPageSize)]
        public int PageSize { get; set; } = FcListQuery.MaxPageSize;

        /// <summary>Bound for each call in seconds, retries included; 0 (the default) limits each attempt to 30 s instead.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <summary>The piped object: a service of FcInvoke brings the connection it came from; a string is a function name.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        private FcPager _pager;

        protected override void BeginProcessing() => _pager = new FcPager(this);

        protected override void ProcessRecord()
        {
            var names = FunctionName;
            // A piped name is a function name ('hello', 'svc/hello' | Get-FcFunction).
            if (names == null && InputObject?.BaseObject is string piped) names = new[] { piped };
            var fromInput = ContextOf(InputObject);

            foreach (var given in names ?? new[] { "*" })
            {
                var problem = FcFunctionName.Split(given, out var serviceInName, out var name, out var qualifierInName);
                if (problem != null) { WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, given)); continue; }
                var service = serviceInName ?? (string.IsNullOrEmpty(ServiceName) ? null : ServiceName);
                if (serviceInName != null && !string.IsNullOrEmpty(ServiceName) && serviceInName != ServiceName)
                {
                    WriteError(FcErrors.Input(FcErrorIds.InvalidName, $"-FunctionName '{given}' names the service '{serviceInName}', but -ServiceName says '{ServiceName}': give the service once.", given));
                    continue;
                }
                var qualifier = qualifierInName ?? (string.IsNullOrEmpty(Qualifier) ? null : Qualifier);
                problem = qualifier == null ? null : FcNames.CheckQualifier(qualifier);
                if (problem != null) { WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, given)); continue; }

                if (!WildcardPattern.ContainsWildcardCharacters(name) && !(service != null && WildcardPattern.ContainsWildcardCharacters(service)) &&
                    (problem = FcNames.CheckFunction(new FcFunctionRef(name, service, qualifier))) != null)
                {
                    WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, given));
                    continue;
                }
                // Resolved once a name is known to be valid: a bad name is reported before anything else.
                var connected = Connection(fromInput);
                if (All && serviceInName == null)
                {
                    Read(connected, null, name, qualifier, given);
                    if (_pager.Satisfied) return;
                    service = "*";
                }
                if (service != null && WildcardPattern.ContainsWildcardCharacters(service))
                {
                    foreach (var each in Services(connected, service, given))
                    {
                        Read(connected, each, name, qualifier, given);
                        if (_pager.Satisfied) return;
                    }
                }
                else
                {
                    if (service != null && (problem = FcNames.CheckServiceName(service)) != null) { WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, given)); continue; }
                    Read(connected, service, name, qualifier, given);
                }
                if (_pager.Satisfied) return;
            }
        }

        /// <summary>Lists (a wildcard name) or gets (a plain name) the functions of one service, or of FC 3.0 when <paramref name="service"/> is null.</summary>
        private void Read(FcConnected connected, string service, string name, string qualifier, string target)
        {
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var query = new FcListQuery { Prefix = FcWildcardName.LiteralPrefix(name), Limit = PageSize };
                _pager.WritePages(query, (q, log, ct) => FcCatalog.ListFunctionsAsync(connected.Client, service, qualifier, q, CallOptions(TimeoutSec), log, ct),
                                  f => { f.Context = connected.Context; return pattern.IsMatch(f.FunctionName); }, target, FcWildcardName.IsPrefixOnly(name));
                return;
            }
            var fn = new FcFunctionRef(name, service, qualifier);
            var problem = FcNames.CheckFunction(fn);
            if (problem != null) { WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, target)); return; }
            var failure = new FcFailureContext { Function = fn, Connection = connected, Input = target };
            if (TryRun((log, ct) => FcCatalog.GetFunctionAsync(connected.Client, fn, CallOptions(TimeoutSec), log, ct), target, out var info, failure))
            {
                info.Context = connected.Context;
                _pager.Write(info);
            }
        }

        /// <summary>The names of the FC 2.0 services that match a wildcard, every page of them.</summary>
        private List<string> Services(FcConnected connected, string pattern, string target)
        {
            var match = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
            var query = new FcListQuery { Prefix = FcWildcardName.LiteralPrefix(pattern), Limit = FcListQuery.MaxPageSize };
            var names = new List<string>();
            do
            {
                if (!TryRun((log, ct) => FcCatalog.ListServicesAsync(connected.Client, query, CallOptions(TimeoutSec), log, ct), target, out var page)) break;
                names.AddRange(page.Items.Select(s => s.ServiceName).Where(n => !string.IsNullOrEmpty(n) && match.IsMatch(n)));
                query.NextToken = page.NextToken;
            } while (query.NextToken != null);
            return names;
        }

        protected override void EndProcessing() => _pager.WriteTotalCountIfAsked();
    }

    /// <summary>Get-FcService: gets or lists FC 2.0 services (wildcards, paging); pipes into Get-FcFunction.</summary>
    [Cmdlet(VerbsCommon.Get, "FcService", SupportsPaging = true)]
    [OutputType(typeof(FcServiceInfo))]
    public sealed class GetFcServiceCommand : FcCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("Name")]
        [ArgumentCompleter(typeof(FcServiceNameCompleter))]
        public string[] ServiceName { get; set; }

        [Parameter]
        [ValidateRange(1, FcListQuery.MaxPageSize)]
        public int PageSize { get; set; } = FcListQuery.MaxPageSize;

        /// <summary>Bound for each call in seconds, retries included; 0 (the default) limits each attempt to 30 s instead.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        private FcPager _pager;

        protected override void BeginProcessing() => _pager = new FcPager(this);

        protected override void ProcessRecord()
        {
            foreach (var name in ServiceName ?? new[] { "*" })
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    var query = new FcListQuery { Prefix = FcWildcardName.LiteralPrefix(name), Limit = PageSize };
                    var connected = Connection();
                    _pager.WritePages(query, (q, log, ct) => FcCatalog.ListServicesAsync(connected.Client, q, CallOptions(TimeoutSec), log, ct),
                                      s => { s.Context = connected.Context; return pattern.IsMatch(s.ServiceName); }, name, FcWildcardName.IsPrefixOnly(name));
                    if (_pager.Satisfied) return;
                    continue;
                }
                var problem = FcNames.CheckServiceName(name);
                if (problem != null) { WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, name)); continue; }
                var used = Connection();
                if (TryRun((log, ct) => FcCatalog.GetServiceAsync(used.Client, name, CallOptions(TimeoutSec), log, ct), name, out var info))
                {
                    info.Context = used.Context;
                    _pager.Write(info);
                }
                if (_pager.Satisfied) return;
            }
        }

        protected override void EndProcessing() => _pager.WriteTotalCountIfAsked();
    }

    /// <summary>How a wildcard name narrows a list call: FC filters by literal prefix, the rest is matched here.</summary>
    internal static class FcWildcardName
    {
        private static readonly char[] Wildcards = { '*', '?', '[', '`' };

        /// <summary>The literal text before the first wildcard character; null when there is none.</summary>
        public static string LiteralPrefix(string pattern)
        {
            var i = pattern.IndexOfAny(Wildcards);
            var prefix = i < 0 ? pattern : pattern.Substring(0, i);
            return prefix.Length == 0 ? null : prefix;
        }

        /// <summary>True for 'abc*' and '*': every item FC returns for the prefix matches, so -First can bound the page size.</summary>
        public static bool IsPrefixOnly(string pattern) =>
            pattern.EndsWith("*", StringComparison.Ordinal) && pattern.IndexOfAny(Wildcards) == pattern.Length - 1;
    }
}
