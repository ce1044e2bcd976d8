using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>What paging needs of any list query: the page size to ask for and where to continue.</summary>
    internal interface IFcPagedQuery
    {
        /// <summary>1 to 100; 0 leaves FC's default.</summary>
        int Limit { get; set; }
        string NextToken { get; set; }
    }

    internal sealed class FcListQuery : IFcPagedQuery
    {
        public const int MaxPageSize = 100;

        public string Prefix { get; set; }
        /// <summary>1 to 100; 0 leaves FC's default.</summary>
        public int Limit { get; set; }
        public string NextToken { get; set; }

        public FcRequest ApplyTo(FcRequest request) => request
            .WithQuery("limit", Limit > 0 ? Math.Min(Limit, MaxPageSize).ToString(CultureInfo.InvariantCulture) : null)
            .WithQuery("nextToken", NextToken)
            .WithQuery("prefix", Prefix);
    }

    /// <summary>The read-only control-plane calls: list and get functions and services, and the qualifiers of a function.</summary>
    internal static class FcCatalog
    {
        public static async Task<FcPage<FcFunctionInfo>> ListFunctionsAsync(FcClient client, string serviceName, string qualifier, FcListQuery query,
                                                                            FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var request = query.ApplyTo(FcOperations.ListFunctions(serviceName));
            if (!string.IsNullOrEmpty(serviceName)) request.WithQuery("qualifier", qualifier);
            var response = await SendAsync(client, request, options, log, ct).ConfigureAwait(false);
            var page = FcCatalogJson.ParseFunctionPage(response, request.Action, serviceName, request.ApiVersion);
            foreach (var f in page.Items) f.Qualifier = string.IsNullOrEmpty(qualifier) ? null : qualifier;
            return page;
        }

        public static async Task<FcFunctionInfo> GetFunctionAsync(FcClient client, FcFunctionRef fn, FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var request = FcOperations.GetFunction(fn);
            var response = await SendAsync(client, request, options, log, ct).ConfigureAwait(false);
            var info = FcCatalogJson.ParseFunction(response, request.Action, fn.ServiceName, request.ApiVersion);
            if (string.IsNullOrEmpty(info.FunctionName)) info.FunctionName = fn.FunctionName;
            info.Qualifier = fn.Qualifier;
            return info;
        }

        public static async Task<FcPage<FcServiceInfo>> ListServicesAsync(FcClient client, FcListQuery query, FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var request = query.ApplyTo(FcOperations.ListServices());
            var response = await SendAsync(client, request, options, log, ct).ConfigureAwait(false);
            return FcCatalogJson.ParseServicePage(response, request.Action);
        }

        public static async Task<FcServiceInfo> GetServiceAsync(FcClient client, string serviceName, FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var request = FcOperations.GetService(serviceName);
            var response = await SendAsync(client, request, options, log, ct).ConfigureAwait(false);
            var info = FcCatalogJson.ParseService(response, request.Action);
            if (string.IsNullOrEmpty(info.ServiceName)) info.ServiceName = serviceName;
            return info;
        }

        /// <summary>LATEST, the aliases and the published versions of a function (FC 2.0: of its service), first page of each.</summary>
        public static async Task<IReadOnlyList<string>> ListQualifiersAsync(FcClient client, FcFunctionRef fn, FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var query = new FcListQuery { Limit = FcListQuery.MaxPageSize };
            var aliases = SendAsync(client, query.ApplyTo(FcOperations.ListAliases(fn)), options, log, ct);
            var versions = SendAsync(client, query.ApplyTo(FcOperations.ListVersions(fn)), options, log, ct);
            await Task.WhenAll(aliases, versions).ConfigureAwait(false);
            var names = new List<string> { "LATEST" };
            names.AddRange(FcCatalogJson.ParseAliasPage(aliases.Result, "ListAliases").Items);
            names.AddRange(FcCatalogJson.ParseVersionPage(versions.Result, "ListVersions").Items);
            return names.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).ToList();
        }

        private static async Task<FcResponse> SendAsync(FcClient client, FcRequest request, FcCallOptions options, IFcLog log, CancellationToken ct)
        {
            var response = await client.SendAsync(request, options, log, ct).ConfigureAwait(false);
            if (!response.IsSuccess) throw FcErrorParser.Parse(response, request.Action);
            return response;
        }
    }
}
