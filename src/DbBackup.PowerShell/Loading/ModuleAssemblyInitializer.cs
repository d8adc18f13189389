using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using DbBackup.Model;

namespace DbBackup.PowerShell.Loading;

/// <summary>Runs on Import-Module and Remove-Module: sends DbBackup.Engine (and through it Npgsql and
/// its dependencies) into the module's private <see cref="AssemblyLoadContext"/>.</summary>
/// <remarks>The pattern of "Resolving PowerShell module assembly dependency conflicts": DbBackup.dll
/// lives in the default context and references the engine, which is not beside it, so the default
/// context fails to find it and raises <see cref="AssemblyLoadContext.Resolving"/>; the handler answers
/// only for the engine and loads it into the private context, whose own <c>Load</c> then serves every
/// dependency of the engine. The trick that makes this work: no public type of DbBackup.dll (which
/// PowerShell reflects over while importing) mentions an engine type in a signature, base type or
/// interface; engine calls live in method bodies of internal bridge types, JIT-compiled only when a
/// cmdlet runs, after this handler is registered.</remarks>
public sealed class ModuleAssemblyInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "DbBackup.Engine";

    private static readonly object Gate = new();
    private static DependencyLoadContext? _context;

    /// <summary>The module folder (where DbBackup.dll and DbBackup.psd1 are).</summary>
    internal static string ModuleDirectory { get; } = Path.GetDirectoryName(typeof(ModuleAssemblyInitializer).Assembly.Location)!;

    /// <summary>Registers the resolver; called by PowerShell on import.</summary>
    public void OnImport() => Register();

    /// <summary>Unregisters the resolver; called by PowerShell on Remove-Module. Assemblies already
    /// loaded stay loaded (load contexts of this kind cannot unload), which re-import handles.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    /// <summary>Idempotent registration, also used by the worker entry point.</summary>
    internal static void Register()
    {
        lock (Gate)
        {
            _context ??= new DependencyLoadContext(Path.Combine(ModuleDirectory, "Dependencies"), typeof(BackupRecord).Assembly);
            AssemblyLoadContext.Default.Resolving -= ResolveEngine;
            AssemblyLoadContext.Default.Resolving += ResolveEngine;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name)
    {
        // Only the engine: answering for Npgsql & co. here would defeat the isolation for other modules.
        if (!string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal) || _context is null) return null;
        return _context.LoadFromAssemblyName(name);
    }
}
