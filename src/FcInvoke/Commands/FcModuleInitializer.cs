using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace FcInvoke.Commands
{
    /// <summary>
    /// On Windows PowerShell 5.1 (.NET Framework) the module's own System.Text.Json and its dependencies come from the
    /// module's dependencies/ folder, whatever version another assembly asks for (no binding redirects there).
    /// On pwsh 7 nothing is registered: the runtime's own, newer System.Text.Json is used.
    /// </summary>
    public sealed class FcModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string DependencyFolder =
            Path.Combine(Path.GetDirectoryName(typeof(FcModuleInitializer).Assembly.Location) ?? ".", "dependencies");

        private static bool IsDesktop =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        public void OnImport()
        {
            if (IsDesktop) AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
        }

        public void OnRemove(PSModuleInfo module)
        {
            if (IsDesktop) AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
        }

        private static Assembly ResolveDependency(object sender, ResolveEventArgs args)
        {
            var path = Path.Combine(DependencyFolder, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
