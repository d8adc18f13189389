using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The worker's side of an operation: takes the target's lock over, settles what dead restores
/// left, runs the backup (then its callback and KeepLast retention) or the restore, and cleans up.</summary>
internal sealed class WorkerJob(EngineContext context, BackupJob backups, RestoreRun restores, DeadRestoreSettlement settlement, KeepLastRetention retention, RestoreHistoryRetention restoreHistory, CompletionCallback callback)
{
    private BackupRepository Repository => context.Repository;

    /// <summary>Worker entry point: runs the backup or restore with this id to its end. Returns
    /// normally whatever the outcome (the record says how it ended); throws only when the id is unknown.</summary>
    public async Task RunWorkerAsync(string operationId, string? password, CancellationToken cancellationToken)
    {
        if (Ids.IsRestoreId(Ids.Validate(operationId)))
        {
            var restore = await Repository.TryReadRestoreAsync(operationId, cancellationToken).ConfigureAwait(false) ?? throw new DbBackupException(ErrorKind.NotFound, "RestoreNotFound", $"No restore {operationId}.");
            if (restore.State != OperationState.Pending) return;
            context.Locks.TakeOverLock(TargetLocks.LockKey(restore), restore.Id, restore.TargetDatabase);
            using var restoreLockBeat = new LockHeartbeat(Repository, TargetLocks.LockKey(restore), restore.Id);
            try
            {
                await settlement.SettleDeadRestoresAsync(restore, restore.Swap ? restore.Database : restore.TargetDatabase, password, cancellationToken).ConfigureAwait(false);
                await restores.RunAsync(restore, password, cancellationToken).ConfigureAwait(false);
            }
            catch (DbBackupException) { }
            finally
            {
                restoreLockBeat.Dispose();
                context.Records.RemoveWorkerFiles(restore.Id);
                TargetLock.Release(Repository, TargetLocks.LockKey(restore), restore.Id);
            }
            // Restores add to the history too: a repository only restored from (a nightly restore test, a
            // local state repository) keeps it bounded as well.
            await restoreHistory.ApplyAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }
        var record = await Repository.TryReadBackupAsync(operationId, cancellationToken).ConfigureAwait(false) ?? throw new DbBackupException(ErrorKind.NotFound, "BackupNotFound", $"No backup {operationId}.");
        if (record.State != OperationState.Pending) return;
        context.Locks.TakeOverLock(TargetLocks.LockKey(record), record.Id, record.Database);
        var lockBeat = new LockHeartbeat(Repository, TargetLocks.LockKey(record), record.Id);
        bool ok;
        try
        {
            await settlement.SettleDeadRestoresAsync(record, record.Database, password, cancellationToken).ConfigureAwait(false);
            await backups.RunAsync(record, password, cancellationToken).ConfigureAwait(false);
            ok = true;
        }
        catch (DbBackupException)
        {
            ok = false;
        }
        finally
        {
            WorkerPausePoints.At("backup:ended");
            lockBeat.Dispose();
            context.Records.RemoveWorkerFiles(record.Id);
            TargetLock.Release(Repository, TargetLocks.LockKey(record), record.Id);
        }
        // After the record is final: the callback never fails or delays the backup's result.
        if (record.CallbackUrl != null) await callback.SendCallbackAsync(record, CancellationToken.None).ConfigureAwait(false);
        // A policy's backups are pruned by its own tiers when the policy runs, not by KeepLast.
        if (ok && record.Kind == BackupKind.Manual && record.Policy == null) retention.ApplyRetention(record);
        if (ok) await restoreHistory.ApplyAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Runs an operation's worker on a background task of this process instead of a new
    /// process: for callers that wait for the end anyway (Start-DbBackup -Wait), where starting a pwsh
    /// worker would cost seconds. The record, heartbeat, cancel request and stale detection work as
    /// for a detached worker (this process's id is the worker's); if this process ends first, the
    /// operation is found abandoned and ends Failed, as when a worker is killed.</summary>
    public void RunWorkerInBackground(string operationId, string? password)
    {
        InSessionWorkers.Track(operationId, Task.Run(async () =>
        {
            try
            {
                await RunWorkerAsync(operationId, password, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // RunWorkerAsync records every failure it can; this is the one it could not.
                try { context.Records.FinishAbandoned(context.Records.GetOperation(operationId), OperationState.Failed, "The worker stopped unexpectedly: " + e.Message); }
                catch (Exception) { /* the heartbeat's age ends the record */ }
            }
        }));
    }
}
