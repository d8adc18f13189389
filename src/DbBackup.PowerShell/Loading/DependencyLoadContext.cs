using System.Reflection;
using System.Runtime.Loader;

namespace DbBackup.PowerShell.Loading;

/// <summary>The module's private load context: DbBackup.Engine, Npgsql and their dependencies from
/// <c>Dependencies/</c>, so other modules that ship other versions of the same libraries do not clash.
/// DbBackup.Model and System.Management.Automation are never loaded here: the model comes from the
/// default context (so engine and cmdlets share one BackupRecord type) and the engine does not use SMA.</summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyDirectory;
    private readonly Assembly _modelAssembly;

    public DependencyLoadContext(string dependencyDirectory, Assembly modelAssembly)
        : base("DbBackup.Dependencies", isCollectible: false)
    {
        _dependencyDirectory = dependencyDirectory;
        _modelAssembly = modelAssembly;
    }

    /// <summary>The folder the engine and its dependencies load from.</summary>
    public string DependencyDirectory => _dependencyDirectory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (string.Equals(assemblyName.Name, _modelAssembly.GetName().Name, StringComparison.Ordinal)) return _modelAssembly;
        var path = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        // Anything not shipped in Dependencies/ (the framework itself) falls back to the default context.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
