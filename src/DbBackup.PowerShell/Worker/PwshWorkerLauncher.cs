using DbBackup.Engine.Operations;
using DbBackup.PowerShell.Loading;

namespace DbBackup.PowerShell.Worker;

/// <summary>Starts the detached worker as <c>pwsh -NoProfile -NonInteractive -NoLogo -File
/// DbBackup.Worker.ps1 -Repository … -OperationId …</c>: a readable command line (an -EncodedCommand
/// blob in <c>ps</c> looks like malware to people and scanners); the script imports this module's DLL
/// and calls <see cref="WorkerEntryPoint.Run"/>. How it is detached and how the password reaches it is
/// the engine's <see cref="WorkerProcess"/>.</summary>
internal sealed class PwshWorkerLauncher : IWorkerLauncher
{
    public int Launch(string repositoryPath, string operationId, string? password)
    {
        var script = Path.Combine(ModuleAssemblyInitializer.ModuleDirectory, "DbBackup.Worker.ps1");
        return WorkerProcess.Start(PwshLocator.Find(),
            ["-NoProfile", "-NonInteractive", "-NoLogo", "-File", script, "-Repository", repositoryPath, "-OperationId", operationId],
            password,
            Directory.Exists(repositoryPath) ? repositoryPath : Path.GetTempPath());
    }
}
