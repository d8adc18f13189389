namespace DbBackup.Model;

/// <summary>What one policy run did for one database of one policy.</summary>
public sealed class PolicyRunResult
{
    /// <summary>The policy.</summary>
    public string Policy { get; set; } = "";
    /// <summary>The database (a pattern policy gives one result per matching database).</summary>
    public string Database { get; set; } = "";
    /// <summary>The schedule slot this run is for (the latest slot at or before the run).</summary>
    public DateTimeOffset? Slot { get; set; }
    /// <summary>Started, AlreadyStarted (another run claimed the slot), NotDue, Failed, Disabled, or
    /// Retention (a line about a backup that retention removed or would remove).</summary>
    public string Outcome { get; set; } = "";
    /// <summary>The backup started, or the one retention removed.</summary>
    public string? BackupId { get; set; }
    /// <summary>Why: the error, the slot's owner, or the retention reasoning.</summary>
    public string? Message { get; set; }

    /// <summary>One line.</summary>
    public override string ToString() => $"{Policy} {Database} {Slot:u} {Outcome} {BackupId} {Message}".TrimEnd();
}
