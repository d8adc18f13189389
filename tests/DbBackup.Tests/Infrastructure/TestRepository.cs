using DbBackup.Cli;
using DbBackup.Engine.Operations;

namespace DbBackup.Tests.Infrastructure;

/// <summary>A throw-away repository folder and an engine over it whose workers are real detached
/// `dbbackup worker` processes (dotnet + the built dbbackup.dll).</summary>
public sealed class TestRepository : IDisposable
{
    /// <summary>Creates an empty temp folder (the repository itself is created on first write).</summary>
    public TestRepository()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dbbackup-test-" + Guid.NewGuid().ToString("N")[..10]);
        Engine = new BackupEngine(Path, Launcher);
    }

    /// <summary>The built CLI, run through dotnet.</summary>
    public static string CliDll => System.IO.Path.Combine(AppContext.BaseDirectory, "dbbackup.dll");

    /// <summary>Starts workers as `dotnet dbbackup.dll worker …`.</summary>
    public static ProcessWorkerLauncher Launcher => new("dotnet", [CliDll]);

    /// <summary>Repository folder.</summary>
    public string Path { get; }

    /// <summary>Engine over it.</summary>
    public BackupEngine Engine { get; }

    /// <summary>Waits for an operation to end (2 minutes at most).</summary>
    public async Task<T> WaitAsync<T>(string id) where T : class
        => (T)await Engine.WaitAsync(id, TimeSpan.FromMinutes(2), null, CancellationToken.None);

    /// <summary>Deletes the folder.</summary>
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
