namespace DbBackup.Model;

/// <summary>The latest backup or restore of a target, as the Connectware status call reports it.</summary>
public sealed class OperationSummary
{
    /// <summary>True when it succeeded.</summary>
    public bool Succeeded { get; set; }
    /// <summary>Operation id.</summary>
    public string Id { get; set; } = "";
    /// <summary>State of the operation.</summary>
    public OperationState State { get; set; }
    /// <summary>"OK" or the reason.</summary>
    public string? StatusMessage { get; set; }
    /// <summary>When it started (or was requested).</summary>
    public DateTimeOffset? StartDate { get; set; }
    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndDate { get; set; }

    /// <summary>One line: state, id, times and message (what Format-List shows for a nested summary).</summary>
    public override string ToString()
        => $"{State} {Id} {StartDate?.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z → {(EndDate is { } e ? e.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") + "Z" : "…")} {StatusMessage}";
}

/// <summary>Status of one target database: is anything running, and how did the last backup and restore end.</summary>
public sealed class StatusReport
{
    /// <summary>Engine of the target.</summary>
    public DatabaseEngine Engine { get; set; }
    /// <summary>Target host.</summary>
    public string Server { get; set; } = "";
    /// <summary>Target port.</summary>
    public int Port { get; set; }
    /// <summary>Target database.</summary>
    public string Database { get; set; } = "";
    /// <summary>True while a backup or restore of this target is Pending or Running.</summary>
    public bool Running { get; set; }
    /// <summary>Id of the running operation, if any.</summary>
    public string? RunningId { get; set; }
    /// <summary>The latest backup, if any.</summary>
    public OperationSummary? Backup { get; set; }
    /// <summary>The latest restore, if any.</summary>
    public OperationSummary? Restore { get; set; }
}
