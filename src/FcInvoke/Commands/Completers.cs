using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcInvoke.Commands
{
    /// <summary>-Region: the FC regions, with their locations as tool tips.</summary>
    internal sealed class FcRegionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters) =>
            FcCompletion.Matching(FcRegions.All, wordToComplete);
    }

    /// <summary>-FunctionName: the functions of the account (FC 3.0), or of -ServiceName (FC 2.0).</summary>
    internal sealed class FcFunctionNameCompleter : FcRemoteCompleter
    {
        protected override string CacheKey(IDictionary bound) => "functions|" + FcCompletion.Text(bound, "ServiceName");

        private protected override async Task<IEnumerable<string>> FetchAsync(FcClient client, IDictionary bound, FcCallOptions options, CancellationToken ct)
        {
            var service = FcCompletion.Text(bound, "ServiceName");
            var names = new List<string>();
            var query = new FcListQuery { Limit = FcListQuery.MaxPageSize };
            for (int page = 0; page < MaxPages; page++)
            {
                var result = await FcCatalog.ListFunctionsAsync(client, service, null, query, options, null, ct).ConfigureAwait(false);
                names.AddRange(result.Items.Select(f => f.FunctionName));
                if ((query.NextToken = result.NextToken) == null) break;
            }
            return names;
        }
    }

    /// <summary>-ServiceName: the FC 2.0 services of the account.</summary>
    internal sealed class FcServiceNameCompleter : FcRemoteCompleter
    {
        protected override string CacheKey(IDictionary bound) => "services";

        private protected override async Task<IEnumerable<string>> FetchAsync(FcClient client, IDictionary bound, FcCallOptions options, CancellationToken ct)
        {
            var names = new List<string>();
            var query = new FcListQuery { Limit = FcListQuery.MaxPageSize };
            for (int page = 0; page < MaxPages; page++)
            {
                var result = await FcCatalog.ListServicesAsync(client, query, options, null, ct).ConfigureAwait(false);
                names.AddRange(result.Items.Select(s => s.ServiceName));
                if ((query.NextToken = result.NextToken) == null) break;
            }
            return names;
        }
    }

    /// <summary>-Qualifier: LATEST, the aliases and the versions of the function named on the command line.</summary>
    internal sealed class FcQualifierCompleter : FcRemoteCompleter
    {
        protected override string CacheKey(IDictionary bound) =>
            "qualifiers|" + FcCompletion.Text(bound, "ServiceName") + "|" + FcCompletion.Text(bound, "FunctionName");

        private protected override async Task<IEnumerable<string>> FetchAsync(FcClient client, IDictionary bound, FcCallOptions options, CancellationToken ct)
        {
            // -FunctionName may be the shorthand 'service/function'.
            if (FcFunctionName.Resolve(FcCompletion.Text(bound, "FunctionName"), FcCompletion.Text(bound, "ServiceName"), null, out var function) != null ||
                string.IsNullOrEmpty(function.FunctionName) || FcNames.CheckFunction(function) != null) return new[] { "LATEST" };
            function = new FcFunctionRef(function.FunctionName, function.ServiceName, null);
            return await FcCatalog.ListQualifiersAsync(client, function, options, null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completion from FC itself, built to stay out of the way: the connection comes from the parameters already on the
    /// command line (or the session's defaults), each lookup is bounded to <see cref="Budget"/>, answers are cached for
    /// <see cref="Lifetime"/> (failures for <see cref="FailureLifetime"/>), and any failure yields no completions, never an error.
    /// </summary>
    internal abstract class FcRemoteCompleter : IArgumentCompleter
    {
        internal static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(1500);
        internal static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
        internal static readonly TimeSpan FailureLifetime = TimeSpan.FromSeconds(15);
        protected const int MaxPages = 5;

        private static readonly ConcurrentDictionary<string, CacheEntry> Cache = new ConcurrentDictionary<string, CacheEntry>(StringComparer.Ordinal);

        private sealed class CacheEntry
        {
            public DateTime ExpiresUtc;
            public string[] Values;
        }

        protected abstract string CacheKey(IDictionary bound);

        private protected abstract Task<IEnumerable<string>> FetchAsync(FcClient client, IDictionary bound, FcCallOptions options, CancellationToken ct);

        /// <summary>Forgets every cached answer: a test hook (tests/pester/Common.ps1, Clear-FcTestCompletionCache).</summary>
        internal static void ClearCache() => Cache.Clear();

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                var values = Lookup(fakeBoundParameters ?? new Hashtable());
                return FcCompletion.Matching(values.Select(v => new KeyValuePair<string, string>(v, v)), wordToComplete);
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>(); // completion never fails loudly
            }
        }

        private string[] Lookup(IDictionary bound)
        {
            FcConnectionRequest request;
            try
            {
                request = FcConnector.Request(
                    FcCompletion.Value<Uri>(bound, "Endpoint"), FcCompletion.Text(bound, "Region"), FcCompletion.Text(bound, "AccountId"),
                    bound.Contains("Internal") ? FcCompletion.Value<bool>(bound, "Internal") : (bool?)null,
                    FcCompletion.Value<PSCredential>(bound, "Credential"), SecretTransformationAttribute.ToSecureString(FcCompletion.Value<object>(bound, "SecurityToken")),
                    FcCompletion.Text(bound, "ProfileName"), FcCompletion.Value<FcContext>(bound, "Context"));
            }
            catch (Exception)
            {
                return Array.Empty<string>();
            }

            // Keyed by what decides the answer: where, as whom, and what is asked (resolution itself may need the network).
            var key = string.Join("|", request.Endpoint, request.Region, request.AccountId, request.Internal, request.Credential?.AccessKeyId,
                request.ProfileName, request.Context?.GetHashCode(), request.SessionContext?.GetHashCode(),
                Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_ID"), CacheKey(bound));
            if (Cache.TryGetValue(key, out var hit) && hit.ExpiresUtc > DateTime.UtcNow) return hit.Values;

            var options = new FcCallOptions { TimeoutSec = (int)Math.Ceiling(Budget.TotalSeconds), Retry = new FcRetryPolicy(0) };
            using (var cts = new CancellationTokenSource(Budget))
            {
                // Credential resolution and the lookup share one time budget: completion never blocks the prompt for long.
                var task = Task.Run(async () =>
                {
                    var connection = await FcConnectionResolver.ResolveAsync(request, null, NullFcLog.Instance, cts.Token).ConfigureAwait(false);
                    return await FetchAsync(new FcClient(connection), bound, options, cts.Token).ConfigureAwait(false);
                });
                string[] values = null;
                try
                {
                    if (task.Wait(Budget)) values = task.Result.Where(v => !string.IsNullOrEmpty(v)).Distinct(StringComparer.Ordinal).ToArray();
                }
                catch (AggregateException)
                {
                    // No credentials, FC refused or could not be reached: remembered briefly as "nothing".
                }
                finally
                {
                    cts.Cancel();
                    task.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted); // observed, never rethrown
                }
                Cache[key] = new CacheEntry
                {
                    Values = values ?? Array.Empty<string>(),
                    ExpiresUtc = DateTime.UtcNow + (values != null ? Lifetime : FailureLifetime),
                };
                return values ?? Array.Empty<string>();
            }
        }
    }

    internal static class FcCompletion
    {
        /// <summary>Values starting with the word (case-insensitive), quoted when PowerShell would need it.</summary>
        public static IEnumerable<CompletionResult> Matching(IEnumerable<KeyValuePair<string, string>> values, string word)
        {
            var prefix = (word ?? string.Empty).Trim('\'', '"');
            return values
                .Where(v => v.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase)
                .Select(v => new CompletionResult(Quote(v.Key), v.Key, CompletionResultType.ParameterValue, v.Value))
                .ToList();
        }

        private static string Quote(string value) =>
            value.Any(c => !(char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) ? "'" + value.Replace("'", "''") + "'" : value;

        public static string Text(IDictionary bound, string name)
        {
            var value = Value<object>(bound, name);
            if (value is IEnumerable seq && !(value is string)) value = seq.Cast<object>().FirstOrDefault();
            var text = value == null ? null : Interop.PSJson.Unwrap(value)?.ToString();
            return string.IsNullOrWhiteSpace(text) ? null : text;
        }

        public static T Value<T>(IDictionary bound, string name)
        {
            if (bound == null || !bound.Contains(name)) return default;
            var raw = Interop.PSJson.Unwrap(bound[name]);
            if (raw == null) return default;
            try { return LanguagePrimitives.ConvertTo<T>(raw); }
            catch (PSInvalidCastException) { return default; }
        }
    }
}
