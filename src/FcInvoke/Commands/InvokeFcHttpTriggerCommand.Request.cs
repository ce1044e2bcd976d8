using System;
using System.Collections;
using System.Collections.Generic;
using FcInvoke.Core;
using FcInvoke.Interop;

namespace FcInvoke.Commands
{
    /// <summary>Invoke-FcHttpTrigger, continued: the call an input makes, built from the parameters and checked before sending.</summary>
    public sealed partial class InvokeFcHttpTriggerCommand
    {
        /// <summary>The call this input makes, checked as far as it can be without the trigger; null (with the error written) when it cannot be sent.</summary>
        private FcHttpCallSpec BuildSpec(object target, FcFailureContext failure)
        {
            var spec = new FcHttpCallSpec
            {
                Path = Path,
                Query = QueryPairs(),
                Headers = PipelineBinding.HeaderPairs(Header),
                Token = Token,
                Intranet = Internal.IsPresent,
                AsyncTaskId = AsyncTaskId,
                IsAsync = InvocationType == FcInvocationType.Async ||
                          (AsyncTaskId != null && !MyInvocation.BoundParameters.ContainsKey(nameof(InvocationType))),
            };
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Authentication))) spec.Authentication = (FcTriggerAuth)(int)Authentication;

            // A first positional value that is a URL is the -Uri: 'Invoke-FcHttpTrigger https://…' reads as it should.
            var uri = Uri;
            if (!ByUri && FunctionName != null && FunctionName.IndexOf("://", StringComparison.Ordinal) > 0)
            {
                if (!System.Uri.TryCreate(FunctionName, UriKind.Absolute, out uri))
                {
                    WriteError(FcErrors.Input(FcErrorIds.InvalidArgument, $"'{FunctionName}' is neither a function name nor an absolute URL.", target, failure));
                    return null;
                }
            }
            if (uri != null)
            {
                spec.Uri = uri;
            }
            else
            {
                var problem = FcFunctionName.Resolve(FunctionName, ServiceName, Qualifier, out var function) ?? FcNames.CheckFunction(function);
                if (problem != null)
                {
                    WriteError(FcErrors.Input(FcErrorIds.InvalidName, problem, target, failure));
                    return null;
                }
                spec.Function = function;
            }

            try
            {
                spec.Body = FromFile ? InvocationInput.ReadFile(this, InputFile, spec.IsAsync, ContentType ?? FcRequestBody.OctetStream) : BodyOf(Body);
            }
            catch (FcInputException ex)
            {
                WriteError(FcErrors.Record(ex, target, failure));
                return null;
            }
            spec.Method = Method != null ? Method.ToUpperInvariant() : spec.Body != null ? "POST" : "GET";

            var invalid = CheckContentType(spec) ?? spec.Validate();
            if (invalid != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.InvalidArgument, invalid, target, failure));
                return null;
            }
            var tooLarge = spec.Body == null ? null : FcNames.CheckPayloadSize(spec.Body.Length, spec.IsAsync);
            if (tooLarge != null)
            {
                WriteError(FcErrors.Input(FcErrorIds.PayloadTooLarge, tooLarge, target, failure));
                return null;
            }
            return spec;
        }

        /// <summary>-ContentType only with a body (whether the type itself is one: <see cref="FcHttpCallSpec.Validate"/>).</summary>
        private string CheckContentType(FcHttpCallSpec spec) =>
            ContentType != null && spec.Body == null ? "-ContentType describes a body, and this call sends none: give the body with -Body or -InputFile." : null;

        /// <summary>-Body as bytes and a content type: a string as UTF-8 text, bytes as they are, data as JSON; null sends no body.</summary>
        private FcRequestBody BodyOf(object body)
        {
            var value = PSJson.Unwrap(body);
            switch (value)
            {
                case null:
                    return null;
                case string text:
                    return FcRequestBody.FromBytes(System.Text.Encoding.UTF8.GetBytes(text), ContentType ?? DefaultTextType);
                case byte[] bytes:
                    return FcRequestBody.FromBytes(bytes, ContentType ?? FcRequestBody.OctetStream);
                default:
                    return FcRequestBody.FromBytes(PSJson.ToBody(body), ContentType ?? DefaultDataType);
            }
        }

        /// <summary>-Query as decoded pairs: values as text, an array value as the name repeated, $null as an empty value.</summary>
        private List<KeyValuePair<string, string>> QueryPairs()
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (Query == null) return pairs;
            foreach (DictionaryEntry entry in Query)
            {
                var name = PipelineBinding.Text(entry.Key);
                var value = PSJson.Unwrap(entry.Value);
                if (value is IEnumerable many && !(value is string))
                    foreach (var item in many) pairs.Add(new KeyValuePair<string, string>(name, PipelineBinding.Text(item)));
                else
                    pairs.Add(new KeyValuePair<string, string>(name, PipelineBinding.Text(value)));
            }
            return pairs;
        }
    }
}
