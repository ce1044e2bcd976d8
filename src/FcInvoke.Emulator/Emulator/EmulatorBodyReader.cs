using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// Reads an authenticated request's body within its route's size limit and the emulator's body budget, hashing it as
    /// it streams in and comparing the hash with the signed one. The budget (<see cref="BudgetBytes"/>) counts a body from
    /// the moment its reading starts until its request is answered; a request that would go over waits, first come first
    /// served. Only authenticated requests reserve: a refused upload is never buffered.
    /// </summary>
    internal sealed class EmulatorBodyReader
    {
        public const long BudgetBytes = 128L * 1024 * 1024;

        private readonly EmulatorFifoQuota _budget;
        private readonly CancellationToken _shutdown;

        public EmulatorBodyReader(EmulatorFifoQuota budget, CancellationToken shutdown)
        {
            _budget = budget;
            _shutdown = shutdown;
        }

        /// <summary>
        /// Sets <see cref="EmulatorCall.Body"/>; null when it was read and matches <paramref name="signedSha256"/> (when given),
        /// else the refusal (EntityTooLarge before reading when the declared length is over <paramref name="maxBytes"/>).
        /// Throws <see cref="IOException"/> when the client leaves in the middle.
        /// </summary>
        public async Task<EmulatorError> ReadAsync(EmulatorCall call, long maxBytes, string signedSha256)
        {
            if (!call.HasBody)
            {
                call.Body = Array.Empty<byte>();
                return signedSha256 == null ? null : EmulatorAuthenticator.CheckBody(signedSha256, Acs3Signer.EmptyPayloadHash);
            }
            if (call.ContentLength > maxBytes) return TooLarge(maxBytes);
            call.HoldBody(await _budget.ReserveAsync(call.ContentLength ?? maxBytes, _shutdown).ConfigureAwait(false));

            byte[] body;
            string hash;
            try
            {
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    if (call.ContentLength.HasValue)
                    {
                        body = new byte[call.ContentLength.Value];
                        int filled = 0;
                        while (filled < body.Length)
                        {
                            var n = await call.ReadBodyAsync(body, filled, body.Length - filled).ConfigureAwait(false);
                            if (n == 0) throw new IOException("The request body ended before its Content-Length.");
                            sha.AppendData(body, filled, n);
                            filled += n;
                        }
                    }
                    else
                    {
                        using (var collected = new MemoryStream())
                        {
                            var chunk = new byte[64 * 1024];
                            int n;
                            while ((n = await call.ReadBodyAsync(chunk, 0, chunk.Length).ConfigureAwait(false)) > 0)
                            {
                                if (collected.Length + n > maxBytes) return TooLarge(maxBytes);
                                sha.AppendData(chunk, 0, n);
                                collected.Write(chunk, 0, n);
                            }
                            body = collected.ToArray();
                        }
                    }
                    hash = Acs3Signer.ToHex(sha.GetHashAndReset());
                }
            }
            catch (EmulatorHttpException ex)
            {
                return new EmulatorError(400, "InvalidArgument", "malformed request body: " + ex.Message);
            }
            call.Body = body;
            return signedSha256 == null ? null : EmulatorAuthenticator.CheckBody(signedSha256, hash);
        }

        private static EmulatorError TooLarge(long maxBytes) =>
            new EmulatorError(400, "EntityTooLarge", $"payload size exceeds maximum allowed size ({maxBytes} bytes)");
    }
}
