using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The locks that keep one operation per target database: their keys, taking them (breaking a
/// stale one), judging whether a holder without a record may still be starting, and whether the store
/// can keep hosts apart at all.</summary>
internal sealed class TargetLocks(EngineContext context)
{
    private BackupRepository Repository => context.Repository;

    public static string LockKey(BackupRecord b) => TargetLock.Key(b.Engine, b.Server, b.Port, b.Database);

    public static string LockKey(RestoreRecord r) => TargetLock.Key(r.Engine, r.Server, r.Port, r.Swap ? r.Database : r.TargetDatabase);

    /// <summary>Before an operation that locks a target: on a store shared between hosts, probes once
    /// (per process) whether it honours conditional writes, and returns the warning to show when it
    /// does not (null when it does, or when the store is a local folder). A probe the credential cannot
    /// make returns null: the operation itself then reports the missing right.</summary>
    public async Task<string?> CrossHostLockingWarningAsync(CancellationToken cancellationToken)
    {
        var store = Repository.Store;
        if (store.Features.SameHostOnly) return null;
        try { await ConditionalWriteProbe.ProbeAsync(store, cancellationToken).ConfigureAwait(false); }
        catch (DbBackupException) { return null; }
        return store.Features.ConditionalWrites ? null : ConditionalWriteProbe.UnavailableWarning(store.Location);
    }

    private static DbBackupException Starting(ConnectionTarget target, LockOwner holder)
        => new(ErrorKind.InvalidOperation, "TargetBusy",
            $"Another operation is just starting on {target.Engine} {target.Server}:{target.Port}/{target.Database}: " +
            $"{holder.OperationId} (process {holder.ProcessId} on {holder.Host}, since {holder.AcquiredAt:u}). Wait for it or cancel it first.") { TargetObject = holder.OperationId };

    public static DbBackupException Busy(ConnectionTarget target, IOperationRecord op)
        => new(ErrorKind.InvalidOperation, "TargetBusy",
            $"Another operation is already running on {target.Engine} {target.Server}:{target.Port}/{target.Database}: " +
            $"{op.OperationKind.ToString().ToLowerInvariant()} {op.Id} ({op.State}, started {op.StartedAt ?? op.CreatedAt:u}). " +
            "Wait for it (dbbackup wait / Wait-DbBackup) or cancel it first.") { TargetObject = op.Id };

    /// <summary>Refuses when another operation holds the target (after breaking a stale lock).</summary>
    public void AcquireTargetLock(string key, LockOwner owner, ConnectionTarget target)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var holder = TargetLock.TryAcquire(Repository, key, owner);
            if (holder == null) return;
            IOperationRecord? op = null;
            try { op = holder.OperationId == TargetLock.UnknownOwner ? null : context.Records.GetOperation(holder.OperationId); }
            catch (DbBackupException) { }
            // Stale: its operation ended (DetectStale already ran in GetOperation), or it has no record
            // and its holder is gone. A holder takes the lock before writing its record, so a missing
            // record with a live holder (or a lock younger than PendingGrace) is a start in progress.
            if (op == null ? !HolderMayBeStarting(holder) : !op.IsActive)
            {
                TargetLock.Break(Repository, key, holder.OperationId);
                continue;
            }
            if (op == null)
                throw Starting(target, holder);
            throw Busy(target, op);
        }
        throw new DbBackupException(ErrorKind.InvalidOperation, "TargetBusy", $"Could not lock {target}; another process keeps taking it.");
    }

    /// <summary>A lock without a record: a start in progress while its process lives (when we can
    /// tell: see <see cref="HostIdentity.CanCheckProcess"/>) or, when we cannot, for PendingGrace after
    /// its holder's last heartbeat (taking the lock, or the worker taking it over).</summary>
    public bool HolderMayBeStarting(LockOwner holder)
    {
        if (holder.ProcessId > 0 && HostIdentity.CanCheckProcess(holder.Host, holder.HostId, Repository.Store.Features.SameHostOnly))
            return ProcessLiveness.IsAlive(holder.ProcessId);
        return DateTimeOffset.UtcNow - (holder.HeartbeatAt ?? holder.AcquiredAt) < BackupEngine.PendingGrace;
    }

    /// <summary>The worker takes the lock its starter took (as this process, with a fresh heartbeat).</summary>
    public void TakeOverLock(string key, string id, string target)
        => TargetLock.TakeOver(Repository, key, LockOwner.OfThisProcess(id, target));
}
