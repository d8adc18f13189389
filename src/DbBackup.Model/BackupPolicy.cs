namespace DbBackup.Model;

/// <summary>A policy for regular backups, stored in the repository (policies/&lt;name&gt;.json) so that
/// every host sharing it sees the same policies. It never holds a secret: unattended runs take the
/// password from the engine's own store (PGPASSFILE or ~/.pgpass; ~/.my.cnf [client]) or from the
/// environment variable named in <see cref="PasswordVariable"/>.</summary>
public sealed class BackupPolicy
{
    /// <summary>Unique name (letters, digits, '.', '_', '-'; 1–64 characters).</summary>
    public string Name { get; set; } = "";
    /// <summary>Engine of the target server.</summary>
    public DatabaseEngine Engine { get; set; }
    /// <summary>Target server host name or address.</summary>
    public string Server { get; set; } = "";
    /// <summary>Target server port.</summary>
    public int Port { get; set; }
    /// <summary>User the backups connect as.</summary>
    public string UserName { get; set; } = "";
    /// <summary>A database name, or a wildcard pattern (* and ?) matched against the server's databases
    /// at each run (system databases never match a pattern).</summary>
    public string Database { get; set; } = "";
    /// <summary>Tables to back up; empty for the whole database.</summary>
    public string[] Tables { get; set; } = [];
    /// <summary>Cron expression (5 fields, or 6 with seconds first) of the backup slots.</summary>
    public string Schedule { get; set; } = "";
    /// <summary>Time zone the schedule is read in (IANA or Windows id; default UTC). Retention's hour,
    /// day, week, month and year boundaries are in this zone too.</summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>Labels put on every backup of the policy.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Retention tiers applied after each run to this policy's backups, per database.</summary>
    public RetentionTiers Retention { get; set; } = new();
    /// <summary>Name of an environment variable holding the password (its value is never stored);
    /// null to use the engine's own password file.</summary>
    public string? PasswordVariable { get; set; }
    /// <summary>URL POSTed with the result of each backup (as Start-DbBackup -CallbackUri).</summary>
    public string? CallbackUrl { get; set; }
    /// <summary>When set, a run that cannot even start a backup (server down, bad password, busy
    /// target) also POSTs the callback with result ERROR.</summary>
    public bool CallbackOnFailure { get; set; }
    /// <summary>Paused policies start nothing (retention still applies).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>When the policy was created; slots before it never run.</summary>
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>user@host that last changed it.</summary>
    public string ChangedBy { get; set; } = "";
    /// <summary>Number of times it was written (every write is a compare-and-swap on it).</summary>
    public int Revision { get; set; }

    /// <summary>Name, target and schedule on one line.</summary>
    public override string ToString() => $"{Name} {Engine} {Server}:{Port}/{Database} '{Schedule}' {TimeZone}";
}
