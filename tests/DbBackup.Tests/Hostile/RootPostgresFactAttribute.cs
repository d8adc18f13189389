using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>A PostgreSQL test that also needs root (to mount a tiny tmpfs): skipped with a visible
/// reason otherwise.</summary>
public sealed class RootPostgresFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when not root (not Linux, or an unprivileged user) or PostgreSQL is unreachable.</summary>
    public RootPostgresFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            Skip = "Needs root on Linux to mount a 2 MB tmpfs as a full disk.";
        else if (!TestServers.InCi && TestServers.PostgresUnavailable is { } why)
            Skip = "PostgreSQL not reachable: " + why;
    }
}
