using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Security;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcInvoke.Commands
{
    /// <summary>A command's connection: the client it calls FC with, the context its output remembers, and where the endpoint came from.</summary>
    internal sealed class FcConnected
    {
        public FcConnected(FcClient client, FcContext context, string origin)
        {
            Client = client;
            Context = context;
            Origin = origin;
        }

        public FcClient Client { get; }
        /// <summary>What results, tasks and functions remember (Context property): piping them on reuses the connection.</summary>
        public FcContext Context { get; }
        /// <summary>Where the endpoint came from, in a user's words (-Endpoint, -Context, the session context, ...), for messages.</summary>
        public string Origin { get; }
        public Uri Endpoint => Client.Connection.Endpoint.BaseUri;
        public bool IsAccountEndpoint => !Client.Connection.Endpoint.IsExplicit;
        public string AccountId => Client.Connection.AccountId;
        public string Region => Client.Connection.Region;
    }

    /// <summary>
    /// Turns a command's connection parameters (and the session default, or the connection a piped object remembers)
    /// into the client it calls FC with. Planning needs no network; only a missing account id for the account endpoint is
    /// looked up (STS GetCallerIdentity), through the command's bridge so Ctrl+C and -Verbose work. A failure here ends the
    /// command: nothing can go on without it. A region FcInvoke does not know is used as given, with a warning (once per session).
    /// </summary>
    internal static class FcConnector
    {
        private static readonly ConcurrentDictionary<string, bool> WarnedRegions = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        /// <param name="fromInput">The context a piped object remembers; -Context, when given, wins over it.</param>
        public static FcConnected Connect(FcCmdlet cmdlet, FcContext fromInput = null)
        {
            var request = Request(cmdlet, fromInput);
            var plan = Plan(cmdlet, request);
            try
            {
                // The common case stays on the pipeline thread: a loop of single invocations pays for no thread hop.
                if (plan.Endpoint == null && plan.AccountId == null)
                    cmdlet.Run(async (log, ct) => { await FcConnectionResolver.CompleteAccountIdAsync(plan, ProcessEnvironment.Instance, log, ct).ConfigureAwait(false); return true; });
                var client = new FcClient(FcConnectionResolver.Connect(plan));
                return new FcConnected(client, ContextFor(request, plan), Origin(cmdlet, request, plan));
            }
            catch (Exception ex) when (!FcErrors.IsFlowControl(ex))
            {
                throw End(cmdlet, ex);
            }
        }

        /// <summary>Everything known without the network (for -WhatIf and before a lookup); a failure ends the command.</summary>
        public static FcConnectionPlan Plan(FcCmdlet cmdlet, FcContext fromInput = null) => Plan(cmdlet, Request(cmdlet, fromInput));

        private static FcConnectionPlan Plan(FcCmdlet cmdlet, FcConnectionRequest request)
        {
            FcConnectionPlan plan;
            try
            {
                plan = FcConnectionResolver.Plan(request, ProcessEnvironment.Instance);
            }
            catch (Exception ex) when (!FcErrors.IsFlowControl(ex))
            {
                throw End(cmdlet, ex);
            }
            WarnAboutRegion(cmdlet, plan.Region, plan.Endpoint == null, RegionOrigin(cmdlet, request, plan));
            return plan;
        }

        /// <summary>
        /// The plan when a credential source is found without the network (parameters, a context, the environment, a
        /// profile), else null: for a call that signs only when it can (Invoke-FcHttpTrigger -Uri). No credentials at all is
        /// not a failure here; a configuration that names a source that is broken (a missing profile) still ends the command.
        /// </summary>
        public static FcConnectionPlan TryPlan(FcCmdlet cmdlet, FcContext fromInput = null)
        {
            var request = Request(cmdlet, fromInput);
            try
            {
                var plan = FcConnectionResolver.Plan(request, ProcessEnvironment.Instance);
                return plan.CredentialsConfigured ? plan : null;
            }
            catch (FcCredentialException ex) when (ex.Failure == FcCredentialFailure.NotFound)
            {
                return null;
            }
            catch (Exception ex) when (!FcErrors.IsFlowControl(ex))
            {
                throw End(cmdlet, ex);
            }
        }

        /// <summary>
        /// A connection to an HTTP trigger's URL: its origin, and the credential source of <paramref name="plan"/> when the
        /// call is signed (null: anonymous or JWT, no credentials needed). Results remember the plan's context.
        /// </summary>
        public static FcConnected ConnectTrigger(FcCmdlet cmdlet, Uri origin, FcConnectionPlan plan, FcContext fromInput, string originText)
        {
            var client = new FcClient(FcConnection.ForTrigger(origin, plan?.Credentials));
            var context = plan == null ? null : ContextFor(Request(cmdlet, fromInput), plan);
            return new FcConnected(client, context, originText);
        }

        /// <summary>The connection to a discovered trigger: its URL's origin, with the discovery connection's credentials and context.</summary>
        public static FcConnected ConnectTrigger(FcConnected discovery, Uri origin, string originText) =>
            new FcConnected(new FcClient(FcConnection.ForTrigger(origin, discovery.Client.Connection.Credentials)), discovery.Context, originText);

        /// <summary>The command's connection parameters as the core takes them; bad combinations end the command.</summary>
        public static FcConnectionRequest Request(FcCmdlet cmdlet, FcContext fromInput = null)
        {
            try
            {
                return Request(cmdlet.Endpoint, cmdlet.Region, cmdlet.AccountId,
                    cmdlet.MyInvocation.BoundParameters.ContainsKey(nameof(FcCmdlet.Internal)) ? cmdlet.Internal.IsPresent : (bool?)null,
                    cmdlet.Credential, cmdlet.SecurityToken, cmdlet.ProfileName, cmdlet.Context ?? fromInput);
            }
            catch (Exception ex) when (ex is FcInputException || ex is FcCredentialException)
            {
                throw End(cmdlet, ex);
            }
        }

        /// <summary>
        /// Warns, once per session for each value, about a region FcInvoke does not know, naming the close ones; the region
        /// is used as given (FC opens new regions). <paramref name="matters"/>: it builds the endpoint (with an explicit
        /// endpoint, such as an emulator's, the region addresses nothing).
        /// </summary>
        internal static void WarnAboutRegion(Cmdlet cmdlet, string region, bool matters, string origin)
        {
            if (!matters || string.IsNullOrEmpty(region) || FcRegions.IsKnown(region) || !WarnedRegions.TryAdd(region, true)) return;
            cmdlet.WriteWarning($"'{region}' ({origin}) is not an FC region FcInvoke knows{FcErrors.Closest(region)}; it is used as given, in case the region is new. " +
                                "Press Tab after -Region to list the regions.");
        }

        /// <summary>Ends the command with the failure's error record (ThrowTerminatingError always throws; the return satisfies the compiler).</summary>
        private static Exception End(FcCmdlet cmdlet, Exception failure)
        {
            cmdlet.ThrowTerminatingError(FcErrors.Record(failure, cmdlet.ProfileName ?? (object)cmdlet.Context ?? cmdlet.Endpoint));
            return failure;
        }

        /// <summary>The connection parameters as the core takes them; shared by the cmdlets and the argument completers.</summary>
        public static FcConnectionRequest Request(Uri endpoint, string region, string accountId, bool? useInternal,
                                                  PSCredential credential, SecureString securityToken, string profileName, FcContext context)
        {
            FcCredential fcCredential = null;
            if (credential != null)
                fcCredential = new FcCredential(credential.UserName, credential.Password, securityToken, null, "Parameter");
            else if (securityToken != null)
                throw new FcInputException(FcErrorIds.SecurityTokenWithoutCredential,
                    "-SecurityToken goes with -Credential (the temporary AccessKey pair it belongs to).");
            return new FcConnectionRequest
            {
                Endpoint = endpoint,
                Region = region,
                AccountId = accountId,
                Internal = useInternal,
                Credential = fcCredential,
                ProfileName = profileName,
                Context = context,
                SessionContext = FcSession.Current,
            };
        }

        /// <summary>The context output objects remember: the one the command used when nothing overrode it, else a new one.</summary>
        private static FcContext ContextFor(FcConnectionRequest request, FcConnectionPlan plan)
        {
            var used = request.Context ?? request.SessionContext;
            if (used != null && ReferenceEquals(used.Credentials, plan.Credentials) && used.Region == plan.Region && used.AccountId == plan.AccountId &&
                Equals(used.Endpoint, plan.Endpoint) && used.Internal == plan.Internal)
                return used;
            return new FcContext(plan.Credentials, plan.Region, plan.AccountId, plan.Endpoint, plan.Internal);
        }

        private static string ContextOrigin(FcCmdlet cmdlet, FcConnectionRequest request) =>
            request.Context == null ? "the session context (Connect-FcAccount)"
            : cmdlet.Context != null ? "-Context"
            : "the connection the piped object came from";

        /// <summary>Where the endpoint came from, in the order FcConnectionResolver.Plan decides it.</summary>
        private static string Origin(FcCmdlet cmdlet, FcConnectionRequest request, FcConnectionPlan plan)
        {
            if (request.Endpoint != null) return "from -Endpoint";
            if (plan.Endpoint != null) return "from " + ContextOrigin(cmdlet, request);
            return $"the account endpoint of account {plan.AccountId} ({AccountOrigin(cmdlet, request, plan)}) in {plan.Region} ({RegionOrigin(cmdlet, request, plan)})";
        }

        private static string RegionOrigin(FcCmdlet cmdlet, FcConnectionRequest request, FcConnectionPlan plan)
        {
            if (request.Region != null) return "from -Region";
            var context = request.Context ?? request.SessionContext;
            if (request.ProfileName == null && context != null && context.Region == plan.Region) return "from " + ContextOrigin(cmdlet, request);
            if (request.ProfileName == null && ProcessEnvironment.Instance.Get(FcEnvironment.RegionVariable) == plan.Region) return "from $env:" + FcEnvironment.RegionVariable;
            return request.ProfileName != null ? $"from profile '{request.ProfileName}'" : "from the credential profile";
        }

        private static string AccountOrigin(FcCmdlet cmdlet, FcConnectionRequest request, FcConnectionPlan plan)
        {
            if (request.AccountId != null) return "from -AccountId";
            var context = request.Context ?? request.SessionContext;
            if (request.ProfileName == null && context != null && context.AccountId == plan.AccountId) return "from " + ContextOrigin(cmdlet, request);
            if (request.ProfileName == null && ProcessEnvironment.Instance.Get(FcEnvironment.AccountIdVariable) == plan.AccountId) return "from $env:" + FcEnvironment.AccountIdVariable;
            return request.ProfileName != null ? $"from profile '{request.ProfileName}' or STS" : "from the credential profile or STS";
        }
    }

    /// <summary>
    /// -Endpoint in FcInvoke's words: an absolute http:// or https:// base address, or a message that says what to give
    /// (a bare 'host:port' gets the address it probably meant).
    /// </summary>
    internal sealed class EndpointTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value == null) return null;
            var text = value is Uri given ? given.OriginalString : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            var problem = Check(text, out var uri);
            if (problem != null) throw new ArgumentTransformationMetadataException(problem);
            return uri;
        }

        internal static string Check(string text, out Uri uri)
        {
            uri = null;
            text = (text ?? string.Empty).Trim();
            if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps) &&
                !string.IsNullOrEmpty(parsed.Host))
            {
                uri = parsed;
                return null;
            }
            var suggestion = text.Length > 0 && text.IndexOf("://", StringComparison.Ordinal) < 0 && text.IndexOf(' ') < 0
                ? $" Did you mean http://{text.TrimEnd('/')}/ ?"
                : string.Empty;
            return $"'{text}' is not an endpoint FcInvoke can call: give FC's base address with http:// or https:// and a host, " +
                   $"for example http://127.0.0.1:9000/ (an emulator's is $emu.Endpoint).{suggestion}";
        }
    }
}
