using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The repository's KeepLast setting applied after a manual backup succeeds.</summary>
internal sealed class KeepLastRetention(EngineContext context)
{
    private static bool CountsForKeepLast(BackupKind? kind, string? policy, OperationState state)
        => kind == BackupKind.Manual && policy == null && state == OperationState.Succeeded;

    /// <summary>The manifest of <paramref name="entry"/> when it still says what the entry does (a good
    /// manual backup of the same revision or newer), else null: damaged, gone, or put back as an older
    /// copy (an undone hold, listed as RecordRolledBack), none of which is kept or pruned.</summary>
    private async Task<BackupRecord?> ConfirmedAsync(Repository.CatalogEntry entry)
    {
        BackupRecord? current;
        try { current = await context.Repository.TryReadBackupAsync(entry.Id, CancellationToken.None).ConfigureAwait(false); }
        catch (DbBackupException) { return null; } // damaged: listed with a warning, never pruned
        return current != null && current.Revision >= entry.Revision && CountsForKeepLast(current.Kind, current.Policy, current.State)
            && OperationTargets.IsTarget(current, entry.Engine, entry.Server, entry.Port, entry.Database) ? current : null;
    }

    /// <summary>Keeps the newest KeepLast successful manual backups of the target; removes older ones.
    /// Never removes <paramref name="justFinished"/> (so never the only good one), an active or a held
    /// backup (held ones still count among the kept).</summary>
    public void ApplyRetention(BackupRecord justFinished)
    {
        var keep = Math.Max(1, context.Repository.ReadRepositoryFile().Settings.KeepLast);
        // Through the catalog (not every manifest of the repository); each backup to remove is re-read
        // and checked again first. This read also folds a long catalog journal.
        var good = context.Repository.ReadCatalog<BackupRecord>(trustNothing: false).Items.Select(i => i.Entry)
            .Where(b => CountsForKeepLast(b.Kind, b.Policy, b.State) && OperationTargets.IsTarget(b, justFinished.Engine, justFinished.Server, justFinished.Port, justFinished.Database))
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        // Held backups still count among the kept, but are never candidates: when only held ones are beyond
        // KeepLast there is nothing to remove, so no delete right is needed and no PruneFailed is logged.
        // A kept one counts only once its manifest confirms it: an entry whose manifest was deleted or
        // damaged since is no good backup, so it neither fills a kept place nor is pruned.
        // Only when the entries leave something to remove: then every one of them is read (at once; a
        // few more than KeepLast), since which ones are good decides what goes.
        if (!good.Skip(keep).Any(entry => entry.Id != justFinished.Id && !entry.Hold)) return;
        var manifests = StoreSync.Run(() => Task.WhenAll(good.Select(ConfirmedAsync)));
        var prune = new List<BackupRecord>();
        var kept = 0;
        foreach (var current in manifests.OfType<BackupRecord>())
        {
            if (kept < keep || current.Id == justFinished.Id || current.Hold) kept++;
            // Being restored: kept until that restore has ended (the next backup's retention removes it).
            else if (context.Records.ActiveRestoreOf(current.Id) is null) prune.Add(current);
        }
        if (prune.Count == 0) return;
        // A credential that may back up but not delete (a create-only SAS): one line saying so, no removals.
        if (context.RightDenial(StoreRight.Delete, $"Retention (KeepLast {keep})", $"{prune.Count} older backup(s) of this database were kept.") is { } denied)
        {
            context.Log("PruneFailed", justFinished, denied.Message, isError: true);
            return;
        }
        foreach (var old in prune)
        {
            try
            {
                // Logged first: whoever finds the backup gone also finds why.
                context.Log("Pruned", old, $"Retention keeps the last {keep} successful backups of this database; removes {old.Name} ({old.SizeBytes} bytes, {old.CreatedAt:u}).");
                context.Repository.DeleteBackup(old.Id);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DbBackupException)
            {
                context.Log("PruneFailed", old, $"{old.Name} could not be removed: {e.Message}", isError: true);
            }
        }
    }
}
