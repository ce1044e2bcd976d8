namespace FcInvoke
{
    /// <summary>
    /// Every FullyQualifiedErrorId prefix the module's cmdlets can write: the one list, checked against the table in
    /// docs/architecture.md by tests/FcInvoke.Tests/ArchitectureTests.cs. Ids are part of the module's public semantics:
    /// add one deliberately, never rename one. (Core has no PowerShell, so the categories are chosen where records are made.)
    /// </summary>
    internal static class FcErrorIds
    {
        // The call reached FC (or tried to).
        public const string FunctionError = "FcFunctionError";
        /// <summary>A function answered its HTTP trigger call with 4xx/5xx (its own answer; FC's refusals are ServiceError).</summary>
        public const string HttpError = "FcHttpError";
        public const string ServiceError = "FcServiceError";
        public const string Timeout = "FcTimeout";
        public const string AsyncTaskWaitTimeout = "FcAsyncTaskWaitTimeout";
        public const string ConnectionFailed = "FcConnectionFailed";
        public const string UnexpectedResponse = "FcUnexpectedResponse";
        public const string ResponseTooLarge = "FcResponseTooLarge";
        public const string PagingStalled = "FcPagingStalled";
        public const string LoopbackOnly = "FcLoopbackOnly";

        // Bad input: nothing was sent.
        public const string InvalidName = "FcInvalidName";
        public const string InvalidArgument = "FcInvalidArgument";
        /// <summary>A payload that is not data (a file item, a stream, a process, a value that contains itself, nesting past the limit).</summary>
        public const string InvalidPayload = "FcInvalidPayload";
        public const string PayloadTooLarge = "FcPayloadTooLarge";
        public const string InputFileNotFound = "FcInputFileNotFound";
        public const string InputFileUnreadable = "FcInputFileUnreadable";
        /// <summary>Invoke-FcHttpTrigger -FunctionName found no HTTP trigger to call (none, none for the qualifier, no URL of the kind asked for).</summary>
        public const string HttpTriggerNotFound = "FcHttpTriggerNotFound";

        // Whom or where to call.
        public const string CredentialNotFound = "FcCredentialNotFound";
        public const string EndpointUnknown = "FcEndpointUnknown";
        public const string ProfileNotFound = "FcProfileNotFound";
        public const string CredentialFileInvalid = "FcCredentialFileInvalid";
        public const string StsError = "FcStsError";
        public const string EcsMetadataError = "FcEcsMetadataError";
        public const string CredentialInvalid = "FcCredentialInvalid";
        public const string CredentialsUriError = "FcCredentialsUriError";
        public const string CredentialProcessError = "FcCredentialProcessError";
        public const string SecurityTokenWithoutCredential = "FcSecurityTokenWithoutCredential";
        public const string ConflictingCredentialParameters = "FcConflictingCredentialParameters";

        // The emulator's cmdlets.
        public const string EmulatorInvalidFunctionName = "FcEmulatorInvalidFunctionName";
        public const string EmulatorInvalidFunction = "FcEmulatorInvalidFunction";
        public const string EmulatorInvalidAlias = "FcEmulatorInvalidAlias";
        public const string EmulatorInvalidHttpTrigger = "FcEmulatorInvalidHttpTrigger";
        public const string EmulatorInvalidFault = "FcEmulatorInvalidFault";
        public const string EmulatorPortUnavailable = "FcEmulatorPortUnavailable";

        // Nothing above fits: a defect to report, with the original exception inside.
        public const string UnexpectedError = "FcUnexpectedError";
    }
}
