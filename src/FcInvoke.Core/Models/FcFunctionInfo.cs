using System;

namespace FcInvoke
{
    /// <summary>
    /// A function as Get-FcFunction returns it: the fields a runbook needs. FunctionName, ServiceName and Qualifier
    /// carry the names of Invoke-FcFunction's parameters, so the object pipes into it.
    /// </summary>
    public sealed class FcFunctionInfo
    {
        public string FunctionName { get; internal set; }
        /// <summary>The FC 2.0 service; null for FC 3.0 functions.</summary>
        public string ServiceName { get; internal set; }
        /// <summary>The version or alias asked for with -Qualifier; null for the latest code.</summary>
        public string Qualifier { get; internal set; }
        public string Description { get; internal set; }
        public string Runtime { get; internal set; }
        public string Handler { get; internal set; }
        /// <summary>The function's time limit in seconds.</summary>
        public int? Timeout { get; internal set; }
        /// <summary>Memory in MB.</summary>
        public int? MemorySize { get; internal set; }
        /// <summary>vCPUs (FC 3.0 and performance instances).</summary>
        public double? Cpu { get; internal set; }
        /// <summary>Disk in MB.</summary>
        public int? DiskSize { get; internal set; }
        public int? InstanceConcurrency { get; internal set; }
        public long? CodeSize { get; internal set; }
        public string CodeChecksum { get; internal set; }
        public DateTimeOffset? CreatedTime { get; internal set; }
        public DateTimeOffset? LastModifiedTime { get; internal set; }
        public string FunctionId { get; internal set; }
        public string FunctionArn { get; internal set; }
        /// <summary>2023-03-30 (FC 3.0) or 2021-04-06 (FC 2.0).</summary>
        public string ApiVersion { get; internal set; }
        /// <summary>The function's JSON as FC returned it, for the fields not mapped to properties.</summary>
        public string Json { get; internal set; }

        /// <summary>'service/function:qualifier', parts omitted when absent.</summary>
        public string DisplayName => FcNameFormat.Function(ServiceName, FunctionName, Qualifier);

        public override string ToString() => DisplayName;
    }

    /// <summary>An FC 2.0 service as Get-FcService returns it; ServiceName pipes into Get-FcFunction and Invoke-FcFunction.</summary>
    public sealed class FcServiceInfo
    {
        public string ServiceName { get; internal set; }
        public string Description { get; internal set; }
        /// <summary>The RAM role the functions run as.</summary>
        public string Role { get; internal set; }
        public bool? InternetAccess { get; internal set; }
        public DateTimeOffset? CreatedTime { get; internal set; }
        public DateTimeOffset? LastModifiedTime { get; internal set; }
        public string ServiceId { get; internal set; }
        public string ApiVersion { get; internal set; }
        /// <summary>The service's JSON as FC returned it.</summary>
        public string Json { get; internal set; }

        public override string ToString() => ServiceName;
    }

    /// <summary>The one rendering of a function reference: 'service/function:qualifier', parts omitted when absent.</summary>
    internal static class FcNameFormat
    {
        public static string Function(string serviceName, string functionName, string qualifier) =>
            (string.IsNullOrEmpty(serviceName) ? string.Empty : serviceName + "/") + functionName +
            (string.IsNullOrEmpty(qualifier) ? string.Empty : ":" + qualifier);
    }
}
