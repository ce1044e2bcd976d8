using System;
using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Commands
{
    /// <summary>
    /// What the cmdlets that call a function once per input (Invoke-FcFunction, Invoke-FcHttpTrigger) share around their
    /// fan-out: each input's number in the batch (messages start with it), the failure context every error of that input
    /// carries, and writing failures through the one funnel. Pipeline thread only, like <see cref="FanOut{T}"/>.
    /// </summary>
    internal sealed class InvocationBatch<T> : IDisposable
    {
        private readonly FcCmdlet _cmdlet;
        private readonly FanOut<T> _fanOut;
        private int _inputNumber;

        public InvocationBatch(FcCmdlet cmdlet, int throttleLimit, bool unordered, string activity, Action<object, T> writeResult)
        {
            _cmdlet = cmdlet;
            cmdlet.ConfigureMessages();
            _fanOut = new FanOut<T>(cmdlet, cmdlet.Messages, throttleLimit, !unordered, activity, writeResult, WriteFailure, cmdlet.PipelineStopToken);
        }

        /// <summary>The failure context of this record's input: its position when it came down the pipeline (0 otherwise).</summary>
        public FcFailureContext Next(object input)
        {
            var piped = _cmdlet.MyInvocation.ExpectingInput;
            if (piped) _inputNumber++;
            return new FcFailureContext { InputNumber = piped ? _inputNumber : 0, Input = input };
        }

        public void Submit(FcFailureContext failure, Func<CancellationToken, Task<T>> work) => _fanOut.Submit(failure, work);

        public void Complete() => _fanOut.Complete();

        private void WriteFailure(object item, Exception error)
        {
            var failure = (FcFailureContext)item;
            _cmdlet.WriteError(FcErrors.Record(error, failure.Input, failure));
        }

        public void Dispose() => _fanOut.Dispose();
    }
}
