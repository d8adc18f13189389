namespace DbBackup.Model;

/// <summary>What every operation record (backup or restore) carries: the target, the lifecycle state
/// and times, progress, and the worker running it.</summary>
public abstract class OperationRecord : IOperationRecord
{
    /// <summary>Unique id ("bk-…" for backups, "rs-…" for restores).</summary>
    public string Id { get; set; } = "";
    /// <summary>Engine of the target.</summary>
    public DatabaseEngine Engine { get; set; }
    /// <summary>Host name or address of the target server.</summary>
    public string Server { get; set; } = "";
    /// <summary>TCP port of the target server.</summary>
    public int Port { get; set; }
    /// <summary>User the worker connects as (never the password).</summary>
    public string UserName { get; set; } = "";
    /// <summary>Target database: the one a backup reads, or the one a restore writes.</summary>
    public string Database { get; set; } = "";
    /// <summary>Lifecycle state.</summary>
    public OperationState State { get; set; }
    /// <summary>"OK" on success, else the reason.</summary>
    public string? StatusMessage { get; set; }
    /// <summary>Free-text note from the requester.</summary>
    public string? Note { get; set; }
    /// <summary>When it was requested.</summary>
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When the worker started.</summary>
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>When it ended, whatever the outcome.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>CompletedAt − StartedAt.</summary>
    public TimeSpan? Duration { get; set; }
    /// <summary>Progress while Pending/Running; the final progress afterwards.</summary>
    public OperationProgress? Progress { get; set; }
    /// <summary>Parallel connections used for table data.</summary>
    public int Jobs { get; set; }
    /// <summary>Worker process id while running.</summary>
    public int? WorkerProcessId { get; set; }
    /// <summary>Host the worker runs on.</summary>
    public string? WorkerHost { get; set; }
    /// <summary>The pid space the worker runs in (boot and pid namespace; no name or address): callers in
    /// the same space check its pid directly, others judge it by its heartbeat's age.</summary>
    public string? WorkerHostId { get; set; }
    /// <summary>Last sign of life from the worker.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }
    /// <summary>How many times the record was written. Every write is a compare-and-swap on it, so a
    /// worker that stale detection gave up on can never overwrite the record again.</summary>
    public int Revision { get; set; }

    /// <summary>Backup or restore.</summary>
    public abstract OperationKind OperationKind { get; }

    /// <summary>True while Pending or Running.</summary>
    public bool IsActive => State is OperationState.Pending or OperationState.Running;

    /// <summary>The id, state and target, so "$record" in a script or a log line says which operation
    /// it is (not the type name).</summary>
    public override string ToString() => $"{Id} {State} {Engine} {Server}:{Port}/{Database}";
}
