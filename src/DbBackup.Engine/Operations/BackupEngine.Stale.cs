using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>How long a Pending record may wait for its worker to appear.</summary>
    public static TimeSpan PendingGrace { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Why an active record's worker is considered gone, or null when it is alive.</summary>
    internal static string? StaleReason(string? host, int? pid, DateTimeOffset? heartbeat, DateTimeOffset createdAt, OperationState state)
    {
        var now = DateTimeOffset.UtcNow;
        if (pid is null)
            return state == OperationState.Pending && now - createdAt > PendingGrace
                ? $"The worker never started (Pending for more than {PendingGrace.TotalSeconds:0} s)." : null;
        if (string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) && !ProcessLiveness.IsAlive(pid.Value))
            return $"The worker process {pid} on {host} is gone (killed or crashed); last heartbeat {heartbeat:u}.";
        var last = heartbeat ?? createdAt;
        if (now - last > StaleAfter)
            return $"The worker process {pid} on {host} sent no heartbeat since {last:u} (more than {StaleAfter.TotalSeconds:0} s).";
        return null;
    }

    private BackupRecord DetectStale(BackupRecord r)
    {
        if (!r.IsActive) return r;
        var why = StaleReason(r.WorkerHost, r.WorkerProcessId, r.HeartbeatAt, r.CreatedAt, r.State);
        if (why == null) return r;
        FinishAbandoned(r, OperationState.Failed, why);
        return Repository.TryReadBackup(r.Id) ?? r;
    }

    private RestoreRecord DetectStale(RestoreRecord r)
    {
        if (!r.IsActive) return r;
        var why = StaleReason(r.WorkerHost, r.WorkerProcessId, r.HeartbeatAt, r.CreatedAt, r.State);
        if (why == null) return r;
        FinishAbandoned(r, OperationState.Failed, why);
        return Repository.TryReadRestore(r.Id) ?? r;
    }

    /// <summary>Ends a record whose worker is gone: state and reason written, partial payload removed,
    /// the target lock released, a log line written.</summary>
    private void FinishAbandoned(IOperationRecord op, OperationState state, string reason)
    {
        var now = DateTimeOffset.UtcNow;
        switch (op)
        {
            case BackupRecord b:
                {
                    var fresh = Repository.TryReadBackup(b.Id);
                    if (fresh == null || !fresh.IsActive) return;
                    RemovePayload(fresh.Id);
                    fresh.State = state;
                    fresh.StatusMessage = reason;
                    fresh.CompletedAt = now;
                    fresh.Duration = fresh.StartedAt is { } s ? now - s : null;
                    fresh.Files = [];
                    fresh.SizeBytes = 0;
                    Repository.WriteBackup(fresh);
                    TargetLock.Release(Repository, LockKey(fresh), fresh.RestoreId ?? fresh.Id);
                    Log(state == OperationState.Cancelled ? "BackupCancelled" : "BackupFailed", fresh, reason, fresh.Note, isError: state == OperationState.Failed);
                    break;
                }
            case RestoreRecord r:
                {
                    var fresh = Repository.TryReadRestore(r.Id);
                    if (fresh == null || !fresh.IsActive) return;
                    fresh.State = state;
                    fresh.StatusMessage = reason + AbandonedRestoreAdvice(fresh);
                    fresh.CompletedAt = now;
                    fresh.Duration = fresh.StartedAt is { } s ? now - s : null;
                    Repository.WriteRestore(fresh);
                    TargetLock.Release(Repository, LockKey(fresh), fresh.Id);
                    Log(state == OperationState.Cancelled ? "RestoreCancelled" : "RestoreFailed", fresh, reason, fresh.Note, isError: state == OperationState.Failed);
                    break;
                }
        }
    }

    /// <summary>What a dead restore worker may have left on the server. The worker alone could drop its
    /// half-filled database (whoever notices the death has no password), so the record names it.</summary>
    private static string AbandonedRestoreAdvice(RestoreRecord r)
    {
        if (r.State == OperationState.Pending) return "";
        if (!r.Swap)
            return $" The new database '{r.TargetDatabase}' may be left partly restored; drop it before retrying.";
        var aside = AsideName(r.Database, r.Id);
        return r.Progress?.Phase == "Swapping"
            ? $" It stopped while swapping the restored copy in: check both '{r.Database}' and '{aside}' before using them."
            : $" The database '{r.Database}' was not changed; a partly restored copy '{aside}' may be left on the server; drop it.";
    }

    /// <summary>Deletes a backup's payload files, keeping its manifest.</summary>
    private void RemovePayload(string id)
    {
        var folder = Repository.BackupFolder(id);
        if (!Directory.Exists(folder)) return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
        {
            var name = Path.GetFileName(entry);
            if (name is "manifest.json" or CancelFileName || name.StartsWith("manifest.json.", StringComparison.Ordinal)) continue;
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else SecureFiles.TryDelete(entry);
        }
    }

    internal static string LockKey(BackupRecord b) => TargetLock.Key(b.Engine, b.Server, b.Port, b.Database);

    internal static string LockKey(RestoreRecord r) => TargetLock.Key(r.Engine, r.Server, r.Port, r.Swap ? r.Database : r.TargetDatabase);
}
