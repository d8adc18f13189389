using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>What the catalog keeps of one record: the fields that lists and status filter and sort on,
/// and the record's <see cref="Revision"/>, so a reader can tell which write of the manifest it
/// describes. Never the only copy of anything: every field is derived from the manifest
/// (<see cref="From"/>), which stays the truth.</summary>
public sealed class CatalogEntry
{
    /// <summary>The record's id (its folder name).</summary>
    public string Id { get; set; } = "";

    /// <summary>The record's revision this entry was made from.</summary>
    public int Revision { get; set; }

    /// <summary>Lifecycle state at that revision.</summary>
    public OperationState State { get; set; }

    /// <summary>Engine of the target.</summary>
    public DatabaseEngine Engine { get; set; }

    /// <summary>Server of the target.</summary>
    public string Server { get; set; } = "";

    /// <summary>Port of the target.</summary>
    public int Port { get; set; }

    /// <summary>The database backed up, or the one a restore wrote.</summary>
    public string Database { get; set; } = "";

    /// <summary>When the operation was requested (lists are newest first).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Backups: why it exists.</summary>
    public BackupKind? Kind { get; set; }

    /// <summary>Backups: its labels.</summary>
    public LabelSet? Labels { get; set; }

    /// <summary>Backups: the policy that took it (retention keeps a policy's backups apart).</summary>
    public string? Policy { get; set; }

    /// <summary>Backups: stored bytes.</summary>
    public long SizeBytes { get; set; }

    /// <summary>Backups: held (retention plans with it; what it removes is re-read first).</summary>
    public bool Hold { get; set; }

    /// <summary>Backups: the retention tiers keeping it, as last written (null: none).</summary>
    public string[]? RetainedAs { get; set; }

    /// <summary>Restores: the backup restored.</summary>
    public string? BackupId { get; set; }

    /// <summary>Restores: the database the backup was taken from.</summary>
    public string? SourceDatabase { get; set; }

    /// <summary>True when the entry can stand for its manifest until the record is written again: the
    /// record had ended (an active record changes with every heartbeat, so readers always read its
    /// manifest).</summary>
    internal bool IsFinal => State is OperationState.Succeeded or OperationState.Failed or OperationState.Cancelled;

    /// <summary>The entry of <paramref name="record"/> as stored.</summary>
    public static CatalogEntry From(OperationRecord record)
    {
        var e = new CatalogEntry
        {
            Id = record.Id,
            Revision = record.Revision,
            State = record.State,
            Engine = record.Engine,
            Server = record.Server,
            Port = record.Port,
            Database = record.Database,
            CreatedAt = record.CreatedAt,
        };
        switch (record)
        {
            case BackupRecord b:
                e.Kind = b.Kind;
                e.Labels = new LabelSet(b.Labels);
                e.SizeBytes = b.SizeBytes;
                e.Policy = b.Policy;
                e.Hold = b.Hold;
                e.RetainedAs = b.RetainedAs is { Length: > 0 } tiers ? tiers.ToArray() : null;
                break;
            case RestoreRecord r:
                e.BackupId = r.BackupId;
                e.SourceDatabase = r.SourceDatabase;
                break;
        }
        return e;
    }
}
