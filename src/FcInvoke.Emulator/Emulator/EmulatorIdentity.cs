namespace FcInvoke.Emulator
{
    /// <summary>Who the emulator pretends to be: the account, region and instance that appear in ARNs, headers and task JSON.</summary>
    internal sealed class EmulatorIdentity
    {
        public EmulatorIdentity(string accountId, string region, string instanceId)
        {
            AccountId = accountId;
            Region = region;
            InstanceId = instanceId;
        }

        public string AccountId { get; }
        public string Region { get; }
        public string InstanceId { get; }

        /// <summary>FC 3.0's function ARN, e.g. acs:fc:cn-hangzhou:1234:functions/my-func.</summary>
        public string FunctionArn(string functionName) => $"acs:fc:{Region}:{AccountId}:functions/{functionName}";
    }
}
