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

    /// <summary>The engine; its operations run in detached pwsh workers that outlive the session.</summary>
    public BackupEngine Engine { get; }

    /// <summary>The same repository, its operations run inside this session: for -Wait, where the
    /// caller waits for the end anyway and a pwsh worker's start would cost seconds.</summary>
    public BackupEngine WaitingEngine => _waitingEngine ??= new BackupEngine(RequestedPath, new InProcessWorkerLauncher(new PwshWorkerLauncher()));

    private BackupEngine? _waitingEngine;

    /// <summary>Opens the repository (the engine creates it on the first write). State-changing cmdlets
    /// open it only once ShouldProcess agreed, so -WhatIf never reaches the engine.</summary>
    public static EngineSession Open(string? repositoryPath) => new(repositoryPath);
}
