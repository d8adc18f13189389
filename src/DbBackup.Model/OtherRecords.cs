namespace DbBackup.Model;

/// <summary>One line of the repository's activity log.</summary>
public sealed class ActivityEntry
{
    /// <summary>When it happened (UTC).</summary>
    public DateTimeOffset Time { get; set; }
    /// <summary>What happened: BackupRequested, BackupStarted, BackupSucceeded, BackupFailed, BackupCancelled, Removed, Pruned, Imported, RestoreRequested, RestoreStarted, RestoreSucceeded, RestoreFailed, Saved, Verified…</summary>
    public string Action { get; set; } = "";
    /// <summary>Operation id the line is about.</summary>
    public string? Id { get; set; }
    /// <summary>Engine of the target.</summary>
    public DatabaseEngine? Engine { get; set; }
    /// <summary>Target host.</summary>
    public string? Server { get; set; }
    /// <summary>Target database.</summary>
    public string? Database { get; set; }
    /// <summary>OS user.</summary>
    public string User { get; set; } = "";
    /// <summary>Host the action ran on.</summary>
    public string Host { get; set; } = "";
    /// <summary>The requester's note, if any.</summary>
    public string? Note { get; set; }
    /// <summary>Details or the error message.</summary>
    public string? Message { get; set; }
    /// <summary>True when the line records an error.</summary>
    public bool IsError { get; set; }
}

/// <summary>Settings stored in repository.json.</summary>
public sealed class RepositorySettings
{
    /// <summary>Successful manual backups kept per target; older ones are pruned after each success.</summary>
    public int KeepLast { get; set; } = 10;
    /// <summary>Backups older than this many days are refused for restore; null means no limit.</summary>
    public int? MaxRestoreAgeDays { get; set; }
    /// <summary>Parallel connections when a backup or restore does not say; null means the core count.</summary>
    public int? DefaultJobs { get; set; }
    /// <summary>Whether new backups are encrypted (README "Encryption at rest"); Required refuses a backup
    /// without the repository key.</summary>
    public EncryptionMode Encryption { get; set; }
    /// <summary>With Encryption Required: the id of the key new backups must be encrypted with (pinned when
    /// the setting was made), so a host holding another key is refused instead of writing backups the
    /// others cannot read.</summary>
    public string? EncryptionKeyId { get; set; }
    /// <summary>Days an ended restore's record is kept (the restore history); older ones are pruned with
    /// the backups, except the newest ended and the newest successful restore of each target database, one
    /// still being settled, and one whose safety backup is still in the repository. 0 keeps every record.
    /// Repositories written before this setting read the default.</summary>
    public int RestoreHistoryDays { get; set; } = 90;

    /// <summary>The settings on one line.</summary>
    public override string ToString()
        => $"KeepLast={KeepLast}; MaxRestoreAgeDays={(MaxRestoreAgeDays?.ToString() ?? "none")}; DefaultJobs={(DefaultJobs?.ToString() ?? "cores")}"
            + $"; RestoreHistoryDays={(RestoreHistoryDays == 0 ? "all" : RestoreHistoryDays)}"
            + (Encryption == EncryptionMode.Required ? $"; Encryption=Required (key {EncryptionKeyId})" : "");
}

/// <summary>Where a repository is and what it holds.</summary>
public sealed class RepositoryInfo
{
    /// <summary>Full path of the repository folder.</summary>
    public string Path { get; set; } = "";
    /// <summary>Repository format version.</summary>
    public int FormatVersion { get; set; }
    /// <summary>Settings.</summary>
    public RepositorySettings Settings { get; set; } = new();
    /// <summary>Number of backup records.</summary>
    public int BackupCount { get; set; }
    /// <summary>Stored bytes of all backups.</summary>
    public long TotalSizeBytes { get; set; }
}

/// <summary>Result of verifying one backup.</summary>
public sealed class VerificationResult
{
    /// <summary>The backup verified.</summary>
    public string BackupId { get; set; } = "";
    /// <summary>True when every check passed.</summary>
    public bool Passed { get; set; }
    /// <summary>Files whose size and SHA-256 matched.</summary>
    public int FilesChecked { get; set; }
    /// <summary>True when a test restore was done.</summary>
    public bool Restored { get; set; }
    /// <summary>Scratch database used (dropped afterwards).</summary>
    public string? ScratchDatabase { get; set; }
    /// <summary>Tables whose row count and content checksum matched the manifest.</summary>
    public int TablesMatched { get; set; }
    /// <summary>Tables compared.</summary>
    public int TablesCompared { get; set; }
    /// <summary>Every problem found, one per line.</summary>
    public List<string> Problems { get; set; } = [];
    /// <summary>What could not be checked but does not fail the verification (e.g. a manifest written
    /// before manifests were sealed).</summary>
    public List<string> Warnings { get; set; } = [];
    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; set; }
}

/// <summary>One page of a listing plus the total count before paging.</summary>
public sealed class Page<T>
{
    /// <summary>Items on this page.</summary>
    public List<T> Items { get; set; } = [];
    /// <summary>Items matching the filter before paging.</summary>
    public int TotalCount { get; set; }
}
