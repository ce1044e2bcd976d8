using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Core
{
    /// <summary>Compares a listed task with the same task read by GetAsyncTask.</summary>
    internal static class FcAsyncTaskFields
    {
        /// <summary>
        /// Null when the listed task carries everything the read one does, with the same values; otherwise the fields that
        /// differ. DestinationStatus may change after a task ends (the destination is called later), so for it only whether
        /// it is there counts.
        /// </summary>
        public static string Lacking(FcAsyncTask listed, FcAsyncTask read)
        {
            var differ = new List<string>();
            void Check(string name, bool same) { if (!same) differ.Add(name); }
            Check(nameof(FcAsyncTask.TaskId), listed.TaskId == read.TaskId);
            Check(nameof(FcAsyncTask.FunctionName), listed.FunctionName == read.FunctionName);
            Check(nameof(FcAsyncTask.ServiceName), listed.ServiceName == read.ServiceName);
            Check(nameof(FcAsyncTask.Qualifier), listed.Qualifier == read.Qualifier);
            Check(nameof(FcAsyncTask.Status), listed.Status == read.Status);
            Check(nameof(FcAsyncTask.StartedTime), listed.StartedTime == read.StartedTime);
            Check(nameof(FcAsyncTask.EndTime), listed.EndTime == read.EndTime);
            Check(nameof(FcAsyncTask.Duration), listed.Duration == read.Duration);
            Check(nameof(FcAsyncTask.RequestId), listed.RequestId == read.RequestId);
            Check(nameof(FcAsyncTask.ErrorMessage), listed.ErrorMessage == read.ErrorMessage);
            Check(nameof(FcAsyncTask.Payload), listed.Payload == read.Payload);
            Check(nameof(FcAsyncTask.ReturnPayload), listed.ReturnPayload == read.ReturnPayload);
            Check(nameof(FcAsyncTask.RetryCount), listed.RetryCount == read.RetryCount);
            Check(nameof(FcAsyncTask.DestinationStatus), string.IsNullOrEmpty(listed.DestinationStatus) == string.IsNullOrEmpty(read.DestinationStatus));
            Check(nameof(FcAsyncTask.InstanceId), listed.InstanceId == read.InstanceId);
            Check(nameof(FcAsyncTask.FunctionArn), listed.FunctionArn == read.FunctionArn);
            Check(nameof(FcAsyncTask.ApiVersion), listed.ApiVersion == read.ApiVersion);
            Check(nameof(FcAsyncTask.Events), SameEvents(listed.Events, read.Events));
            return differ.Count == 0 ? null : string.Join(", ", differ);
        }

        private static bool SameEvents(FcAsyncTaskEvent[] a, FcAsyncTaskEvent[] b)
        {
            a = a ?? Array.Empty<FcAsyncTaskEvent>();
            b = b ?? Array.Empty<FcAsyncTaskEvent>();
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++)
                if (a[i].EventId != b[i].EventId || a[i].Status != b[i].Status || a[i].Time != b[i].Time || a[i].Detail != b[i].Detail) return false;
            return true;
        }
    }
}
