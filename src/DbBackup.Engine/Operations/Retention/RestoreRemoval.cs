using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Removing a restore's record by hand (dbbackup remove --id rs-… / Remove-DbBackupRestore), from the
/// repository that holds it (this one, or the local state repository of a restore through a read-only
/// credential). Never a running restore, one whose leftovers are still to be settled, or one whose safety
/// backup is still in the repository: the record is what says what that backup holds.</summary>
internal sealed class RestoreRemoval(EngineContext context)
{
    /// <summary>Deletes a restore's record and returns it as it was.</summary>
    public async Task<RestoreRecord> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var r = context.Records.GetRestore(id);
        var holder = context.Records.HolderOf(id);
        if (r.IsActive)
            throw new DbBackupException(ErrorKind.InvalidOperation, "RestoreRunning", $"Restore {id} is {r.State}; cancel it first (dbbackup cancel / Stop-DbBackup) or wait for it to end.") { TargetObject = id };
        if (r.LeftoversPending)
            throw new DbBackupException(ErrorKind.InvalidOperation, "RestoreUnsettled",
                $"Restore {id} stopped with its worker and may have left databases on {r.Server}:{r.Port}; the next backup or restore of '{r.Database}' settles them and records what it found here. Remove the record after that.") { TargetObject = id };
        if (r.SafetyBackupId is { } safety && holder.Repository.HasBackupObjects(safety))
            throw new DbBackupException(ErrorKind.InvalidOperation, "SafetyBackupKept",
                $"Restore {id} took the safety backup {safety}, which is still in the repository, and its record says what that backup holds. Remove the safety backup first (dbbackup remove --id {safety} / Remove-DbBackup), or keep the record.") { TargetObject = id };
        await holder.RequireRightAsync(StoreRight.Delete, $"Removing restore {id} (dbbackup remove / Remove-DbBackupRestore)", $"Restore {id} was left as it was.", cancellationToken).ConfigureAwait(false);
        await holder.Repository.DeleteRestoreAsync(id, cancellationToken).ConfigureAwait(false);
        holder.Log("Removed", r, $"The record of restore {id} of backup {r.BackupId} ({r.State}, {r.CreatedAt:u}).");
        return r;
    }
}
