namespace DbBackup.Engine.Operations;

/// <summary>Runs the worker inside this process (see <see cref="BackupEngine.RunWorkerInBackground"/>)
/// for callers that wait for the end anyway (`--wait`, -Wait): starting a new process costs from a
/// fraction of a second (the CLI) to seconds (pwsh), which dominates small backups. The password stays
/// in this process's memory. Anything the worker itself launches goes through <paramref name="detached"/>.</summary>
public sealed class InProcessWorkerLauncher(IWorkerLauncher detached) : IWorkerLauncher
{
    /// <inheritdoc/>
    public int Launch(string repositoryPath, string operationId, string? password)
    {
        new BackupEngine(repositoryPath, detached).RunWorkerInBackground(operationId, password);
        return Environment.ProcessId;
    }
}
