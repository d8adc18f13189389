using DbBackup.Engine.Operations;

namespace DbBackup.Cli;

/// <summary>Starts `dbbackup worker --repository … --id …` as a detached process, the engine's
/// <see cref="WorkerProcess"/> way (own session, password on stdin).</summary>
public sealed class ProcessWorkerLauncher : IWorkerLauncher
{
    private readonly string _executable;
    private readonly IReadOnlyList<string> _prefix;

    /// <summary>Runs the current dbbackup (the same apphost, or `dotnet dbbackup.dll` when started that way).</summary>
    public ProcessWorkerLauncher()
    {
        _executable = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find the dbbackup executable.");
        _prefix = Path.GetFileNameWithoutExtension(_executable).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? [typeof(ProcessWorkerLauncher).Assembly.Location] : [];
    }

    /// <summary>Runs <paramref name="executable"/> with <paramref name="prefix"/> before the worker arguments
    /// (e.g. "dotnet" + the path of dbbackup.dll, as the tests do).</summary>
    public ProcessWorkerLauncher(string executable, IReadOnlyList<string> prefix)
    {
        _executable = executable;
        _prefix = prefix;
    }

    /// <inheritdoc/>
    public int Launch(string repositoryPath, string operationId, string? password)
        => WorkerProcess.Start(_executable, [.. _prefix, "worker", "--repository", repositoryPath, "--id", operationId], password, Path.GetTempPath());
}
