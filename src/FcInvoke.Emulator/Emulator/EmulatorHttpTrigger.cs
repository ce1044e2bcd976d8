using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using FcInvoke.Core;

namespace FcInvoke.Emulator
{
    /// <summary>
    /// An HTTP trigger declared with Start-FcEmulator -HttpTrigger: its auth type (anonymous, function, jwt), methods,
    /// qualifier and URLs. The URLs are paths on the emulator that no API path can collide with:
    /// urlInternet <c>http://127.0.0.1:port/http-trigger/&lt;prefix&gt;</c>, urlIntranet the same with "-vpc" appended,
    /// as FC's VPC host appends it (<c>xxx.cn-hangzhou-vpc.fcapp.run</c>). Both stay on 127.0.0.1.
    /// </summary>
    internal sealed class EmulatorHttpTrigger
    {
        /// <summary>The trigger's name in ListTriggers/GetTrigger; one HTTP trigger per function.</summary>
        public const string Name = "httpTrigger";
        public const string PathRoot = "/http-trigger/";
        public const string IntranetSuffix = "-vpc";
        /// <summary>The methods FC's HTTP triggers take (http-triggers.md §5), and the default.</summary>
        public static readonly IReadOnlyList<string> AllMethods = new[] { "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS" };
        public static readonly IReadOnlyList<string> AuthTypes = new[] { "anonymous", "function", "jwt" };

        public EmulatorHttpTrigger(string functionKey, string authType, IEnumerable<string> methods, string qualifier, EmulatorJwks jwks)
        {
            FunctionKey = functionKey;
            AuthType = (authType ?? "function").ToLowerInvariant();
            Methods = (methods ?? AllMethods).Select(m => (m ?? string.Empty).ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToList();
            Qualifier = string.IsNullOrEmpty(qualifier) ? "LATEST" : qualifier;
            Jwks = jwks;
            DomainPrefix = Slug(functionKey) + "-" + EmulatorKeyGenerator.RandomHex(4);
        }

        public string FunctionKey { get; }
        public string AuthType { get; }
        public IReadOnlyList<string> Methods { get; }
        public string Qualifier { get; }
        public EmulatorJwks Jwks { get; }
        /// <summary>The trigger's own part of its URLs, like FC's "svc-func-xxxxxxxx" domain prefix.</summary>
        public string DomainPrefix { get; }
        public readonly string TriggerId = Guid.NewGuid().ToString("D");

        public Uri UrlInternet(Uri endpoint) => new Uri(endpoint, PathRoot.TrimStart('/') + DomainPrefix);
        public Uri UrlIntranet(Uri endpoint) => new Uri(endpoint, PathRoot.TrimStart('/') + DomainPrefix + IntranetSuffix);

        /// <summary>Null when the declaration is one FC would accept for this function, otherwise the problem.</summary>
        public string Check(EmulatedFunction function)
        {
            if (!AuthTypes.Contains(AuthType)) return $"The HTTP trigger of '{FunctionKey}' has AuthType '{AuthType}'; use anonymous, function or jwt.";
            if ((AuthType == "jwt") != (Jwks != null))
                return AuthType == "jwt" ? $"The jwt HTTP trigger of '{FunctionKey}' needs JwtSecret or Jwks." : $"JwtSecret and Jwks belong to a jwt HTTP trigger, not '{AuthType}' ('{FunctionKey}').";
            if (Methods.Count == 0) return $"The HTTP trigger of '{FunctionKey}' has no method.";
            var unknown = Methods.FirstOrDefault(m => !AllMethods.Contains(m));
            if (unknown != null) return $"The HTTP trigger of '{FunctionKey}' has the method '{unknown}'; FC's HTTP triggers take {string.Join(", ", AllMethods)}.";
            var problem = FcNames.CheckQualifier(Qualifier);
            if (problem != null) return problem;
            return function.Versioning.Resolve(Qualifier, function.IsV2, function.VersioningOwner, () => 0, out _)?.Message;
        }

        /// <summary>FC's triggerConfig, a JSON string: authType, methods and, for jwt, an authConfig without secret key material.</summary>
        public string TriggerConfigJson() => Encoding.UTF8.GetString(EmulatorJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("authType", AuthType);
            w.WriteStartArray("methods");
            foreach (var m in Methods) w.WriteStringValue(m);
            w.WriteEndArray();
            if (Jwks != null)
            {
                w.WriteString("authConfig", Encoding.UTF8.GetString(EmulatorJson.Write(a =>
                {
                    a.WriteStartObject();
                    a.WritePropertyName("jwks");
                    Jwks.WritePublic(a);
                    a.WriteString("tokenLookup", "header:Authorization:Bearer ");
                    a.WriteEndObject();
                })));
            }
            w.WriteBoolean("disableURLInternet", false);
            w.WriteEndObject();
        }));

        /// <summary>'svc/My_Func' becomes 'svc-my-func': what fits a host name label, as FC's trigger domains look.</summary>
        private static string Slug(string functionKey)
        {
            var chars = functionKey.ToLowerInvariant().Select(c => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-').ToArray();
            var slug = new string(chars).Trim('-');
            while (slug.Contains("--")) slug = slug.Replace("--", "-");
            if (slug.Length > 40) slug = slug.Substring(0, 40).TrimEnd('-');
            return slug.Length == 0 ? "fn" : slug;
        }
    }
}
