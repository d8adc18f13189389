using System.Diagnostics;
using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Operations;

namespace DbBackup.Cli;

/// <summary>Starts `dbbackup worker` as a detached process: its own session on Unix (setsid), so a
/// Ctrl+C or a closed terminal in the caller does not reach it; the password goes through its
/// standard input, which is then closed.</summary>
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
    {
        var self = _executable;
        var args = new List<string>(_prefix);
        args.AddRange(["worker", "--repository", repositoryPath, "--id", operationId]);
        var file = self;
        if (!OperatingSystem.IsWindows() && File.Exists("/usr/bin/setsid"))
        {
            args.Insert(0, self);
            file = "/usr/bin/setsid";
        }
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new DbBackupException(ErrorKind.InvalidOperation, "WorkerStartFailed", "The worker process did not start.");
        p.StandardInput.WriteLine(JsonSerializer.Serialize(new WorkerSecrets { Password = password }));
        p.StandardInput.Close();
        // Never read: the worker writes nothing to stdout/stderr (it logs to its folder), and the pipes
        // close when this process exits, so callers that capture our output are not held open.
        return p.Id;
    }
}

/// <summary>What the caller hands the worker on stdin.</summary>
public sealed class WorkerSecrets
{
    /// <summary>The database password, or null.</summary>
    public string? Password { get; set; }
}
