using System.Collections.Generic;

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
    }
}
