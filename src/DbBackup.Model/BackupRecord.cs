namespace DbBackup.Model;

/// <summary>A backup: what was asked for, where it is in its lifecycle and, once done, what it holds.</summary>
public sealed class BackupRecord : IOperationRecord
{
    /// <summary>Unique id (sortable: UTC time then random suffix).</summary>
    public string Id { get; set; } = "";
    /// <summary>Display name; defaults to the UTC start time as yyyyMMddHHmmss.</summary>
    public string Name { get; set; } = "";
    /// <summary>The engine of the source database.</summary>
    public DatabaseEngine Engine { get; set; }
    /// <summary>Host name or address of the source server.</summary>
    public string Server { get; set; } = "";
    /// <summary>TCP port of the source server.</summary>
    public int Port { get; set; }
    /// <summary>Source database.</summary>
    public string Database { get; set; } = "";
    /// <summary>User the worker connects as (never the password).</summary>
    public string UserName { get; set; } = "";
    /// <summary>Tables asked for; empty means the whole database.</summary>
    public string[] Tables { get; set; } = [];
    /// <summary>Only rows whose date column is at or after this instant, when set.</summary>
    public DateTimeOffset? Since { get; set; }
    /// <summary>The date column used with Since (explicit or detected).</summary>
    public string? DateColumn { get; set; }
    /// <summary>key=value labels.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Free-text note from the requester.</summary>
    public string? Note { get; set; }
    /// <summary>Why the backup exists.</summary>
    public BackupKind Kind { get; set; }
    /// <summary>Lifecycle state.</summary>
    public OperationState State { get; set; }
    /// <summary>"OK" on success, else the reason.</summary>
    public string? StatusMessage { get; set; }
    /// <summary>OS user and host that asked for it (user@host).</summary>
    public string CreatedBy { get; set; } = "";
    /// <summary>When it was requested.</summary>
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When the worker started.</summary>
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>When it ended, whatever the outcome.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>CompletedAt − StartedAt.</summary>
    public TimeSpan? Duration { get; set; }
    /// <summary>Total stored bytes of all files.</summary>
    public long SizeBytes { get; set; }
    /// <summary>Payload compression.</summary>
    public CompressionKind Compression { get; set; }
    /// <summary>SHA-256 over the file list (name, size, sha256 of each file, in order).</summary>
    public string? Sha256 { get; set; }
    /// <summary>Server version string at backup time.</summary>
    public string? ServerVersion { get; set; }
    /// <summary>Dump tool name and version.</summary>
    public string? ToolVersion { get; set; }
    /// <summary>Payload format version of this backup.</summary>
    public int FormatVersion { get; set; }
    /// <summary>Payload files.</summary>
    public List<BackupFile> Files { get; set; } = [];
    /// <summary>Per-table row counts and content checksums.</summary>
    public List<TableStat> TableStats { get; set; } = [];
    /// <summary>Progress while Pending/Running; the final progress afterwards.</summary>
    public OperationProgress? Progress { get; set; }
    /// <summary>Parallel connections used for table data.</summary>
    public int Jobs { get; set; }
    /// <summary>URL POSTed with the result when the backup ends.</summary>
    public string? CallbackUrl { get; set; }
    /// <summary>The restore this backup was taken for (Kind = SafetyBeforeRestore).</summary>
    public string? RestoreId { get; set; }
    /// <summary>Worker process id while running.</summary>
    public int? WorkerProcessId { get; set; }
    /// <summary>Host the worker runs on.</summary>
    public string? WorkerHost { get; set; }
    /// <summary>Last sign of life from the worker.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }

    /// <summary>Always Backup.</summary>
    public OperationKind OperationKind => OperationKind.Backup;

    /// <summary>True while Pending or Running.</summary>
    public bool IsActive => State is OperationState.Pending or OperationState.Running;
}
