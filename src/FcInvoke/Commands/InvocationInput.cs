using System;
using System.IO;
using System.Management.Automation;
using FcInvoke.Core;

namespace FcInvoke.Commands
{
    /// <summary>How the invoking cmdlets (Invoke-FcFunction, Invoke-FcHttpTrigger) name an input and read -InputFile.</summary>
    internal static class InvocationInput
    {
        /// <summary>A value as results (InputObject) and errors (TargetObject) name it: unwrapped, except a row (PSCustomObject).</summary>
        public static object Plain(object value) => value is PSObject pso && !(pso.BaseObject is PSCustomObject) ? pso.BaseObject : value;

        /// <summary>
        /// The file -InputFile names, as a request body, its size checked against FC's limit before it is read; an
        /// <see cref="FcInputException"/> (FcInputFileNotFound, FcPayloadTooLarge, FcInputFileUnreadable) when it cannot be sent.
        /// </summary>
        public static FcRequestBody ReadFile(PSCmdlet cmdlet, string inputFile, bool isAsync, string contentType = FcRequestBody.OctetStream)
        {
            try
            {
                var path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(inputFile);
                var info = new FileInfo(path);
                if (!info.Exists) throw new FcInputException(FcErrorIds.InputFileNotFound, $"The input file '{path}' does not exist.");
                var tooLarge = FcNames.CheckPayloadSize(info.Length, isAsync);
                if (tooLarge != null) throw new FcInputException(FcErrorIds.PayloadTooLarge, tooLarge);
                return FcRequestBody.FromFile(path, contentType);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ItemNotFoundException)
            {
                throw new FcInputException(FcErrorIds.InputFileUnreadable, $"The input file '{inputFile}' cannot be read: {ex.Message}", ex);
            }
        }
    }
}
