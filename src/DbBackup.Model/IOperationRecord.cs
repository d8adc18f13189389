namespace DbBackup.Model;

/// <summary>What backups and restores have in common, so status and wait can handle either.</summary>
public interface IOperationRecord
{
    /// <summary>Unique id.</summary>
    string Id { get; }
    /// <summary>Backup or restore.</summary>
    OperationKind OperationKind { get; }
    /// <summary>Engine of the target.</summary>
    DatabaseEngine Engine { get; }
    /// <summary>Target host.</summary>
    string Server { get; }
    /// <summary>Target port.</summary>
    int Port { get; }
    /// <summary>Target database.</summary>
    string Database { get; }
    /// <summary>Lifecycle state.</summary>
    OperationState State { get; }
    /// <summary>"OK" or the reason.</summary>
    string? StatusMessage { get; }
    /// <summary>Progress.</summary>
    OperationProgress? Progress { get; }
    /// <summary>When requested.</summary>
    DateTimeOffset CreatedAt { get; }
    /// <summary>When the worker started.</summary>
    DateTimeOffset? StartedAt { get; }
    /// <summary>When it ended.</summary>
    DateTimeOffset? CompletedAt { get; }
    /// <summary>True while Pending or Running.</summary>
    bool IsActive { get; }
}
