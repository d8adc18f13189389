using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The backup and restore records: reading them, and noticing and ending those whose worker
/// is gone (stale detection), so every reader reports the truth.</summary>
internal sealed class OperationRecords(EngineContext context)
{
    private BackupRepository Repository => context.Repository;
    private static TimeSpan PendingGrace => BackupEngine.PendingGrace;
    private static TimeSpan StaleAfter => BackupEngine.StaleAfter;

    /// <summary>The backup or restore with this id (stale workers reported Failed).</summary>
    public IOperationRecord GetOperation(string id)
        => Ids.IsRestoreId(Ids.Validate(id)) ? GetRestore(id) : GetBackup(id);

    /// <summary>The backup with this id. Objects stored under it without a manifest throw ManifestMissing
    /// (what is left can be removed with force), never BackupNotFound.</summary>
    public BackupRecord GetBackup(string id)
    {
        var r = Repository.TryReadBackup(Ids.Validate(id))
            ?? throw StoreSync.Run(() => Repository.MissingManifestAsync(id, CancellationToken.None)) ?? new DbBackupException(ErrorKind.NotFound, "BackupNotFound",
                $"No backup with id '{id}' in the repository '{context.RepositoryPath}'. List them with {CallerWording.ListCommand(context.RepositoryPath)}.") { TargetObject = id };
        return DetectStale(r);
    }

    /// <summary>A restore of this repository that is running (or about to) from backup <paramref name="backupId"/>,
    /// its worker alive, or null. Active records are always read from their files, never trusted from the catalog.</summary>
    public RestoreRecord? ActiveRestoreOf(string backupId)
        => Repository.ReadCatalog<RestoreRecord>(trustNothing: false).Items
            .Select(i => i.Record).OfType<RestoreRecord>()
            .Where(r => r.IsActive && r.BackupId == backupId)
            .Select(DetectStale).FirstOrDefault(r => r.IsActive);

    /// <summary>BackupInUse: backup <paramref name="backupId"/> is being read by <paramref name="restore"/>.</summary>
    public DbBackupException InUse(string backupId, RestoreRecord restore, string consequence)
        => new DbBackupException(ErrorKind.InvalidOperation, "BackupInUse",
            $"Backup {backupId} is being restored by {restore.Id} ({restore.State}, into {restore.Engine} {restore.Server}:{restore.Port}/{restore.Database}, started {restore.StartedAt ?? restore.CreatedAt:u}); {consequence} " +
            "Remove it once that restore has ended (dbbackup wait / Wait-DbBackup), or cancel the restore first.") { TargetObject = backupId };

    /// <summary>The restore with this id: in this repository, else (a restore of a backup read from here
    /// with a read-only credential) in the local state repository.</summary>
    public RestoreRecord GetRestore(string id)
    {
        if (Repository.TryReadRestore(Ids.Validate(id)) is { } r) return DetectStale(r);
        if (context.LocalState is { } state && state.Repository.TryReadRestore(id) is { } kept) return state.Records.DetectStale(kept);
        throw new DbBackupException(ErrorKind.NotFound, "RestoreNotFound",
            $"No restore with id '{id}' in the repository '{context.RepositoryPath}'.") { TargetObject = id };
    }

    /// <summary>The context whose repository holds the record <paramref name="id"/>: this one, or the local
    /// state repository for a restore kept there (<see cref="EngineContext.LocalState"/>).</summary>
    public EngineContext HolderOf(string id)
    {
        if (!Ids.IsRestoreId(Ids.Validate(id)) || Repository.TryReadRestore(id) != null) return context;
        return context.LocalState is { } state && state.Repository.TryReadRestore(id) != null ? state : context;
    }

    /// <summary>Writes a backup or restore record atomically.</summary>
    public void Write(OperationRecord r)
    {
        if (r is RestoreRecord restore) Repository.WriteRestore(restore);
        else Repository.WriteBackup((BackupRecord)r);
    }

    /// <summary>Why an active record's worker is considered gone, or null when it is alive. Its pid is
    /// checked where it means something here: every writer is on this host (a local folder), or the
    /// worker ran in this pid space (<see cref="HostIdentity"/>); for a worker on another host only the
    /// heartbeat's age counts.</summary>
    public string? StaleReason(OperationRecord r)
    {
        var now = DateTimeOffset.UtcNow;
        if (r.WorkerProcessId is not { } pid)
            return r.State == OperationState.Pending && now - r.CreatedAt > PendingGrace
                ? $"The worker never started (Pending for more than {PendingGrace.TotalSeconds:0} s)." : null;
        if (HostIdentity.CanCheckProcess(r.WorkerHost, r.WorkerHostId, Repository.Store.Features.SameHostOnly) && !ProcessLiveness.IsAlive(pid))
            return $"The worker process {pid} on {r.WorkerHost} is gone (killed or crashed); last heartbeat {r.HeartbeatAt:u}.";
        var last = r.HeartbeatAt ?? r.CreatedAt;
        if (now - last > StaleAfter)
            return $"The worker process {pid} on {r.WorkerHost} sent no heartbeat since {last:u} (more than {StaleAfter.TotalSeconds:0} s).";
        return null;
    }

    /// <summary>The record as it should be reported: an active one whose worker is gone is ended as
    /// Failed first (and re-read).</summary>
    public T DetectStale<T>(T r) where T : OperationRecord
    {
        if (!r.IsActive || StaleReason(r) is not { } why) return r;
        try { FinishAbandoned(r, OperationState.Failed, why); }
        catch (DbBackupException e) when (StoreErrors.IsDenied(e, StoreRight.Write))
        {
            // A reader whose credential may not write (a read-and-list SAS) still reports the
            // truth; the record itself is ended by the next caller that may.
            RecordTracker<T>.Ended(r, OperationState.Failed, why + " (Not recorded: " + e.Message + ")");
            return r;
        }
        return Reread(r) as T ?? r;
    }

    /// <summary>The stored version of a record, or null when it is gone.</summary>
    public OperationRecord? Reread(IOperationRecord r)
        => r is RestoreRecord ? Repository.TryReadRestore(r.Id) : Repository.TryReadBackup(r.Id);

    /// <summary>Ends a record whose worker is gone: state and reason written, partial payload and the
    /// worker's files removed, the target lock released. The log line comes first: a reader who sees
    /// the final state also finds it.</summary>
    public void FinishAbandoned(IOperationRecord op, OperationState state, string reason)
    {
        var fresh = Reread(op);
        if (fresh == null || !fresh.IsActive) return;
        Repository.CheckNotRolledBack(fresh);
        var now = DateTimeOffset.UtcNow;
        var wasStarted = fresh.State != OperationState.Pending;
        fresh.State = state;
        fresh.StatusMessage = reason;
        fresh.CompletedAt = now;
        fresh.Duration = now - fresh.StartedAt;
        var action = $"{fresh.OperationKind}{(state == OperationState.Cancelled ? "Cancelled" : "Failed")}";
        switch (fresh)
        {
            // The record is ended first, as a compare-and-swap on the version just read: if the worker
            // wrote meanwhile it is alive and nothing happens; once this is stored, the worker is fenced
            // (it can never write again), so its files can go.
            case BackupRecord b:
                // Stored before the log line and the clean-up: a refused write means the worker is alive.
                b.Files = [];
                b.SizeBytes = 0;
                if (!Repository.WriteBackup(b)) return;
                context.Log(action, fresh, reason, fresh.Note, isError: state == OperationState.Failed);
                RemovePayload(b.Id);
                RemoveWorkerFiles(b.Id);
                TargetLock.Release(Repository, TargetLocks.LockKey(b), b.RestoreId ?? b.Id);
                break;
            case RestoreRecord r:
                r.LeftoversPending = r.Swap && wasStarted;
                r.StatusMessage += AbandonedRestoreAdvice(r, wasStarted);
                if (!Repository.WriteRestore(r)) return;
                context.Log(action, fresh, r.StatusMessage, fresh.Note, isError: state == OperationState.Failed);
                RemoveWorkerFiles(r.Id);
                TargetLock.Release(Repository, TargetLocks.LockKey(r), r.Id);
                break;
        }
    }

    /// <summary>What a dead restore worker may have left, and the state of the target as far as the
    /// record tells. Whoever notices the death has no password, so the next backup or restore of the
    /// target settles the rest (see SettleDeadRestoresAsync) and adds what it found to the record.</summary>
    private static string AbandonedRestoreAdvice(RestoreRecord r, bool wasStarted)
    {
        if (!wasStarted) return "";
        if (r.ReplacesTables)
            return $" Tables {string.Join(", ", r.Tables)} of '{r.Database}' are replaced in one step (PostgreSQL: one transaction; MySQL: one RENAME TABLE), so they are either as they were or restored; " +
                   $"MySQL/MariaDB may leave a scratch database '{RestorePhases.AsideName(r.Database, r.Id)}', and after the RENAME the restored tables may lack their triggers and a 'dbbackup_old_…' database hold the old tables: check and drop it.";
        if (!r.Swap)
            return $" The new database '{r.TargetDatabase}' may be left partly restored; drop it before retrying.";
        var aside = RestorePhases.AsideName(r.Database, r.Id);
        var settle = $"the next backup or restore of '{r.Database}' checks the server, finishes what is left and records it here";
        return r.Progress?.Phase switch
        {
            RestorePhases.SwappedPhase => $" The restored copy had already been swapped in: '{r.Database}' holds backup {r.BackupId}; only finishing steps were left (dropping the previous contents); {settle}.",
            RestorePhases.SwappingPhase when r.Engine == DatabaseEngine.PostgreSql =>
                $" It stopped while swapping the restored copy in. The swap is all or nothing: '{r.Database}' holds either its previous contents or the restored copy, usable either way; {settle}.",
            RestorePhases.SwappingPhase =>
                $" It stopped while swapping the restored copy in. Its tables moved all or nothing: '{r.Database}' holds either its previous tables or the restored ones; " +
                $"in the second case its views, triggers, routines and events may not all be switched yet. The swap's journal (in '{aside}') records what remains: {settle}, finishing or undoing the swap before it backs up or restores anything.",
            _ => $" The database '{r.Database}' was not changed; the partly restored copy '{aside}' may be left on the server: {settle} (dropping it).",
        };
    }

    /// <summary>Deletes a backup's payload files, keeping its manifest.</summary>
    private void RemovePayload(string id) => StoreSync.Run(() => Repository.RemovePayloadAsync(id, CancellationToken.None));

    /// <summary>Removes what only a running worker needs: the cancel request and the providers'
    /// scratch folder. Also run by whoever finds the worker dead.</summary>
    public void RemoveWorkerFiles(string id)
    {
        Repository.ClearCancelRequest(id);
        OperationTempFolder.Remove(Repository.ScratchFolder(id));
    }
}
