namespace DbBackup.Model;

/// <summary>A restore of a backup into a database.</summary>
public sealed class RestoreRecord : OperationRecord
{
    /// <summary>The backup being restored.</summary>
    public string BackupId { get; set; } = "";
    /// <summary>Where the data lands: Database when swapping, else the -TargetDatabase given.</summary>
    public string TargetDatabase { get; set; } = "";
    /// <summary>True when the restored database replaces Database.</summary>
    public bool Swap { get; set; }
    /// <summary>The backup taken of the target right before it was replaced.</summary>
    public string? SafetyBackupId { get; set; }
    /// <summary>True when the caller chose to skip the safety backup.</summary>
    public bool SkipSafetyBackup { get; set; }
    /// <summary>OS user and host that asked for it.</summary>
    public string RequestedBy { get; set; } = "";
    /// <summary>True while a dead worker of this restore may have left databases on the server (its
    /// copy, or an unfinished swap); the next backup or restore of the target, which has the
    /// credentials, settles them, says so in <see cref="OperationRecord.StatusMessage"/> and clears it.</summary>
    public bool LeftoversPending { get; set; }
    /// <summary>Always Restore.</summary>
    public override OperationKind OperationKind => OperationKind.Restore;
}
