using System.Security.Cryptography;
using System.Text;
using System.Threading;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The random identities of one emulator: its account id, key pair and instance id, and the request ids it hands out.
    /// Everything comes from a cryptographic generator, because the key pair guards a server that runs code.
    /// </summary>
    internal static class EmulatorKeyGenerator
    {
        /// <summary>Sixteen digits not starting with 0, the shape of an Alibaba Cloud account id.</summary>
        public static string AccountId() => RandomDigits(16);

        /// <summary>An AccessKey ID shaped like a permanent one ('LTAI' prefix), marked as the emulator's.</summary>
        public static string AccessKeyId() => "LTAIemu" + RandomHex(8);

        public static string AccessKeySecret() => RandomHex(15);

        public static string InstanceId() => "c-emu-" + RandomHex(6);

        public static string RandomHex(int bytes)
        {
            var buffer = new byte[bytes];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(buffer);
            return Acs3Signer.ToHex(buffer);
        }

        private static string RandomDigits(int count)
        {
            var buffer = new byte[count];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(buffer);
            var sb = new StringBuilder(count);
            sb.Append((char)('1' + buffer[0] % 9));
            for (int i = 1; i < count; i++) sb.Append((char)('0' + buffer[i] % 10));
            return sb.ToString();
        }
    }

    /// <summary>FC-shaped request ids ("1-&lt;hex seconds&gt;-&lt;sequence and random&gt;"), unique per emulator.</summary>
    internal sealed class EmulatorRequestIds
    {
        private long _sequence;

        public string Next() =>
            $"1-{System.DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Interlocked.Increment(ref _sequence):x6}{EmulatorKeyGenerator.RandomHex(3)}";
    }
}
