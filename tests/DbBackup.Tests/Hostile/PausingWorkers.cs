using System.Diagnostics;
using DbBackup.Cli;
using DbBackup.Engine.Operations;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>A throw-away repository whose detached workers pause at a named step (the test-only
/// <see cref="WorkerPausePoints"/> hook), so a test can kill -9 or SIGSTOP them at that instant.</summary>
internal sealed class PausingWorkers : IDisposable
{
    private readonly TestRepository _repo = new();

    /// <summary>Workers pause at <paramref name="steps"/> (comma-separated step names).</summary>
    public PausingWorkers(string steps)
    {
        Folder = Directory.CreateTempSubdirectory("dbbackup-pause-").FullName;
        var launcher = new ProcessWorkerLauncher("/usr/bin/env",
            [$"{WorkerPausePoints.StepsVariable}={steps}", $"{WorkerPausePoints.FolderVariable}={Folder}", "dotnet", TestRepository.CliDll]);
        Engine = new BackupEngine(_repo.Path, launcher);
    }

    /// <summary>Where the markers appear.</summary>
    public string Folder { get; }

    /// <summary>Engine over the repository, launching pausing workers.</summary>
    public BackupEngine Engine { get; }

    /// <summary>The same repository with workers that never pause (for the operation that follows a kill).</summary>
    public BackupEngine Plain => _repo.Engine;

    /// <summary>Waits until a worker reaches <paramref name="step"/> (a minute at most) and returns its pid.</summary>
    public Task<int> ReachedAsync(string step) => ReachedAsync(Folder, step);

    /// <summary>Waits until a worker pausing with its markers in <paramref name="folder"/> reaches <paramref name="step"/>
    /// (90 s at most) and returns its pid.</summary>
    public static async Task<int> ReachedAsync(string folder, string step)
    {
        var marker = WorkerPausePoints.MarkerPath(folder, step);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (File.Exists(marker) && int.TryParse(await File.ReadAllTextAsync(marker), out var pid)) return pid;
            await Task.Delay(20);
        }
        throw new TimeoutException($"No worker reached '{step}' within 90 s.");
    }

    /// <summary>Lets the worker paused at <paramref name="step"/> go on.</summary>
    public void Resume(string step) => File.Delete(WorkerPausePoints.MarkerPath(Folder, step));

    /// <summary>kill -&lt;signal&gt; pid.</summary>
    public static void Signal(int pid, string signal)
    {
        using var p = Process.Start("kill", ["-" + signal, pid.ToString()]);
        p.WaitForExit();
    }

    /// <summary>kill -9, then waits until the process is really gone.</summary>
    public static async Task KillAsync(int pid)
    {
        Signal(pid, "KILL");
        var sw = Stopwatch.StartNew();
        while (ProcessLiveness.IsAlive(pid) && sw.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
    }

    /// <summary>Waits until the process has exited (two minutes at most).</summary>
    public static async Task ExitedAsync(int pid)
    {
        var sw = Stopwatch.StartNew();
        while (ProcessLiveness.IsAlive(pid))
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"Process {pid} is still running.");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until no lock file is left in <paramref name="locksFolder"/>: a worker releases its
    /// lock a moment after writing its final state.</summary>
    public static async Task LocksReleasedAsync(string locksFolder)
    {
        var sw = Stopwatch.StartNew();
        while (Directory.Exists(locksFolder) && Directory.EnumerateFiles(locksFolder).Any())
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("Locks left: " + string.Join(", ", Directory.EnumerateFiles(locksFolder)));
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        _repo.Dispose();
    }
}
