using System;

namespace FcInvoke
{
    /// <summary>
    /// An asynchronous invocation FC keeps track of: a "stateful async invocation" in API 2021-04-06, an "async task" in
    /// 2023-03-30. One type for both; property names match the parameters of the task cmdlets so tasks pipe between them.
    /// </summary>
    public sealed class FcAsyncTask
    {
        /// <summary>Made by the module only (and never by PowerShell's type conversion from a piped hashtable or row).</summary>
        internal FcAsyncTask() { }

        public string FunctionName { get; internal set; }
        /// <summary>The FC 2.0 service; empty for FC 3.0 tasks.</summary>
        public string ServiceName { get; internal set; }
        public string Qualifier { get; internal set; }
        public string TaskId { get; internal set; }
        /// <summary>FC's status text: Enqueued, Dequeued, Running, Succeeded, Failed, Stopped, Stopping, Expired, Invalid, Retrying (unknown values are kept as they came).</summary>
        public string Status { get; internal set; }
        public DateTimeOffset? StartedTime { get; internal set; }
        public DateTimeOffset? EndTime { get; internal set; }
        /// <summary>FC's durationMs when given, otherwise EndTime - StartedTime.</summary>
        public TimeSpan? Duration { get; internal set; }
        public string RequestId { get; internal set; }
        public string ErrorMessage { get; internal set; }
        /// <summary>The event the task was started with (only when listed with -IncludePayload, or from Get).</summary>
        public string Payload { get; internal set; }
        public string ReturnPayload { get; internal set; }
        /// <summary>FC's alreadyRetriedTimes.</summary>
        public long RetryCount { get; internal set; }
        public string DestinationStatus { get; internal set; }
        public string InstanceId { get; internal set; }
        public string FunctionArn { get; internal set; }
        public FcAsyncTaskEvent[] Events { get; internal set; } = Array.Empty<FcAsyncTaskEvent>();
        public string ApiVersion { get; internal set; }
        /// <summary>The function as tables show it and -FunctionName accepts it: 'service/function:qualifier', parts omitted when absent.</summary>
        public string Function => FcNameFormat.Function(ServiceName, FunctionName, Qualifier);
        /// <summary>The connection the task was read with (never a secret): piping the task into another FcInvoke cmdlet uses it.</summary>
        public FcContext Context { get; internal set; }
        /// <summary>Succeeded, Failed, Stopped, Expired or Invalid: the task will not change any more.</summary>
        public bool IsTerminal => IsTerminalStatus(Status);

        public static bool IsTerminalStatus(string status) =>
            status == "Succeeded" || status == "Failed" || status == "Stopped" || status == "Expired" || status == "Invalid";

        public override string ToString() => $"{TaskId} ({Status})";
    }

    /// <summary>One step of an async task's history.</summary>
    public sealed class FcAsyncTaskEvent
    {
        public long EventId { get; internal set; }
        public string Status { get; internal set; }
        public DateTimeOffset? Time { get; internal set; }
        public string Detail { get; internal set; }

        public override string ToString() => $"{EventId} {Status} {Time:o} {Detail}".TrimEnd();
    }
}
