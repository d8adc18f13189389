using System.Text.Json.Serialization;

namespace DbBackup.Model;

/// <summary>A restore of a backup into a database. <see cref="OperationRecord.Database"/> is the
/// database the restore wrote (the one replaced, or the new one); <see cref="SourceDatabase"/> is the
/// database the backup was taken from.</summary>
public sealed class RestoreRecord : OperationRecord, IJsonOnDeserialized
{
    /// <summary>The backup being restored.</summary>
    public string BackupId { get; set; } = "";
    /// <summary>The database the backup was taken from (null only in records written before it was kept).</summary>
    public string? SourceDatabase { get; set; }
    /// <summary>The repository the backup was read from, when it is not the one holding this record: a
    /// repository the caller could only read (an `rl` SAS), whose restore kept its record, lock and safety
    /// backup in a local state repository. Null when the backup is in the same repository.</summary>
    public string? SourceRepository { get; set; }
    /// <summary>Where the data lands: the same as Database (kept for records and scripts that read it).</summary>
    public string TargetDatabase { get; set; } = "";
    /// <summary>True when the restored database replaces Database as a whole.</summary>
    public bool Swap { get; set; }
    /// <summary>True when only <see cref="Tables"/> were replaced in the existing Database, every other object kept.</summary>
    public bool ReplacesTables { get; set; }
    /// <summary>Tables restored ("schema.table" or "table"); empty when every table of the backup was.</summary>
    public string[] Tables { get; set; } = [];
    /// <summary>The backup taken of the target right before it was replaced.</summary>
    public string? SafetyBackupId { get; set; }
    /// <summary>True when the caller chose to skip the safety backup.</summary>
    public bool SkipSafetyBackup { get; set; }
    /// <summary>True when the caller chose the server's default locale over the backup's (PostgreSQL).</summary>
    public bool UseServerLocale { get; set; }
    /// <summary>OS user and host that asked for it.</summary>
    public string RequestedBy { get; set; } = "";
    /// <summary>True while a dead worker of this restore may have left databases on the server (its
    /// copy, or an unfinished swap); the next backup or restore of the target, which has the
    /// credentials, settles them, says so in <see cref="OperationRecord.StatusMessage"/> and clears it.</summary>
    public bool LeftoversPending { get; set; }
    /// <summary>Always Restore.</summary>
    public override OperationKind OperationKind => OperationKind.Restore;

    /// <summary>Records written before SourceDatabase existed named the source in Database when restoring
    /// into a new database (-TargetDatabase); read them so that Database is the database written.</summary>
    void IJsonOnDeserialized.OnDeserialized()
    {
        if (SourceDatabase != null) return;
        if (!Swap) SourceDatabase = Database;
        if (TargetDatabase.Length > 0) Database = TargetDatabase;
    }
}
