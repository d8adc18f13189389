using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>What many catalog entries share (snapshot format 2, <see cref="CatalogFile"/>): the target,
/// kind, labels, policy, hold and retention tiers of a backup, or the target and source database of a restore. A snapshot
/// stores each distinct one once and every entry as a short row pointing at it, so 100,000 backups of a
/// few databases parse as 100,000 short rows, not 100,000 objects of repeated names.</summary>
internal sealed class CatalogTarget
{
    /// <summary>Engine of the target.</summary>
    public DatabaseEngine Engine { get; init; }

    /// <summary>Server of the target.</summary>
    public string Server { get; init; } = "";

    /// <summary>Port of the target.</summary>
    public int Port { get; init; }

    /// <summary>The database backed up, or the one a restore wrote.</summary>
    public string Database { get; init; } = "";

    /// <summary>Backups: why it exists.</summary>
    public BackupKind? Kind { get; init; }

    /// <summary>Backups: the policy that took it.</summary>
    public string? Policy { get; init; }

    /// <summary>Restores: the database the backup was taken from.</summary>
    public string? SourceDatabase { get; init; }

    /// <summary>Backups: its labels (one instance shared, read-only, by the entries parsed with it).</summary>
    public LabelSet? Labels { get; init; }

    /// <summary>Backups: held.</summary>
    public bool Hold { get; init; }

    /// <summary>Backups: the retention tiers keeping it (few distinct lists, so shared too).</summary>
    public string[]? RetainedAs { get; init; }

    /// <summary>The shared part of <paramref name="e"/>.</summary>
    public static CatalogTarget Of(CatalogEntry e) => new()
    {
        Engine = e.Engine,
        Server = e.Server,
        Port = e.Port,
        Database = e.Database,
        Kind = e.Kind,
        Policy = e.Policy,
        SourceDatabase = e.SourceDatabase,
        Labels = e.Labels,
        Hold = e.Hold,
        RetainedAs = e.RetainedAs,
    };
}
