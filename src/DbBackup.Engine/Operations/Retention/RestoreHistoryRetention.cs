using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The repository's RestoreHistoryDays applied to restore records, where backup retention runs
/// (after a backup, a restore and a policy run): an ended restore older than that many days is removed,
/// except the newest ended and the newest successful restore of each target database (so status keeps a
/// "last restore"), one whose dead worker's leftovers are still to be settled (LeftoversPending: the next
/// operation on the target needs it), and one whose safety backup is still in the repository (the record
/// says what that backup holds). It plans from the catalog and re-reads each record before removing it, as
/// backup retention does; afterwards the lock files of records and locks that no longer exist are swept
/// (<see cref="RecordLockMarkers"/>), and so are lock objects long marked released (<see cref="ReleasedLocks"/>).</summary>
internal sealed class RestoreHistoryRetention(EngineContext context)
{
    private BackupRepository Repository => context.Repository;

    /// <summary>Prunes the restore history and sweeps orphaned lock files; returns the restores removed.
    /// Never throws for a store that refuses or fails: a credential without the delete right gets one
    /// PruneFailed line naming the right, a failed removal one naming the record.</summary>
    public async Task<List<RestoreRecord>> ApplyAsync(CancellationToken cancellationToken)
    {
        var removed = new List<RestoreRecord>();
        try
        {
            var days = (await Repository.ReadRepositoryFileAsync(cancellationToken).ConfigureAwait(false)).Settings.RestoreHistoryDays;
            if (days > 0) await PruneAsync(days, removed, cancellationToken).ConfigureAwait(false);
            new RecordLockMarkers(context).SweepOrphans();
            await new ReleasedLocks(context).SweepAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbBackupException or IOException or UnauthorizedAccessException)
        {
            context.Log("PruneFailed", null, "Restore-history retention stopped: " + e.Message, isError: true);
        }
        return removed;
    }

    private async Task PruneAsync(int days, List<RestoreRecord> removed, CancellationToken ct)
    {
        var cutoff = context.Clock.GetUtcNow() - TimeSpan.FromDays(days);
        var candidates = Candidates(cutoff);
        if (candidates.Count == 0) return;
        // A credential that may write but not delete (a create-only SAS): one line saying so, nothing removed.
        if (context.RightDenial(StoreRight.Delete, $"Restore-history retention (RestoreHistoryDays {days})", $"{candidates.Count} restore record(s) older than {days} days were kept.") is { } denied)
        {
            context.Log("PruneFailed", null, denied.Message, isError: true);
            return;
        }
        HashSet<string>? backups = null;
        // One at a time on purpose: each removal logs its line first, and parallel appends to one activity log
        // only contend (measured: 190 removals on Azurite took 17 s one by one, 28 s eight at a time).
        foreach (var id in candidates)
        {
            ct.ThrowIfCancellationRequested();
            RestoreRecord? r;
            try { r = await Repository.TryReadRestoreAsync(id, ct).ConfigureAwait(false); }
            catch (DbBackupException) { continue; } // damaged: listed with a warning, never pruned
            if (r == null || r.IsActive || r.LeftoversPending || (r.CompletedAt ?? r.CreatedAt) >= cutoff) continue;
            if (r.SafetyBackupId is { } safety && (backups ??= await BackupFoldersAsync(ct).ConfigureAwait(false)).Contains(safety)) continue;
            try
            {
                // Logged first: whoever finds the record gone also finds why.
                context.Log("Pruned", r, $"Restore history keeps {days} days (RestoreHistoryDays); removes the record of restore {r.Id} of backup {r.BackupId} ({r.State}, {r.CreatedAt:u}).");
                await Repository.DeleteRestoreAsync(r.Id, ct).ConfigureAwait(false);
                removed.Add(r);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DbBackupException)
            {
                context.Log("PruneFailed", r, $"The record of restore {r.Id} could not be removed: {e.Message}", isError: true);
            }
        }
    }

    /// <summary>The ended restores older than <paramref name="cutoff"/> by their catalog entries, oldest first,
    /// without the newest ended and the newest successful restore of each target.</summary>
    private List<string> Candidates(DateTimeOffset cutoff)
    {
        var ended = Repository.ReadCatalog<RestoreRecord>(trustNothing: false).Items.Select(i => i.Entry).Where(e => e.IsFinal).ToList();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in ended.GroupBy(e => (e.Engine, Server: ServerNames.Canonical(e.Server), e.Port, e.Database)))
        {
            var newestFirst = target.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id, StringComparer.Ordinal).ToList();
            kept.Add(newestFirst[0].Id);
            if (newestFirst.FirstOrDefault(e => e.State == OperationState.Succeeded) is { } good) kept.Add(good.Id);
        }
        return ended.Where(e => e.CreatedAt < cutoff && !kept.Contains(e.Id))
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => e.Id).ToList();
    }

    /// <summary>The backups in the repository, by one folder listing: a restore whose safety backup is among them
    /// is kept (one removed by retention or by hand no longer holds its restore's record).</summary>
    private async Task<HashSet<string>> BackupFoldersAsync(CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var name in Repository.Store.ListFoldersAsync("backups/", ct).ConfigureAwait(false)) ids.Add(name);
        return ids;
    }
}
