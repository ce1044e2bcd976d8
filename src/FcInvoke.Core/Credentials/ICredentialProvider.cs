using System;
using System.Threading;
using System.Threading.Tasks;
using FcInvoke.Core;

namespace FcInvoke.Credentials
{
    /// <summary>
    /// The seam every credential source plugs into. Providers are thread-safe: one instance serves
    /// every concurrent request of a command (and every command sharing a context), and temporary
    /// credentials are refreshed behind it.
    /// </summary>
    internal interface ICredentialProvider
    {
        /// <summary>A short, secret-free description, e.g. "Environment" or "EcsRamRole 'ops'".</summary>
        string Name { get; }

        /// <summary>The credential last handed out, or null before the first call; never causes a request.</summary>
        FcCredential LastCredential { get; }

        /// <summary>The account the credential acts in when the source itself says so (a role ARN), else null.</summary>
        string KnownAccountId { get; }

        /// <summary>Identifies whose credential this is, for caching the account id looked up for it; no secret.</summary>
        string AccountCacheKey { get; }

        /// <summary>A current credential; <paramref name="log"/> (may be null) hears about refreshes.</summary>
        Task<FcCredential> GetCredentialAsync(IFcLog log, CancellationToken cancellationToken);
    }

    internal sealed class StaticCredentialProvider : ICredentialProvider
    {
        private readonly Task<FcCredential> _credential;

        public StaticCredentialProvider(FcCredential credential, string knownAccountId = null)
        {
            _credential = Task.FromResult(credential ?? throw new ArgumentNullException(nameof(credential)));
            Name = credential.Source;
            KnownAccountId = knownAccountId;
        }

        public string Name { get; }
        public string KnownAccountId { get; }
        public string AccountCacheKey => "ak:" + _credential.Result.AccessKeyId;
        public FcCredential LastCredential => _credential.Result;
        public Task<FcCredential> GetCredentialAsync(IFcLog log, CancellationToken cancellationToken) => _credential;
    }

    /// <summary>
    /// Caches a temporary credential and fetches a new one before it expires: 3 minutes ahead (as the official
    /// libraries do), or halfway through its life when it lives less than 6 minutes. One fetch is in flight at a
    /// time; concurrent callers wait for it and share its result. When a refresh fails while the cached credential
    /// is still valid, the cached one is used and the refresh is tried again 10 s later.
    /// </summary>
    internal abstract class RefreshingCredentialProvider : ICredentialProvider
    {
        internal static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(3);
        private static readonly TimeSpan RetryAfterFailedRefresh = TimeSpan.FromSeconds(10);

        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private volatile Cached _cached;
        private int _fetchCount;

        protected RefreshingCredentialProvider(string name)
        {
            Name = name;
        }

        public virtual string Name { get; }
        public virtual string KnownAccountId => null;
        private readonly string _accountCacheKey = "provider:" + Guid.NewGuid().ToString("N");
        public virtual string AccountCacheKey => _accountCacheKey;
        public FcCredential LastCredential => _cached?.Credential;
        /// <summary>How many credentials this provider has fetched (tests observe refreshes with it).</summary>
        internal int FetchCount => Volatile.Read(ref _fetchCount);
        internal Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

        protected abstract Task<FcCredential> FetchAsync(IFcLog log, CancellationToken cancellationToken);

        public async Task<FcCredential> GetCredentialAsync(IFcLog log, CancellationToken cancellationToken)
        {
            var cached = _cached;
            if (cached != null && Clock() < cached.RefreshAt) return cached.Credential;

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                cached = _cached;
                var now = Clock();
                if (cached != null && now < cached.RefreshAt) return cached.Credential; // another caller refreshed it meanwhile
                FcCredential fresh;
                try
                {
                    fresh = await FetchAsync(log, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException) && cached != null &&
                                           cached.Credential.Expiration.HasValue && now < cached.Credential.Expiration.Value)
                {
                    log?.Warning($"{Name}: refreshing the temporary credential failed ({ex.Message}); using the current one until {cached.Credential.Expiration.Value:u}.");
                    // Tried again in a while, but never later than the current credential lasts.
                    var retryAt = now + RetryAfterFailedRefresh;
                    _cached = new Cached(cached.Credential, retryAt < cached.Credential.Expiration.Value ? retryAt : cached.Credential.Expiration.Value);
                    return cached.Credential;
                }
                Interlocked.Increment(ref _fetchCount);
                _cached = new Cached(fresh, RefreshTime(fresh, now));
                log?.Verbose(fresh.Expiration.HasValue
                    ? $"{Name}: got temporary credential {fresh.MaskedAccessKeyId}, valid until {fresh.Expiration.Value:u}."
                    : $"{Name}: got credential {fresh.MaskedAccessKeyId}.");
                return fresh;
            }
            finally
            {
                _gate.Release();
            }
        }

        internal static DateTimeOffset RefreshTime(FcCredential credential, DateTimeOffset fetchedAt)
        {
            if (!credential.Expiration.HasValue) return DateTimeOffset.MaxValue;
            var expiry = credential.Expiration.Value;
            var lifetime = expiry - fetchedAt;
            if (lifetime <= TimeSpan.Zero) return expiry;
            var ahead = TimeSpan.FromTicks(Math.Min(RefreshAhead.Ticks, lifetime.Ticks / 2));
            return expiry - ahead;
        }

        private sealed class Cached
        {
            public Cached(FcCredential credential, DateTimeOffset refreshAt)
            {
                Credential = credential;
                RefreshAt = refreshAt;
            }
            public FcCredential Credential { get; }
            public DateTimeOffset RefreshAt { get; }
        }
    }
}

namespace FcInvoke
{
    using FcInvoke.Credentials;

    /// <summary>In the root namespace so every layer sees it without a using.</summary>
    internal static class CredentialProviderExtensions
    {
        public static Task<FcCredential> GetCredentialAsync(this ICredentialProvider provider, CancellationToken cancellationToken) =>
            provider.GetCredentialAsync(null, cancellationToken);
    }
}
