using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>One trigger as ListTriggers lists it (both API versions), read totally: what is absent or mistyped stays empty.</summary>
    internal sealed class FcTriggerInfo
    {
        public string TriggerName { get; set; }
        public string TriggerType { get; set; }
        public string Qualifier { get; set; }
        /// <summary>triggerConfig.authType, lower case: anonymous, function, jwt, ...; null when the config names none.</summary>
        public string AuthType { get; set; }
        /// <summary>triggerConfig.methods, upper case; empty when the config lists none.</summary>
        public IReadOnlyList<string> Methods { get; set; } = Array.Empty<string>();
        public bool DisableUrlInternet { get; set; }
        public string UrlInternet { get; set; }
        public string UrlIntranet { get; set; }
        public bool IsHttp => string.Equals(TriggerType, "http", StringComparison.OrdinalIgnoreCase);
        /// <summary>The qualifier as FC means it: LATEST when the trigger names none.</summary>
        public string EffectiveQualifier => string.IsNullOrEmpty(Qualifier) ? "LATEST" : Qualifier;
    }

    /// <summary>Where a function's HTTP trigger is and what it takes: the URL to call, its auth type and methods.</summary>
    internal sealed class FcTriggerTarget
    {
        /// <summary>The function, with the trigger's qualifier.</summary>
        public FcFunctionRef Function { get; set; }
        public string TriggerName { get; set; }
        public string AuthType { get; set; }
        public IReadOnlyList<string> Methods { get; set; } = Array.Empty<string>();
        /// <summary>The trigger URL (urlInternet or urlIntranet), or FC 2.0's /proxy/ base on the account endpoint.</summary>
        public Uri BaseUri { get; set; }
        public bool Intranet { get; set; }
        public bool IsProxyPath => FcProxySignature.IsProxyPath(BaseUri.AbsolutePath);
    }

    /// <summary>
    /// Finds a function's HTTP trigger with ListTriggers (http-triggers.md §1): FC 3.0 puts the URLs under httpTrigger, FC 2.0
    /// at the top level of a trigger; triggerConfig is a JSON string. The trigger is the HTTP one whose qualifier is the one
    /// asked for, else LATEST's, else the only one (FC allows one HTTP trigger per version or alias). An FC 2.0 trigger that
    /// lists no URL is reached on FC's documented /2016-08-15/proxy/ path of the account endpoint.
    /// </summary>
    internal static class FcTriggerDiscovery
    {
        /// <summary>A function has a handful of triggers; a listing that goes on past this many pages is not progressing.</summary>
        public const int MaxPages = 20;

        public static async Task<FcTriggerTarget> FindAsync(FcClient client, FcFunctionRef fn, bool intranet, FcCallOptions options, IFcLog log,
                                                            CancellationToken cancellationToken)
        {
            var triggers = new List<FcTriggerInfo>();
            var progress = new FcListingProgress();
            string token = null;
            while (true)
            {
                var request = new FcListQuery { Limit = FcListQuery.MaxPageSize, NextToken = token }.ApplyTo(FcOperations.ListTriggers(fn));
                var response = await client.SendAsync(request, options, log, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccess) throw FcErrorParser.Parse(response, request.Action);
                var page = ParsePage(response, request.Action, out var next);
                triggers.AddRange(page);
                if (string.IsNullOrEmpty(next)) break;
                var stalled = progress.Stalled(page.Count, next) ??
                              (progress.Pages >= MaxPages ? $"went on past {MaxPages} pages, more than a function's triggers fill" : null);
                if (stalled != null)
                    throw new FcPagingException(request.Action, $"ListTriggers of '{fn}' {stalled}; {triggers.Count} triggers were read.");
                token = next;
            }
            var target = Pick(fn, triggers, intranet, client.Connection.Endpoint);
            log?.Verbose($"ListTriggers: the HTTP trigger '{target.TriggerName}' of '{fn.FunctionName}' (qualifier {target.Function.Qualifier}, " +
                         $"authType {target.AuthType ?? "function"}) is at {target.BaseUri.AbsoluteUri}.");
            return target;
        }

        /// <summary>The triggers of one page and its nextToken; an answer that is not a JSON object is <see cref="FcUnexpectedResponseException"/>.</summary>
        internal static List<FcTriggerInfo> ParsePage(FcResponse response, string action, out string nextToken)
        {
            nextToken = null;
            var result = new List<FcTriggerInfo>();
            using (var doc = FcResponseText.ParseObject(response, action))
            {
                var root = doc.RootElement;
                if (root.TryGetProperty("nextToken", out var next) && next.ValueKind == JsonValueKind.String) nextToken = next.GetString();
                if (!root.TryGetProperty("triggers", out var list) || list.ValueKind != JsonValueKind.Array) return result;
                foreach (var item in list.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.Object) result.Add(ParseTrigger(item));
            }
            return result;
        }

        internal static FcTriggerInfo ParseTrigger(JsonElement item)
        {
            var info = new FcTriggerInfo
            {
                TriggerName = Text(item, "triggerName"),
                TriggerType = Text(item, "triggerType"),
                Qualifier = Text(item, "qualifier"),
                UrlInternet = Text(item, "urlInternet"),
                UrlIntranet = Text(item, "urlIntranet"),
            };
            if (item.TryGetProperty("httpTrigger", out var http) && http.ValueKind == JsonValueKind.Object)
            {
                info.UrlInternet = Text(http, "urlInternet") ?? info.UrlInternet;
                info.UrlIntranet = Text(http, "urlIntranet") ?? info.UrlIntranet;
            }
            if (item.TryGetProperty("triggerConfig", out var config))
            {
                if (config.ValueKind == JsonValueKind.String) ReadConfig(config.GetString(), info);
                else if (config.ValueKind == JsonValueKind.Object) ReadConfig(config, info);
            }
            return info;
        }

        private static void ReadConfig(string json, FcTriggerInfo info)
        {
            if (string.IsNullOrWhiteSpace(json)) return;
            try
            {
                using (var doc = JsonDocument.Parse(json))
                    if (doc.RootElement.ValueKind == JsonValueKind.Object) ReadConfig(doc.RootElement, info);
            }
            catch (JsonException)
            {
                // A config that is not JSON says nothing: the defaults stand (authType function, any method).
            }
        }

        private static void ReadConfig(JsonElement config, FcTriggerInfo info)
        {
            info.AuthType = Text(config, "authType")?.Trim().ToLowerInvariant();
            if (config.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array)
                info.Methods = methods.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String)
                                      .Select(m => m.GetString().Trim().ToUpperInvariant()).Where(m => m.Length > 0).Distinct().ToList();
            if (config.TryGetProperty("disableURLInternet", out var disable))
                info.DisableUrlInternet = disable.ValueKind == JsonValueKind.True;
        }

        private static string Text(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString().Length > 0 ? value.GetString() : null;

        /// <summary>
        /// The trigger to call among a function's triggers, or <see cref="FcInputException"/> (FcHttpTriggerNotFound) saying
        /// what there is: no HTTP trigger, none for the qualifier asked for (listing those there are), several and none for
        /// LATEST, or no URL of the kind asked for.
        /// </summary>
        internal static FcTriggerTarget Pick(FcFunctionRef fn, IReadOnlyList<FcTriggerInfo> triggers, bool intranet, FcEndpoint apiEndpoint)
        {
            var name = fn.IsV2 ? $"{fn.ServiceName}/{fn.FunctionName}" : fn.FunctionName;
            var http = triggers.Where(t => t.IsHttp).ToList();
            if (http.Count == 0)
            {
                var others = triggers.Select(t => $"{t.TriggerType ?? "?"} '{t.TriggerName}'").ToList();
                throw NotFound($"'{name}' has no HTTP trigger" + (others.Count > 0 ? $" (its triggers: {string.Join(", ", others)})" : string.Empty) +
                               ". Invoke it with Invoke-FcFunction, or give a trigger URL with -Uri.");
            }
            FcTriggerInfo chosen;
            var qualifiers = string.Join(", ", http.Select(t => t.EffectiveQualifier).Distinct());
            if (fn.Qualifier != null)
            {
                chosen = http.FirstOrDefault(t => string.Equals(t.EffectiveQualifier, fn.Qualifier,
                    fn.Qualifier.Equals("LATEST", StringComparison.OrdinalIgnoreCase) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
                if (chosen == null)
                    throw NotFound($"'{name}' has no HTTP trigger for the qualifier '{fn.Qualifier}'; its HTTP triggers are for {qualifiers}. Give one of those with -Qualifier.");
            }
            else
            {
                chosen = http.FirstOrDefault(t => t.EffectiveQualifier.Equals("LATEST", StringComparison.OrdinalIgnoreCase)) ?? (http.Count == 1 ? http[0] : null);
                if (chosen == null)
                    throw NotFound($"'{name}' has HTTP triggers for several qualifiers ({qualifiers}) and none for LATEST: say which with -Qualifier.");
            }

            var url = intranet ? chosen.UrlIntranet : chosen.DisableUrlInternet ? null : chosen.UrlInternet;
            Uri baseUri = null;
            if (!string.IsNullOrEmpty(url) && (!Uri.TryCreate(url, UriKind.Absolute, out baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps)))
                throw NotFound($"ListTriggers gave the HTTP trigger '{chosen.TriggerName}' of '{name}' the URL '{url}', which is not an http(s) URL.");
            if (baseUri == null)
            {
                if (fn.IsV2)
                {
                    // FC 2.0's documented path for HTTP triggers, on the account endpoint (fc-protocol.md §2.4).
                    baseUri = apiEndpoint.Resolve(FcProxySignature.BasePath(fn.ServiceName, chosen.EffectiveQualifier, fn.FunctionName));
                }
                else if (intranet)
                {
                    throw NotFound($"The HTTP trigger '{chosen.TriggerName}' of '{name}' lists no intranet URL; leave -Internal out to call its public URL.");
                }
                else
                {
                    throw NotFound(chosen.DisableUrlInternet
                        ? $"The public URL of the HTTP trigger '{chosen.TriggerName}' of '{name}' is disabled (disableURLInternet): call it from its VPC with -Internal."
                        : $"The HTTP trigger '{chosen.TriggerName}' of '{name}' lists no public URL; call it from its VPC with -Internal, or give its URL with -Uri.");
                }
            }
            return new FcTriggerTarget
            {
                Function = new FcFunctionRef(fn.FunctionName, fn.ServiceName, chosen.EffectiveQualifier),
                TriggerName = chosen.TriggerName,
                AuthType = chosen.AuthType,
                Methods = chosen.Methods,
                BaseUri = baseUri,
                Intranet = intranet,
            };
        }

        private static FcInputException NotFound(string message) => new FcInputException(FcErrorIds.HttpTriggerNotFound, message);
    }
}
