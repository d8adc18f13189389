namespace DbBackup.Model;

/// <summary>A restore of a backup into a database.</summary>
public sealed class RestoreRecord : IOperationRecord
{
    /// <summary>Unique id.</summary>
    public string Id { get; set; } = "";
    /// <summary>The backup being restored.</summary>
    public string BackupId { get; set; } = "";
    /// <summary>Engine of the target server.</summary>
    public DatabaseEngine Engine { get; set; }
    /// <summary>Target server host.</summary>
    public string Server { get; set; } = "";
    /// <summary>Target server port.</summary>
    public int Port { get; set; }
    /// <summary>User the worker connects as.</summary>
    public string UserName { get; set; } = "";
    /// <summary>The database the restore replaces (or the backup's database).</summary>
    public string Database { get; set; } = "";
    /// <summary>Where the data lands: Database when swapping, else the -TargetDatabase given.</summary>
    public string TargetDatabase { get; set; } = "";
    /// <summary>True when the restored database replaces Database.</summary>
    public bool Swap { get; set; }
    /// <summary>Lifecycle state.</summary>
    public OperationState State { get; set; }
    /// <summary>"OK" on success, else the reason.</summary>
    public string? StatusMessage { get; set; }
    /// <summary>The backup taken of the target right before it was replaced.</summary>
    public string? SafetyBackupId { get; set; }
    /// <summary>True when the caller chose to skip the safety backup.</summary>
    public bool SkipSafetyBackup { get; set; }
    /// <summary>OS user and host that asked for it.</summary>
    public string RequestedBy { get; set; } = "";
    /// <summary>Note from the requester.</summary>
    public string? Note { get; set; }
    /// <summary>When it was requested.</summary>
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When the worker started.</summary>
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>When it ended.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>CompletedAt − StartedAt.</summary>
    public TimeSpan? Duration { get; set; }
    /// <summary>Progress while running.</summary>
    public OperationProgress? Progress { get; set; }
    /// <summary>Parallel connections for table data.</summary>
    public int Jobs { get; set; }
    /// <summary>Worker process id while running.</summary>
    public int? WorkerProcessId { get; set; }
    /// <summary>Host the worker runs on.</summary>
    public string? WorkerHost { get; set; }
    /// <summary>Last sign of life from the worker.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }

    /// <summary>Always Restore.</summary>
    public OperationKind OperationKind => OperationKind.Restore;

    /// <summary>True while Pending or Running.</summary>
    public bool IsActive => State is OperationState.Pending or OperationState.Running;
}
