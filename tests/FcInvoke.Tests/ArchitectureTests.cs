using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace FcInvoke.Tests
{
    /// <summary>
    /// The structure docs/architecture.md describes, kept true: which project may reference which, what each assembly
    /// exports (every exported type is a compatibility promise), and the one list of error ids.
    /// </summary>
    public class ArchitectureTests
    {
        // Read as metadata, not loaded: the cmdlet assemblies need System.Management.Automation, which only a PowerShell host has.
        private static string AssemblyPath(string name) => Path.Combine(AppContext.BaseDirectory, name + ".dll");

        private static string[] ReferencesOf(string assembly)
        {
            using (var pe = new PEReader(File.OpenRead(AssemblyPath(assembly))))
            {
                var md = pe.GetMetadataReader();
                return md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToArray();
            }
        }

        /// <summary>What Assembly.GetExportedTypes would list: public types, and public nested types of exported ones.</summary>
        private static string[] ExportedTypesOf(string assembly)
        {
            using (var pe = new PEReader(File.OpenRead(AssemblyPath(assembly))))
            {
                var md = pe.GetMetadataReader();
                bool IsExported(TypeDefinition t)
                {
                    var visibility = t.Attributes & TypeAttributes.VisibilityMask;
                    if (visibility == TypeAttributes.Public) return true;
                    return visibility == TypeAttributes.NestedPublic && IsExported(md.GetTypeDefinition(t.GetDeclaringType()));
                }
                string NameOf(TypeDefinition t) => t.GetDeclaringType().IsNil
                    ? md.GetString(t.Namespace) + "." + md.GetString(t.Name)
                    : NameOf(md.GetTypeDefinition(t.GetDeclaringType())) + "+" + md.GetString(t.Name);
                return md.TypeDefinitions.Select(md.GetTypeDefinition).Where(IsExported).Select(NameOf)
                    .OrderBy(n => n, StringComparer.Ordinal).ToArray();
            }
        }

        internal static string RepositoryRoot
        {
            get
            {
                for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "FcInvoke.psd1"))) return dir.FullName;
                }
                throw new InvalidOperationException("The repository root (the folder of FcInvoke.psd1) was not found above " + AppContext.BaseDirectory);
            }
        }

        // ---- References: a wrong arrow between layers must not compile, and this notices if a project gains one. ----

        public static IEnumerable<object[]> AllowedReferences => new[]
        {
            // project, the projects it may reference, whether it may reference PowerShell
            new object[] { "FcInvoke.Core", new string[0], false },
            new object[] { "FcInvoke", new[] { "FcInvoke.Core" }, true },
            new object[] { "FcInvoke.Emulator", new[] { "FcInvoke.Core" }, true },
        };

        [Theory]
        [MemberData(nameof(AllowedReferences))]
        public void Each_project_references_only_the_layers_below_it(string project, string[] projects, bool powerShell)
        {
            var csproj = XDocument.Load(Path.Combine(RepositoryRoot, "src", project, project + ".csproj"));
            var referenced = csproj.Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")))
                .OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Assert.Equal(projects.OrderBy(n => n, StringComparer.Ordinal).ToArray(), referenced);
            var packages = csproj.Descendants("PackageReference").Select(r => (string)r.Attribute("Include")).ToArray();
            Assert.Equal(powerShell, packages.Contains("PowerShellStandard.Library"));
            Assert.DoesNotContain(packages, p => p.StartsWith("System.Management.Automation", StringComparison.OrdinalIgnoreCase) ||
                                                 p.StartsWith("Microsoft.PowerShell", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void The_compiled_assemblies_reference_only_what_their_layer_allows()
        {
            Assert.DoesNotContain("System.Management.Automation", ReferencesOf("FcInvoke.Core"));
            Assert.DoesNotContain(ReferencesOf("FcInvoke.Core"), n => n.StartsWith("FcInvoke", StringComparison.Ordinal));
            Assert.Contains("System.Management.Automation", ReferencesOf("FcInvoke"));
            Assert.Contains("FcInvoke.Core", ReferencesOf("FcInvoke"));
            Assert.DoesNotContain("FcInvoke.Emulator", ReferencesOf("FcInvoke"));
            Assert.Contains("FcInvoke.Core", ReferencesOf("FcInvoke.Emulator"));
            Assert.DoesNotContain("FcInvoke", ReferencesOf("FcInvoke.Emulator"));
        }

        // ---- The public surface: a decision, not an accident. Adding a type here is a deliberate act. ----

        private static readonly string[] ExpectedCore =
        {
            // output types users hold
            "FcInvoke.FcAsyncTask", "FcInvoke.FcAsyncTaskEvent", "FcInvoke.FcContext", "FcInvoke.FcFunctionInfo",
            "FcInvoke.FcInvocationResult", "FcInvoke.FcServiceInfo", "FcInvoke.FcHttpResponse",
            // exceptions with documented ids
            "FcInvoke.Credentials.FcCredentialException", "FcInvoke.FcFunctionException", "FcInvoke.FcLoopbackViolationException",
            "FcInvoke.FcServiceException", "FcInvoke.FcTimeoutException", "FcInvoke.FcTransportException",
            "FcInvoke.FcUnexpectedResponseException", "FcInvoke.FcResponseTooLargeException", "FcInvoke.FcPagingException",
            "FcInvoke.FcHttpException",
        };

        private static readonly string[] ExpectedCmdlets =
        {
            // the cmdlets and the bases they must derive from publicly
            "FcInvoke.Commands.ConnectFcAccountCommand", "FcInvoke.Commands.DisconnectFcAccountCommand", "FcInvoke.Commands.FcCmdlet",
            "FcInvoke.Commands.FcFunctionCmdlet", "FcInvoke.Commands.GetFcAsyncTaskCommand", "FcInvoke.Commands.GetFcContextCommand",
            "FcInvoke.Commands.GetFcFunctionCommand", "FcInvoke.Commands.GetFcServiceCommand", "FcInvoke.Commands.InvokeFcFunctionCommand",
            "FcInvoke.Commands.StopFcAsyncTaskCommand", "FcInvoke.Commands.WaitFcAsyncTaskCommand", "FcInvoke.Commands.InvokeFcHttpTriggerCommand",
            // enums used in parameters
            "FcInvoke.Commands.FcInvocationType", "FcInvoke.Commands.FcLogType", "FcInvoke.Commands.FcSortOrder", "FcInvoke.Commands.FcHttpAuthentication",
            // PowerShell finds IModuleAssemblyInitializer implementations among exported types only
            "FcInvoke.Commands.FcModuleInitializer",
        };

        private static readonly string[] ExpectedEmulator =
        {
            "FcInvoke.Commands.GetFcEmulatorCommand", "FcInvoke.Commands.StartFcEmulatorCommand", "FcInvoke.Commands.StopFcEmulatorCommand",
            "FcInvoke.Emulator.FcEmulator", "FcInvoke.Emulator.FcEmulatorFault", "FcInvoke.Emulator.FcEmulatorFaults",
            "FcInvoke.Emulator.FcEmulatorRequest",
        };

        public static IEnumerable<object[]> Surfaces => new[]
        {
            new object[] { "FcInvoke.Core", ExpectedCore },
            new object[] { "FcInvoke", ExpectedCmdlets },
            new object[] { "FcInvoke.Emulator", ExpectedEmulator },
        };

        [Theory]
        [MemberData(nameof(Surfaces))]
        public void Each_assembly_exports_exactly_the_types_decided(string assembly, string[] expected)
        {
            Assert.Equal(expected.OrderBy(n => n, StringComparer.Ordinal).ToArray(), ExportedTypesOf(assembly));
        }

        // ---- Error ids: one list in the code (FcErrorIds), the same list in docs/architecture.md, no id written elsewhere. ----

        private static string[] CodeIds() =>
            typeof(FcErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue())
                .OrderBy(n => n, StringComparer.Ordinal).ToArray();

        private static string[] DocumentedIds()
        {
            var doc = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "architecture.md"));
            var section = doc.Substring(doc.IndexOf("## Error ids", StringComparison.Ordinal));
            var next = section.IndexOf("\n## ", 3, StringComparison.Ordinal);
            if (next > 0) section = section.Substring(0, next);
            // The first column of each table row lists the ids, each in backticks.
            return section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal))
                .SelectMany(l => Regex.Matches(l.Split('|')[1], "`(Fc[A-Za-z]+)`").Cast<Match>().Select(m => m.Groups[1].Value))
                .Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
        }

        [Fact]
        public void Every_error_id_in_the_code_is_in_the_architecture_table_and_no_other()
        {
            Assert.Equal(CodeIds(), DocumentedIds());
        }

        [Fact]
        public void Error_records_take_their_id_from_the_one_list()
        {
            var offenders = new List<string>();
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)) continue;
                var text = File.ReadAllText(file);
                // new ErrorRecord(..., "FcSomething", ...): an id spelt out instead of taken from FcErrorIds.
                foreach (Match m in Regex.Matches(text, @"new\s+ErrorRecord\s*\((?:[^;""]|""(?:\\.|[^""\\])*"")*;", RegexOptions.Singleline))
                {
                    if (Regex.IsMatch(m.Value, @"""Fc[A-Z][A-Za-z]*""")) offenders.Add($"{Path.GetFileName(file)}: {m.Value.Split('\n')[0].Trim()}");
                }
                if (Path.GetFileName(file) == "FcErrorIds.cs") continue;
                foreach (var id in CodeIds())
                {
                    if (text.Contains("\"" + id + "\"")) offenders.Add($"{Path.GetFileName(file)} spells out \"{id}\"");
                }
            }
            Assert.Empty(offenders);
        }
    }
}
