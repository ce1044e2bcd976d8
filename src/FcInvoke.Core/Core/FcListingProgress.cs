using System;
using System.Collections.Generic;

namespace FcInvoke.Core
{
    /// <summary>
    /// Whether a listing that follows nextToken is getting anywhere: the one rule every listing keeps so that it always ends
    /// (Get-FcFunction, Get-FcAsyncTask, the waiter's listings, ListTriggers). A nextToken returned before would list the
    /// same pages forever; <see cref="MaxEmptyPagesInARow"/> empty pages in a row, each with a new token, go nowhere.
    /// </summary>
    internal sealed class FcListingProgress
    {
        /// <summary>Empty pages (each with a nextToken) after which a listing is taken to be going nowhere.</summary>
        public const int MaxEmptyPagesInARow = 20;

        private readonly HashSet<string> _tokens = new HashSet<string>(StringComparer.Ordinal);
        private int _emptyInARow;

        /// <summary>Pages recorded so far.</summary>
        public int Pages { get; private set; }
        /// <summary>Items on the pages recorded so far.</summary>
        public long Items { get; private set; }

        /// <summary>
        /// Records a page: null while the listing progresses (or when it ended, with no nextToken); otherwise what the server
        /// did, for a message that goes on "ListAsyncTasks ...".
        /// </summary>
        public string Stalled(int itemCount, string nextToken)
        {
            Pages++;
            Items += itemCount;
            if (string.IsNullOrEmpty(nextToken)) return null;
            _emptyInARow = itemCount == 0 ? _emptyInARow + 1 : 0;
            if (!_tokens.Add(nextToken))
                return $"returned the nextToken '{Shorten(nextToken)}' a second time (page {Pages}): following it would list the same pages forever";
            if (_emptyInARow >= MaxEmptyPagesInARow)
                return $"returned {_emptyInARow} empty pages in a row, each with a new nextToken (page {Pages})";
            return null;
        }

        private static string Shorten(string token) => token.Length <= 40 ? token : token.Substring(0, 40) + "…";
    }
}
