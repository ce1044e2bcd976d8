using System;
using System.Linq;
using System.Management.Automation;
using FcInvoke.Core;

namespace FcInvoke.Commands
{
    /// <summary>Get-FcFunction: gets functions by name, or lists them (wildcards, paging); FC 2.0 with -ServiceName.</summary>
    [Cmdlet(VerbsCommon.Get, "FcFunction", SupportsPaging = true)]
    [OutputType(typeof(FcFunctionInfo))]
    public sealed class GetFcFunctionCommand : FcCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("Name")]
        [ArgumentCompleter(typeof(FcFunctionNameCompleter))]
        public string[] FunctionName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(FcServiceNameCompleter))]
        public string ServiceName { get; set; }

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

        private FcPager _pager;

        protected override void BeginProcessing() => _pager = new FcPager(this);

        protected override void ProcessRecord()
        {
            var service = string.IsNullOrEmpty(ServiceName) ? null : ServiceName;
            var problem = (service != null ? FcNames.CheckServiceName(service) : null) ??
                          (string.IsNullOrEmpty(Qualifier) ? null : FcNames.CheckQualifier(Qualifier));
            if (problem != null) { WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, (object)service ?? Qualifier)); return; }

            foreach (var name in FunctionName ?? new[] { "*" })
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    var query = new FcListQuery { Prefix = FcWildcardName.LiteralPrefix(name), Limit = PageSize };
                    _pager.WritePages(query, (q, log, ct) => FcCatalog.ListFunctionsAsync(Connect(), service, Qualifier, q, CallOptions(TimeoutSec), log, ct),
                                      f => pattern.IsMatch(f.FunctionName), name, FcWildcardName.IsPrefixOnly(name));
                }
                else
                {
                    var fn = new FcFunctionRef(name, service, Qualifier);
                    problem = FcNames.CheckFunction(fn);
                    if (problem != null) { WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, name)); continue; }
                    if (TryRun((log, ct) => FcCatalog.GetFunctionAsync(Connect(), fn, CallOptions(TimeoutSec), log, ct), name, out var info))
                        _pager.Write(info);
                }
                if (_pager.Satisfied) return;
            }
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
                    _pager.WritePages(query, (q, log, ct) => FcCatalog.ListServicesAsync(Connect(), q, CallOptions(TimeoutSec), log, ct),
                                      s => pattern.IsMatch(s.ServiceName), name, FcWildcardName.IsPrefixOnly(name));
                    if (_pager.Satisfied) return;
                    continue;
                }
                var problem = FcNames.CheckServiceName(name);
                if (problem != null) { WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, name)); continue; }
                if (TryRun((log, ct) => FcCatalog.GetServiceAsync(Connect(), name, CallOptions(TimeoutSec), log, ct), name, out var info))
                    _pager.Write(info);
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
