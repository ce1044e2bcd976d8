using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// Request headers in arrival order, looked up case-insensitively. Repeated names are kept apart (the ACS3 signature
    /// sorts and joins their values itself); the indexer joins them with ',' as HTTP does.
    /// </summary>
    internal sealed class EmulatorHeaders : IEnumerable<KeyValuePair<string, string>>
    {
        private readonly List<KeyValuePair<string, string>> _items = new List<KeyValuePair<string, string>>();

        public int Count => _items.Count;

        public void Add(string name, string value) => _items.Add(new KeyValuePair<string, string>(name, value ?? string.Empty));

        /// <summary>The values of a header joined with ',', or null when it is absent.</summary>
        public string this[string name]
        {
            get
            {
                string joined = null;
                foreach (var item in _items)
                {
                    if (!string.Equals(item.Key, name, StringComparison.OrdinalIgnoreCase)) continue;
                    joined = joined == null ? item.Value : joined + "," + item.Value;
                }
                return joined;
            }
        }

        public bool Contains(string name) => _items.Any(i => string.Equals(i.Key, name, StringComparison.OrdinalIgnoreCase));

        public IEnumerable<string> Values(string name) =>
            _items.Where(i => string.Equals(i.Key, name, StringComparison.OrdinalIgnoreCase)).Select(i => i.Value);

        /// <summary>Distinct header names, lower-cased, in order of first appearance.</summary>
        public IEnumerable<string> LowerCaseNames => _items.Select(i => i.Key.ToLowerInvariant()).Distinct(StringComparer.Ordinal);

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
