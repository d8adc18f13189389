using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Engine.Operations;

/// <summary>Lock objects under locks/ that a holder without the delete right (a create-only SAS) could only
/// mark released (<see cref="LockOwner.ReleasedAt"/>): the next taker of the same target replaces them, but a
/// copy's lock (locks/copy-&lt;id&gt;.lock) or the lock of a database no longer backed up is never taken again.
/// A run with the delete right removes those released more than an hour ago, each only at the version read
/// (a lock taken meanwhile stays).</summary>
internal sealed class ReleasedLocks(EngineContext context)
{
    private const string Folder = "locks/";

    /// <summary>Deletes the lock objects released more than an hour ago; returns how many. Without the delete
    /// right it stops quietly (the retention that called it has said so already).</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var store = context.Repository.Store;
        var keys = new List<string>();
        await foreach (var e in store.ListAsync(Folder, ct).ConfigureAwait(false))
            if (e.Key.EndsWith(".lock", StringComparison.Ordinal) && e.Key.IndexOf('/', Folder.Length) < 0) keys.Add(e.Key);
        var before = DateTimeOffset.UtcNow - SecureFiles.TempMaxAge;
        var removed = 0;
        foreach (var key in keys)
        {
            if (await store.TryReadAsync(key, ct).ConfigureAwait(false) is not { } stored) continue;
            LockOwner owner;
            try { owner = Json.Parse<LockOwner>(stored.Content, key); }
            catch (DbBackupException) { continue; } // being written by an older DbBackup, or damaged: judged when taken
            if (owner.ReleasedAt is not { } released || released > before) continue;
            try
            {
                if (await store.DeleteAsync(key, stored.Version, ct).ConfigureAwait(false)) removed++;
            }
            catch (DbBackupException e) when (StoreErrors.IsDenied(e, StoreRight.Delete)) { return removed; }
            catch (DbBackupException e) when (StoreErrors.IsBusy(e)) { }
        }
        return removed;
    }
}
