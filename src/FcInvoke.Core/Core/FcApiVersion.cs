using System;

namespace FcInvoke.Core
{
    /// <summary>The two FC API versions the module speaks. A service name selects 2021-04-06 (FC 2.0).</summary>
    internal enum FcApiVersion
    {
        /// <summary>FC 2.0: services and functions.</summary>
        V20210406,
        /// <summary>FC 3.0: functions only.</summary>
        V20230330,
    }

    internal static class FcApiVersions
    {
        public const string V2 = "2021-04-06";
        public const string V3 = "2023-03-30";

        public static string ToWire(this FcApiVersion version) =>
            version == FcApiVersion.V20210406 ? V2 : V3;

        public static bool TryParse(string text, out FcApiVersion version)
        {
            switch (text)
            {
                case V2: version = FcApiVersion.V20210406; return true;
                case V3: version = FcApiVersion.V20230330; return true;
                default: version = default; return false;
            }
        }

        public static FcApiVersion ForService(string serviceName) =>
            string.IsNullOrEmpty(serviceName) ? FcApiVersion.V20230330 : FcApiVersion.V20210406;
    }
}
