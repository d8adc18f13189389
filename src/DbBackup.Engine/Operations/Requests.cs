using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>What a caller asks a backup to do.</summary>
public sealed class BackupOptions
{
    /// <summary>Source server, credentials and database.</summary>
    public required ConnectionTarget Target { get; init; }
    /// <summary>Tables to include (schema.table or table); empty for all.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];
    /// <summary>Only rows at or after this instant (needs a date column on every table).</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Date column to filter on; detected when null.</summary>
    public string? DateColumn { get; init; }
    /// <summary>Name; defaults to yyyyMMddHHmmss (UTC).</summary>
    public string? Name { get; init; }
    /// <summary>Note.</summary>
    public string? Note { get; init; }
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Callback URL (http or https).</summary>
    public string? CallbackUrl { get; init; }
    /// <summary>Parallel connections; null for the repository default or the core count.</summary>
    public int? Jobs { get; init; }
    /// <summary>Compression.</summary>
    public CompressionKind Compression { get; init; } = Artifacts.PayloadCodec.Default;
    /// <summary>The policy starting it (recorded on the backup; its retention is the policy's).</summary>
    public string? Policy { get; init; }
}

/// <summary>What a caller asks a restore to do.</summary>
public sealed class RestoreOptions
{
    /// <summary>Backup id to restore (or set BundlePath).</summary>
    public string? BackupId { get; init; }
    /// <summary>Bundle file to restore (imported first).</summary>
    public string? BundlePath { get; init; }
    /// <summary>Target server and credentials. Database empty means the backup's database.</summary>
    public required ConnectionTarget Target { get; init; }
    /// <summary>Restore into this new database without swapping.</summary>
    public string? TargetDatabase { get; init; }
    /// <summary>Restore only these tables of the backup ("schema.table" or "table"), as pg_restore -t
    /// does; empty for every table the backup holds.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];
    /// <summary>Allow replacing an existing database.</summary>
    public bool Force { get; init; }
    /// <summary>Do not take a safety backup first (the old data is then gone for good).</summary>
    public bool SkipSafetyBackup { get; init; }
    /// <summary>Create a PostgreSQL database with the server's default locale instead of the backup's
    /// (for a server that lacks the backup's locale).</summary>
    public bool UseServerLocale { get; init; }
    /// <summary>Parallel connections.</summary>
    public int? Jobs { get; init; }
    /// <summary>Note for the activity log.</summary>
    public string? Note { get; init; }
}

/// <summary>Filter and paging for listing backups.</summary>
public sealed class BackupQuery
{
    /// <summary>Exact id.</summary>
    public string? Id { get; init; }
    /// <summary>Engine.</summary>
    public DatabaseEngine? Engine { get; init; }
    /// <summary>Server (case-insensitive).</summary>
    public string? Server { get; init; }
    /// <summary>Only backups from this port (with or without Server).</summary>
    public int? Port { get; init; }
    /// <summary>Databases: names or wildcards (<see cref="DatabaseNamePattern"/>), any of which matches.</summary>
    public IReadOnlyList<string>? Database { get; init; }
    /// <summary>State.</summary>
    public OperationState? State { get; init; }
    /// <summary>Kind.</summary>
    public BackupKind? Kind { get; init; }
    /// <summary>Labels that must all match.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>Items to skip.</summary>
    public int Skip { get; init; }
    /// <summary>Items to return; null for all.</summary>
    public int? First { get; init; }
    /// <summary>Also check the listed Succeeded backups' payload files against their manifests (one store
    /// listing each) and mark the damaged ones: for the listings a user reads (list, Get-DbBackup), not for
    /// lookups by status, copy, remove or tab completion.</summary>
    public bool CheckPayloads { get; init; }
}

/// <summary>Filter and paging for the activity log (newest first).</summary>
public sealed class ActivityQuery
{
    /// <summary>Databases: names or wildcards, any of which matches.</summary>
    public IReadOnlyList<string>? Database { get; init; }
    /// <summary>Entries at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Operation id.</summary>
    public string? Id { get; init; }
    /// <summary>Items to skip.</summary>
    public int Skip { get; init; }
    /// <summary>Items to return; null for all.</summary>
    public int? First { get; init; }
}

/// <summary>Filter and paging for restore records (newest first). Database is the database a restore
/// wrote; SourceDatabase the backup's database.</summary>
public sealed class RestoreQuery
{
    /// <summary>Restore id.</summary>
    public string? Id { get; init; }
    /// <summary>Only restores of this backup.</summary>
    public string? BackupId { get; init; }
    /// <summary>Engine.</summary>
    public DatabaseEngine? Engine { get; init; }
    /// <summary>Server (localhost, 127.0.0.1 and ::1 are one server).</summary>
    public string? Server { get; init; }
    /// <summary>Port.</summary>
    public int? Port { get; init; }
    /// <summary>The database written: names or wildcards, any of which matches.</summary>
    public IReadOnlyList<string>? Database { get; init; }
    /// <summary>The backup's database: names or wildcards, any of which matches.</summary>
    public IReadOnlyList<string>? SourceDatabase { get; init; }
    /// <summary>State.</summary>
    public OperationState? State { get; init; }
    /// <summary>Items to skip.</summary>
    public int Skip { get; init; }
    /// <summary>Items to return; null for all.</summary>
    public int? First { get; init; }
}

/// <summary>Starts the detached worker process for an operation. The CLI starts itself; the PowerShell
/// module starts the current pwsh with -NoProfile.</summary>
public interface IWorkerLauncher
{
    /// <summary>Starts the worker for <paramref name="operationId"/> and hands it the password through
    /// its standard input (never argv or a file). Returns the worker's process id.</summary>
    int Launch(string repositoryPath, string operationId, string? password);
}
