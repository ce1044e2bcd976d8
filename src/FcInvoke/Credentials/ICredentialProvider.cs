using System.Threading;
using System.Threading.Tasks;

namespace FcInvoke.Credentials
{
    /// <summary>
    /// The seam every credential source plugs into. Providers are thread-safe: one instance serves
    /// every concurrent request of a command, and temporary credentials are refreshed behind it.
    /// </summary>
    internal interface ICredentialProvider
    {
        /// <summary>A short, secret-free description, e.g. "Environment".</summary>
        string Name { get; }
        Task<FcCredential> GetCredentialAsync(CancellationToken cancellationToken);
    }

    internal sealed class StaticCredentialProvider : ICredentialProvider
    {
        private readonly Task<FcCredential> _credential;

        public StaticCredentialProvider(FcCredential credential)
        {
            _credential = Task.FromResult(credential);
            Name = credential.Source;
        }

        public string Name { get; }
        public Task<FcCredential> GetCredentialAsync(CancellationToken cancellationToken) => _credential;
    }
}
