using DbBackup.Engine;

namespace DbBackup.PowerShell.Worker;

/// <summary>Finds the pwsh executable to start workers with: the one running now, so the worker needs
/// nothing the caller does not already have.</summary>
internal static class PwshLocator
{
    private static readonly string ExecutableName = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";

    public static string Find()
    {
        // The usual case: this process is pwsh itself.
        var current = Environment.ProcessPath;
        if (current is not null && string.Equals(Path.GetFileName(current), ExecutableName, StringComparison.OrdinalIgnoreCase))
            return current;
        // Hosted elsewhere (an application embedding PowerShell, `dotnet pwsh.dll`): try $PSHOME, then PATH.
        var psHome = Path.GetDirectoryName(typeof(System.Management.Automation.PSObject).Assembly.Location);
        if (psHome is not null && File.Exists(Path.Combine(psHome, ExecutableName))) return Path.Combine(psHome, ExecutableName);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, ExecutableName);
            if (File.Exists(candidate)) return candidate;
        }
        throw new DbBackupException(ErrorKind.NotInstalled, "PwshNotFound",
            $"The backup worker runs in pwsh, but this process ({current ?? "unknown"}) is not pwsh and no {ExecutableName} was found in $PSHOME or on PATH. Install PowerShell 7.6 or put pwsh on PATH.");
    }
}
