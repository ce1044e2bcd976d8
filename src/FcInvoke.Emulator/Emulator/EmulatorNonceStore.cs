using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// The signature nonces seen while they could still be replayed. A request's nonce is remembered until its signed
    /// date leaves the accepted window (x-acs-date ± 15 min): after that the date check refuses a replay anyway. Each
    /// entry is a 16-byte digest of key id and nonce, so memory is bounded by <see cref="Capacity"/> whatever the
    /// nonces look like (about 50 bytes an entry; 1,000,000 entries is about 50 MB at most).
    /// </summary>
    internal sealed class EmulatorNonceStore
    {
        public const int DefaultCapacity = 1000000;

        public enum Outcome { Fresh, Replayed, Full }

        private readonly object _gate = new object();
        private readonly Dictionary<NonceKey, long> _expiries = new Dictionary<NonceKey, long>();
        private readonly SortedDictionary<long, List<NonceKey>> _byExpiry = new SortedDictionary<long, List<NonceKey>>();
        private readonly TimeSpan _window;

        public EmulatorNonceStore(TimeSpan window, int capacity = DefaultCapacity)
        {
            _window = window;
            Capacity = capacity;
        }

        public int Capacity { get; }

        public int Count
        {
            get { lock (_gate) return _expiries.Count; }
        }

        /// <summary>Remembers a nonce signed at <paramref name="signedAt"/>; Replayed when it was seen in the window, Full at capacity.</summary>
        public Outcome TryRemember(string accessKeyId, string nonce, DateTimeOffset signedAt, DateTimeOffset now)
        {
            var key = NonceKey.Of(accessKeyId, nonce);
            var expiry = (signedAt + _window).ToUnixTimeSeconds() + 1;
            lock (_gate)
            {
                Purge(now.ToUnixTimeSeconds());
                if (_expiries.ContainsKey(key)) return Outcome.Replayed;
                if (_expiries.Count >= Capacity) return Outcome.Full;
                _expiries[key] = expiry;
                if (!_byExpiry.TryGetValue(expiry, out var bucket)) _byExpiry[expiry] = bucket = new List<NonceKey>();
                bucket.Add(key);
                return Outcome.Fresh;
            }
        }

        private void Purge(long nowSeconds)
        {
            while (_byExpiry.Count > 0)
            {
                long first = -1;
                foreach (var k in _byExpiry.Keys) { first = k; break; }
                if (first > nowSeconds) return;
                foreach (var key in _byExpiry[first]) _expiries.Remove(key);
                _byExpiry.Remove(first);
            }
        }

        private readonly struct NonceKey : IEquatable<NonceKey>
        {
            private readonly ulong _high, _low;

            private NonceKey(ulong high, ulong low) { _high = high; _low = low; }

            public static NonceKey Of(string accessKeyId, string nonce)
            {
                byte[] digest;
                using (var sha = SHA256.Create()) digest = sha.ComputeHash(Encoding.UTF8.GetBytes(accessKeyId + "\n" + nonce));
                return new NonceKey(BitConverter.ToUInt64(digest, 0), BitConverter.ToUInt64(digest, 8));
            }

            public bool Equals(NonceKey other) => _high == other._high && _low == other._low;
            public override bool Equals(object obj) => obj is NonceKey other && Equals(other);
            public override int GetHashCode() => (int)_low ^ (int)(_low >> 32);
        }
    }
}
