namespace DbBackup.PowerShell.Tests.Help;

/// <summary>Where the repository's docs and the built module are, found from the test's own location so
/// the tests run the same from an IDE, `dotnet test` and CI.</summary>
internal static class ModuleLayout
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DbBackup.sln"))) return dir.FullName;
        throw new InvalidOperationException($"DbBackup.sln not found above {AppContext.BaseDirectory}.");
    });

    /// <summary>The repository root (the folder of DbBackup.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>docs/en-US.</summary>
    public static string DocsDirectory => Path.Combine(RepositoryRoot, "docs", "en-US");

    /// <summary>module/DbBackup, the built module folder.</summary>
    public static string ModuleDirectory => Path.Combine(RepositoryRoot, "module", "DbBackup");

    /// <summary>module/DbBackup/DbBackup.dll, the cmdlet assembly.</summary>
    public static string CmdletAssembly => Path.Combine(ModuleDirectory, "DbBackup.dll");

    /// <summary>module/DbBackup/en-US.</summary>
    public static string HelpDirectory => Path.Combine(ModuleDirectory, "en-US");
}
