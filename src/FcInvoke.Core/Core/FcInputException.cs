using System;

namespace FcInvoke
{
    /// <summary>
    /// Input FC would refuse, or that cannot be sent at all, found before anything was sent: the error's id is one of
    /// <see cref="FcErrorIds"/>' bad-input ids (FcInvalidName, FcPayloadTooLarge, FcEndpointUnknown, ...), and the message
    /// says what to do.
    /// </summary>
    internal sealed class FcInputException : ArgumentException
    {
        public FcInputException(string errorId, string message, Exception inner = null) : base(message, inner)
        {
            ErrorId = errorId;
        }

        public string ErrorId { get; }
    }
}
