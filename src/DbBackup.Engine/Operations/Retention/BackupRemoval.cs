using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Removing a backup by hand (dbbackup remove / Remove-DbBackup): never a running one, nor
/// the last good backup of a target without force; a damaged entry only with force.</summary>
internal sealed class BackupRemoval(EngineContext context)
{
    /// <summary>Deletes a backup's files and record; refuses a running one, and the only good backup of
    /// a target unless <paramref name="force"/>.</summary>
    public async Task<BackupRecord> RemoveAsync(string id, bool force, CancellationToken cancellationToken)
    {
        BackupRecord b;
        try { b = context.Records.GetBackup(id); }
        catch (DbBackupException e) when (e.Kind == ErrorKind.InvalidData && context.Repository.HasBackupObjects(id))
        {
            if (!force)
                throw new DbBackupException(ErrorKind.InvalidData, e.ErrorId, e.Message.TrimEnd('.') + ". Pass --force / -Force to remove the damaged entry.", e) { TargetObject = id };
            return await RemoveDamagedAsync(id, e, cancellationToken).ConfigureAwait(false);
        }
        if (b.IsActive)
            throw new DbBackupException(ErrorKind.InvalidOperation, "BackupRunning", $"Backup {id} is {b.State}; cancel it first (dbbackup cancel / Stop-DbBackup).") { TargetObject = id };
        if (!force && b.State == OperationState.Succeeded && !await AnotherGoodBackupAsync(b, cancellationToken).ConfigureAwait(false))
            throw new DbBackupException(ErrorKind.InvalidOperation, "LastGoodBackup",
                $"Backup {id} is the only successful backup of {b.Database} on {b.Server}:{b.Port}; pass --force / -Force to remove it anyway.") { TargetObject = id };
        // A restore reading it would fail half-way (its target untouched, but the backup gone as well): refused, even with force.
        if (context.Records.ActiveRestoreOf(id) is { } reading) throw context.Records.InUse(id, reading, "it was left as it was.");
        await context.RequireRightAsync(StoreRight.Delete, $"Removing backup {id} (dbbackup remove / Remove-DbBackup)", $"Backup {id} was left as it was.", cancellationToken).ConfigureAwait(false);
        await context.Repository.DeleteBackupAsync(b.Id, cancellationToken).ConfigureAwait(false);
        context.Log("Removed", b, $"{b.Name}, {b.SizeBytes} bytes, {b.State}");
        return b;
    }

    /// <summary>Whether the target of <paramref name="b"/> keeps another successful backup: candidates from
    /// the catalog (not every manifest), newest first, each confirmed by reading its manifest, so a damaged
    /// one never stands in for the last good backup.</summary>
    private async Task<bool> AnotherGoodBackupAsync(BackupRecord b, CancellationToken ct)
    {
        var candidates = context.Repository.ReadCatalog<BackupRecord>(trustNothing: false).Items.Select(i => i.Entry)
            .Where(o => o.Id != b.Id && o.State == OperationState.Succeeded && OperationTargets.IsTarget(o, b.Engine, b.Server, b.Port, b.Database))
            .OrderByDescending(o => o.CreatedAt);
        foreach (var candidate in candidates)
        {
            try
            {
                if (await context.Repository.TryReadBackupAsync(candidate.Id, ct).ConfigureAwait(false) is { State: OperationState.Succeeded } other
                    && OperationTargets.IsTarget(other, b.Engine, b.Server, b.Port, b.Database)) return true;
            }
            catch (DbBackupException) { /* damaged: not a good backup */ }
        }
        return false;
    }

    /// <summary>Deletes a backup folder whose manifest cannot be read or trusted; what is returned
    /// stands in for the record, naming the damage.</summary>
    private async Task<BackupRecord> RemoveDamagedAsync(string id, DbBackupException damage, CancellationToken ct)
    {
        await context.RequireRightAsync(StoreRight.Delete, $"Removing backup {id} (dbbackup remove / Remove-DbBackup)", $"Backup {id} was left as it was.", ct).ConfigureAwait(false);
        await context.Repository.DeleteBackupAsync(id, ct).ConfigureAwait(false);
        var removed = new BackupRecord { Id = id, State = OperationState.Failed, StatusMessage = "Removed a damaged entry: " + damage.Message };
        context.Log("RemovedDamaged", removed, damage.Message, isError: true);
        return removed;
    }
}
