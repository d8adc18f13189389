namespace DbBackup.Model;

/// <summary>A backup: what was asked for, where it is in its lifecycle and, once done, what it holds.</summary>
public sealed class BackupRecord : OperationRecord
{
    /// <summary>Display name; defaults to the UTC start time as yyyyMMddHHmmss.</summary>
    public string Name { get; set; } = "";
    /// <summary>Tables asked for; empty means the whole database.</summary>
    public string[] Tables { get; set; } = [];
    /// <summary>Only rows whose date column is at or after this instant, when set.</summary>
    public DateTimeOffset? Since { get; set; }
    /// <summary>The date column used with Since (explicit or detected).</summary>
    public string? DateColumn { get; set; }
    /// <summary>key=value labels.</summary>
    public LabelSet Labels { get; set; } = new();
    /// <summary>Why the backup exists.</summary>
    public BackupKind Kind { get; set; }
    /// <summary>OS user and host that asked for it (user@host).</summary>
    public string CreatedBy { get; set; } = "";
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
    /// <summary>How the data was made consistent, as the provider says (e.g. MySQL: sessions in one
    /// snapshot and how long the global read lock was held, or why it read through one session).</summary>
    public string? Consistency { get; set; }
    /// <summary>Payload format version of this backup.</summary>
    public int FormatVersion { get; set; }
    /// <summary>Payload files.</summary>
    public List<BackupFile> Files { get; set; } = [];
    /// <summary>Per-table row counts and content checksums.</summary>
    public List<TableStat> TableStats { get; set; } = [];
    /// <summary>URL POSTed with the result when the backup ends.</summary>
    public string? CallbackUrl { get; set; }
    /// <summary>The restore this backup was taken for (Kind = SafetyBeforeRestore).</summary>
    public string? RestoreId { get; set; }
    /// <summary>The policy that took it, or null for a backup asked for directly.</summary>
    public string? Policy { get; set; }
    /// <summary>The retention tiers that keep it (last, hourly, daily, weekly, monthly, yearly), as the
    /// policy's retention last decided; empty until then.</summary>
    public string[] RetainedAs { get; set; } = [];
    /// <summary>A hold (legal, or before a change): retention never removes a held backup.</summary>
    public bool Hold { get; set; }
    /// <summary>How the payload is encrypted, or null when it is not (then the property is not written,
    /// so unencrypted manifests keep their shape).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public BackupEncryption? Encryption { get; set; }
    /// <summary>Always Backup.</summary>
    public override OperationKind OperationKind => OperationKind.Backup;
}
