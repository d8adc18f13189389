using DbBackup.Engine.Operations;
using DbBackup.PowerShell.Worker;

namespace DbBackup.PowerShell.Bridge;

/// <summary>An opened engine for one repository. Exists so that cmdlet classes (public, reflected over
/// by PowerShell during import) hold this type instead of an engine type: see ModuleAssemblyInitializer.</summary>
internal sealed class EngineSession
{
    private EngineSession(string? repositoryPath)
    {
        RequestedPath = repositoryPath;
        Engine = new BackupEngine(repositoryPath, new PwshWorkerLauncher());
    }

    /// <summary>The -Repository value resolved to a full path, or null for the configured default.</summary>
    public string? RequestedPath { get; }

    /// <summary>The engine.</summary>
    public BackupEngine Engine { get; }

    /// <summary>Opens (and creates when missing) the repository. Only called once ShouldProcess agreed.</summary>
    public static EngineSession Open(string? repositoryPath) => new(repositoryPath);
}
