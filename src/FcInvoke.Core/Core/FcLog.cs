namespace FcInvoke.Core
{
    /// <summary>
    /// What core code has to say while it works. Core code may run on any thread, so implementations
    /// queue the messages; only the cmdlet's pipeline thread writes them to PowerShell streams.
    /// Nothing passed here may contain a secret.
    /// </summary>
    internal interface IFcLog
    {
        /// <summary>Whether anyone reads Verbose messages: per-call messages are only built when true.</summary>
        bool IsVerboseEnabled { get; }
        /// <summary>Whether anyone reads Debug messages (request dumps are costly to build).</summary>
        bool IsDebugEnabled { get; }
        void Verbose(string message);
        void Debug(string message);
        void Warning(string message);
    }

    internal sealed class NullFcLog : IFcLog
    {
        public static readonly NullFcLog Instance = new NullFcLog();
        public bool IsVerboseEnabled => false;
        public bool IsDebugEnabled => false;
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) { }
    }
}
