using System.Reflection;
using System.Runtime.InteropServices;

namespace DbBackup.PowerShell.Tests;

/// <summary>The built module/DbBackup folder, loaded for inspection only (MetadataLoadContext): nothing
/// in it runs, so the tests need no PowerShell host and hold no lock on the module's files.</summary>
public sealed class BuiltModule : IDisposable
{
    public BuiltModule()
    {
        RepositoryRoot = FindRepositoryRoot();
        Directory = Path.Combine(RepositoryRoot, "module", "DbBackup");
        if (!File.Exists(Path.Combine(Directory, "DbBackup.dll")))
            throw new InvalidOperationException($"No built module in {Directory}: run `dotnet build DbBackup.sln` first.");

        var sma = Path.Combine(AppContext.BaseDirectory, "System.Management.Automation.dll");
        var paths = System.IO.Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(System.IO.Directory.GetFiles(Directory, "*.dll"))
            .Concat(System.IO.Directory.GetFiles(Path.Combine(Directory, "Dependencies"), "*.dll"))
            .Append(sma)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        Context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        Cmdlets = Context.LoadFromAssemblyPath(Path.Combine(Directory, "DbBackup.dll"));
        Model = Context.LoadFromAssemblyPath(Path.Combine(Directory, "DbBackup.Model.dll"));
    }

    public string RepositoryRoot { get; }
    public string Directory { get; }
    public MetadataLoadContext Context { get; }
    public Assembly Cmdlets { get; }
    public Assembly Model { get; }

    /// <summary>Every cmdlet class (public, concrete, carrying [Cmdlet]).</summary>
    public IReadOnlyList<CmdletInfo> CmdletTypes => Cmdlets.GetExportedTypes()
        .Where(t => !t.IsAbstract)
        .Select(t => (Type: t, Attribute: t.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute")))
        .Where(x => x.Attribute is not null)
        .Select(x => new CmdletInfo(x.Type, x.Attribute!))
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .ToList();

    public void Dispose() => Context.Dispose();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DbBackup.sln"))) return dir.FullName;
        throw new InvalidOperationException("DbBackup.sln not found above " + AppContext.BaseDirectory);
    }
}
