using System;
using System.Management.Automation;
using System.Security;
using FcInvoke.Core;
using FcInvoke.Credentials;

namespace FcInvoke.Commands
{
    /// <summary>
    /// Turns a command's connection parameters (and the session default) into the client it calls FC with. Planning
    /// needs no network; only a missing account id for the account endpoint is looked up (STS GetCallerIdentity), through
    /// the command's bridge so Ctrl+C and -Verbose work. A failure here ends the command: nothing can go on without it.
    /// </summary>
    internal static class FcConnector
    {
        public static FcClient Connect(FcCmdlet cmdlet)
        {
            var plan = Plan(cmdlet);
            try
            {
                // The common case stays on the pipeline thread: a loop of single invocations pays for no thread hop.
                if (plan.Endpoint == null && plan.AccountId == null)
                    cmdlet.Run(async (log, ct) => { await FcConnectionResolver.CompleteAccountIdAsync(plan, ProcessEnvironment.Instance, log, ct).ConfigureAwait(false); return true; });
                return new FcClient(FcConnectionResolver.Connect(plan));
            }
            catch (Exception ex) when (!FcErrors.IsFlowControl(ex))
            {
                throw End(cmdlet, ex);
            }
        }

        /// <summary>Everything known without the network (for -WhatIf and before a lookup); a failure ends the command.</summary>
        public static FcConnectionPlan Plan(FcCmdlet cmdlet)
        {
            var request = Request(cmdlet);
            try
            {
                return FcConnectionResolver.Plan(request, ProcessEnvironment.Instance);
            }
            catch (Exception ex) when (!FcErrors.IsFlowControl(ex))
            {
                throw End(cmdlet, ex);
            }
        }

        /// <summary>The command's connection parameters as the core takes them; bad combinations end the command.</summary>
        public static FcConnectionRequest Request(FcCmdlet cmdlet)
        {
            try
            {
                return Request(cmdlet.Endpoint, cmdlet.Region, cmdlet.AccountId,
                    cmdlet.MyInvocation.BoundParameters.ContainsKey(nameof(FcCmdlet.Internal)) ? cmdlet.Internal.IsPresent : (bool?)null,
                    cmdlet.Credential, cmdlet.SecurityToken, cmdlet.ProfileName, cmdlet.Context);
            }
            catch (Exception ex) when (ex is FcInputException || ex is FcCredentialException)
            {
                throw End(cmdlet, ex);
            }
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
    }
}
