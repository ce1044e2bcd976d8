using System;
using System.Diagnostics;
using System.Management.Automation;

namespace FcInvoke.Commands
{
    /// <summary>
    /// A progress bar that appears only once an operation has lasted a moment, and is completed only if it was shown,
    /// so quick commands never flash one (the web cmdlets' rule). Pipeline thread only.
    /// </summary>
    internal sealed class DelayedProgress
    {
        private readonly Cmdlet _cmdlet;
        private readonly int _activityId;
        private readonly string _activity;
        private readonly TimeSpan _showAfter;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private bool _shown;

        public DelayedProgress(Cmdlet cmdlet, int activityId, string activity, TimeSpan? showAfter = null)
        {
            _cmdlet = cmdlet;
            _activityId = activityId;
            _activity = activity;
            _showAfter = showAfter ?? TimeSpan.FromSeconds(1);
        }

        public TimeSpan Elapsed => _clock.Elapsed;

        public void Update(string status, int percent = -1)
        {
            if (!_shown && _clock.Elapsed < _showAfter) return;
            _shown = true;
            _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, status) { PercentComplete = Math.Min(100, percent) });
        }

        public void Complete()
        {
            if (!_shown) return;
            _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
            _shown = false;
        }
    }
}
