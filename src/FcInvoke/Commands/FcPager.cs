using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Writes a SupportsPaging cmdlet's items through -Skip, -First and -IncludeTotalCount, and lists FC's pages for it
    /// (following nextToken), asking FC for no more than -First still needs. A listing always ends: at the last page,
    /// as soon as -First is satisfied, or with an FcPagingStalled error when it does not progress (<see cref="FcListingProgress"/>).
    /// </summary>
    internal sealed class FcPager
    {
        private readonly FcCmdlet _cmdlet;
        private ulong _seen;
        private bool _cut;

        public FcPager(FcCmdlet cmdlet)
        {
            _cmdlet = cmdlet;
        }

        private PagingParameters Paging => _cmdlet.PagingParameters;

        /// <summary>True once -First objects have been written: the cmdlet need not ask FC for more.</summary>
        public bool Satisfied => Paging != null && _seen >= End(Paging);

        /// <summary>
        /// Lists page after page and writes the items <paramref name="keep"/> accepts. Returns false when a page failed
        /// (the error is written, for <paramref name="target"/>).
        /// </summary>
        public bool WritePages<TQuery, T>(TQuery query, Func<TQuery, IFcLog, CancellationToken, Task<FcPage<T>>> fetch,
                                          Func<T, bool> keep, object target, bool limitToWanted)
            where TQuery : IFcPagedQuery
        {
            var paging = Paging;
            var progress = new FcListingProgress();
            do
            {
                if (Satisfied) return true;
                if (paging != null && limitToWanted)
                {
                    var wanted = End(paging) - Math.Min(_seen, End(paging));
                    if (wanted == 0) return true;
                    query.Limit = (int)Math.Min((ulong)Math.Max(query.Limit, 1), wanted);
                }
                if (!_cmdlet.TryRun((log, ct) => fetch(query, log, ct), target, out var page)) return false;
                foreach (var item in page.Items)
                {
                    if (keep(item) && !Write(item)) return true;
                }
                var next = page.NextToken;
                var stalled = progress.Stalled(page.Items.Count, next);
                if (stalled != null)
                {
                    var action = page.Action ?? "The listing";
                    _cmdlet.WriteError(FcErrors.Record(new FcPagingException(action,
                        $"{action} {stalled}. The listing was stopped after {progress.Items} item(s) from {progress.Pages} page(s); what was written is complete up to there."), target));
                    return false;
                }
                query.NextToken = next;
            } while (query.NextToken != null);
            return true;
        }

        /// <summary>Writes one object through -Skip/-First; false once -First is reached.</summary>
        public bool Write(object item)
        {
            var paging = Paging;
            if (paging == null) { _cmdlet.WriteObject(item); return true; }
            if (_seen >= End(paging)) { _cut = true; return false; }
            _seen++;
            if (_seen > paging.Skip) _cmdlet.WriteObject(item);
            if (_seen >= End(paging)) { _cut = true; return false; }
            return true;
        }

        /// <summary>-IncludeTotalCount: exact when the listing ran to its end, unknown when -First cut it short.</summary>
        public void WriteTotalCountIfAsked()
        {
            var paging = Paging;
            if (paging != null && paging.IncludeTotalCount) _cmdlet.WriteObject(paging.NewTotalCount(_seen, _cut ? 0.0 : 1.0));
        }

        /// <summary>How many items -Skip and -First together consume (saturating).</summary>
        private static ulong End(PagingParameters paging) =>
            paging.First > ulong.MaxValue - paging.Skip ? ulong.MaxValue : paging.Skip + paging.First;
    }
}
