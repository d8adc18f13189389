namespace DbBackup.Engine.Repository;

/// <summary>Where a repository is, decided without opening (and so without creating) it. Callers that
/// must change nothing — argument completion, <c>-WhatIf</c> — use this to look before they open.</summary>
public static class RepositoryLocation
{
    /// <summary>Environment variable that names the configured repository.</summary>
    public const string EnvironmentVariable = "DBBACKUP_REPOSITORY";

    /// <summary>The file whose presence marks a folder as an initialised repository.</summary>
    public const string MarkerFileName = "repository.json";

    /// <summary>The full path of <paramref name="explicitPath"/> when given, else DBBACKUP_REPOSITORY,
    /// else the per-user default (XDG data dir on Linux/macOS, LocalAppData on Windows).</summary>
    public static string Resolve(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return Path.GetFullPath(explicitPath);
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured) return Path.GetFullPath(configured);
        return DefaultPath;
    }

    /// <summary>The per-user default repository folder.</summary>
    public static string DefaultPath
    {
        get
        {
            // LocalApplicationData is $XDG_DATA_HOME (or ~/.local/share) on Unix and %LOCALAPPDATA% on Windows.
            var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            if (string.IsNullOrEmpty(root)) root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(root, OperatingSystem.IsWindows() ? "DbBackup" : "dbbackup");
        }
    }

    /// <summary>True when <paramref name="path"/> already holds a repository (its marker file exists).</summary>
    public static bool IsInitialized(string path) => File.Exists(Path.Combine(path, MarkerFileName));
}
