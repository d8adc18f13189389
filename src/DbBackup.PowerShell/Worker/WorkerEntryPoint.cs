using DbBackup.Engine.Operations;
using DbBackup.PowerShell.Loading;

namespace DbBackup.PowerShell;

/// <summary>Where a detached worker process enters the engine. Called by the command line the module's
/// worker launcher builds (<c>pwsh … -File DbBackup.Worker.ps1 …</c>); not for users. The protocol
/// (password on stdin, signals, exit code) is the engine's <see cref="WorkerProcess"/>, as for the CLI's worker.</summary>
public static class WorkerEntryPoint
{
    /// <summary>Runs the operation to its end. Returns the process exit code: 0 when the worker ran (the
    /// record holds the outcome), 1 when it could not run the operation.</summary>
    public static int Run(string repositoryPath, string operationId)
    {
        ModuleAssemblyInitializer.Register();
        return RunEngine(repositoryPath, operationId);
    }

    // Separate method: its engine references are JIT-compiled only after Register() above.
    private static int RunEngine(string repositoryPath, string operationId)
        => WorkerProcess.Run(() => new BackupEngine(repositoryPath, new Worker.PwshWorkerLauncher()), operationId);
}
