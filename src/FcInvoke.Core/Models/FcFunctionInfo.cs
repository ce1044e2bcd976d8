using System;

namespace FcInvoke
{
    /// <summary>
    /// A function as Get-FcFunction returns it: the fields a runbook needs. FunctionName, ServiceName and Qualifier
    /// carry the names of Invoke-FcFunction's parameters, so the object pipes into it.
    /// </summary>
    public sealed class FcFunctionInfo
    {
        /// <summary>Made by the module only (and never by PowerShell's type conversion from a piped hashtable or row).</summary>
        internal FcFunctionInfo() { }

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

        /// <summary>The function as tables show it and -FunctionName accepts it: 'service/function:qualifier', parts omitted when absent.</summary>
        public string Function => FcNameFormat.Function(ServiceName, FunctionName, Qualifier);
        /// <summary>"3.0" for an FC 3.0 function (no service), "2.0" for a function in an FC 2.0 service.</summary>
        public string FcVersion => string.IsNullOrEmpty(ServiceName) ? "3.0" : "2.0";
        /// <summary>The connection the function was read with (never a secret): piping it into another FcInvoke cmdlet uses it.</summary>
        public FcContext Context { get; internal set; }

        public override string ToString() => Function;
    }

    /// <summary>An FC 2.0 service as Get-FcService returns it; ServiceName pipes into Get-FcFunction and Invoke-FcFunction.</summary>
    public sealed class FcServiceInfo
    {
        /// <summary>Made by the module only (and never by PowerShell's type conversion from a piped hashtable or row).</summary>
        internal FcServiceInfo() { }

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
        /// <summary>The connection the service was read with (never a secret): piping it into Get-FcFunction uses it.</summary>
        public FcContext Context { get; internal set; }

        public override string ToString() => ServiceName;
    }

    /// <summary>
    /// The one rendering of a function reference: 'service/function:qualifier', parts omitted when absent (LATEST, the
    /// default, included). -FunctionName accepts the same form (<see cref="Core.FcFunctionName"/>).
    /// </summary>
    internal static class FcNameFormat
    {
        public static string Function(string serviceName, string functionName, string qualifier) =>
            (string.IsNullOrEmpty(serviceName) ? string.Empty : serviceName + "/") + functionName +
            (string.IsNullOrEmpty(qualifier) || qualifier == "LATEST" ? string.Empty : ":" + qualifier);
    }
}
