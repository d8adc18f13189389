using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>How long a Pending record may wait for its worker to appear.</summary>
    public static TimeSpan PendingGrace { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Why an active record's worker is considered gone, or null when it is alive.</summary>
    internal static string? StaleReason(OperationRecord r)
    {
        var now = DateTimeOffset.UtcNow;
        if (r.WorkerProcessId is not { } pid)
            return r.State == OperationState.Pending && now - r.CreatedAt > PendingGrace
                ? $"The worker never started (Pending for more than {PendingGrace.TotalSeconds:0} s)." : null;
        if (string.Equals(r.WorkerHost, Environment.MachineName, StringComparison.OrdinalIgnoreCase) && !ProcessLiveness.IsAlive(pid))
            return $"The worker process {pid} on {r.WorkerHost} is gone (killed or crashed); last heartbeat {r.HeartbeatAt:u}.";
        var last = r.HeartbeatAt ?? r.CreatedAt;
        if (now - last > StaleAfter)
            return $"The worker process {pid} on {r.WorkerHost} sent no heartbeat since {last:u} (more than {StaleAfter.TotalSeconds:0} s).";
        return null;
    }

    /// <summary>The record as it should be reported: an active one whose worker is gone is ended as
    /// Failed first (and re-read).</summary>
    private T DetectStale<T>(T r) where T : OperationRecord
    {
        if (!r.IsActive || StaleReason(r) is not { } why) return r;
        FinishAbandoned(r, OperationState.Failed, why);
        return Reread(r) as T ?? r;
    }

    /// <summary>The stored version of a record, or null when it is gone.</summary>
    private OperationRecord? Reread(IOperationRecord r)
        => r is RestoreRecord ? Repository.TryReadRestore(r.Id) : Repository.TryReadBackup(r.Id);

    /// <summary>Ends a record whose worker is gone: state and reason written, partial payload removed,
    /// the target lock released, a log line written.</summary>
    private void FinishAbandoned(IOperationRecord op, OperationState state, string reason)
    {
        var fresh = Reread(op);
        if (fresh == null || !fresh.IsActive) return;
        var now = DateTimeOffset.UtcNow;
        fresh.State = state;
        fresh.StatusMessage = reason;
        fresh.CompletedAt = now;
        fresh.Duration = now - fresh.StartedAt;
        switch (fresh)
        {
            // The record is ended first, as a compare-and-swap on the version just read: if the worker
            // wrote meanwhile it is alive and nothing happens; once this is stored, the worker is fenced
            // (it can never write again), so its files can go.
            case BackupRecord b:
                b.Files = [];
                b.SizeBytes = 0;
                if (!Repository.WriteBackup(b)) return;
                RemovePayload(b.Id);
                TargetLock.Release(Repository, LockKey(b), b.RestoreId ?? b.Id);
                break;
            case RestoreRecord r:
                r.StatusMessage += AbandonedRestoreAdvice(r);
                if (!Repository.WriteRestore(r)) return;
                TargetLock.Release(Repository, LockKey(r), r.Id);
                break;
        }
        Log($"{fresh.OperationKind}{(state == OperationState.Cancelled ? "Cancelled" : "Failed")}", fresh, reason, fresh.Note, isError: state == OperationState.Failed);
    }

    /// <summary>What a dead restore worker may have left on the server. The worker alone could drop its
    /// half-filled database (whoever notices the death has no password), so the record names it.</summary>
    private static string AbandonedRestoreAdvice(RestoreRecord r)
    {
        if (r.State == OperationState.Pending) return "";
        if (r.ReplacesTables)
            return $" Tables {string.Join(", ", r.Tables)} of '{r.Database}' are replaced in one step (PostgreSQL: one transaction; MySQL: one RENAME TABLE), so they are either as they were or restored; " +
                   $"MySQL/MariaDB may leave a scratch database '{AsideName(r.Database, r.Id)}', and after the RENAME the restored tables may lack their triggers and a 'dbbackup_old_…' database hold the old tables: check and drop it.";
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
