using System;
using System.Collections.Generic;
using System.Linq;

namespace FcInvoke.Core
{
    /// <summary>Regions where Function Compute runs, with their locations: the values offered for -Region.</summary>
    internal static class FcRegions
    {
        public static readonly IReadOnlyList<KeyValuePair<string, string>> All = new[]
        {
            Region("cn-hangzhou", "China (Hangzhou)"),
            Region("cn-shanghai", "China (Shanghai)"),
            Region("cn-qingdao", "China (Qingdao)"),
            Region("cn-beijing", "China (Beijing)"),
            Region("cn-zhangjiakou", "China (Zhangjiakou)"),
            Region("cn-huhehaote", "China (Hohhot)"),
            Region("cn-wulanchabu", "China (Ulanqab)"),
            Region("cn-shenzhen", "China (Shenzhen)"),
            Region("cn-chengdu", "China (Chengdu)"),
            Region("cn-hongkong", "China (Hong Kong)"),
            Region("cn-hangzhou-finance", "China East 1 Finance"),
            Region("cn-shanghai-finance-1", "China East 2 Finance"),
            Region("cn-heyuan-acdr-1", "China (Heyuan) ACDR"),
            Region("ap-southeast-1", "Singapore"),
            Region("ap-southeast-3", "Malaysia (Kuala Lumpur)"),
            Region("ap-southeast-5", "Indonesia (Jakarta)"),
            Region("ap-southeast-7", "Thailand (Bangkok)"),
            Region("ap-northeast-1", "Japan (Tokyo)"),
            Region("ap-northeast-2", "South Korea (Seoul)"),
            Region("eu-central-1", "Germany (Frankfurt)"),
            Region("eu-west-1", "UK (London)"),
            Region("us-west-1", "US (Silicon Valley)"),
            Region("us-east-1", "US (Virginia)"),
            Region("me-central-1", "SAU (Riyadh)"),
        };

        private static KeyValuePair<string, string> Region(string id, string location) => new KeyValuePair<string, string>(id, location);

        /// <summary>True when FcInvoke knows the region (a region it does not know may still be new: it is used as given).</summary>
        public static bool IsKnown(string region) => All.Any(r => string.Equals(r.Key, region, StringComparison.OrdinalIgnoreCase));

        /// <summary>Up to three known regions closest to <paramref name="region"/> (a typo's likely meaning), closest first.</summary>
        public static IReadOnlyList<string> Closest(string region, int count = 3)
        {
            var text = (region ?? string.Empty).Trim().ToLowerInvariant();
            return All.Select(r => new { r.Key, Distance = Distance(text, r.Key) })
                .Where(r => r.Distance <= Math.Max(2, r.Key.Length / 3))
                .OrderBy(r => r.Distance).ThenBy(r => r.Key, StringComparer.Ordinal)
                .Take(count).Select(r => r.Key).ToList();
        }

        /// <summary>Levenshtein distance.</summary>
        private static int Distance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++) previous[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                var swap = previous; previous = current; current = swap;
            }
            return previous[b.Length];
        }
    }
}
