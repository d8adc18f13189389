using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Engine.Repository;

// Removing a backup or restore whole (gone from listings first), or only a backup's payload.
public sealed partial class BackupRepository
{
    /// <summary>Deletes a backup (payload and manifest). It disappears from listings first (a local
    /// folder renamed aside; elsewhere the manifest deleted first), so a crash half-way leaves an
    /// unlisted remainder rather than a record pointing at missing files.</summary>
    public void DeleteBackup(string id) => StoreSync.Run(() => DeleteBackupAsync(id, CancellationToken.None));

    /// <summary>As <see cref="DeleteBackup"/>.</summary>
    public async Task DeleteBackupAsync(string id, CancellationToken cancellationToken)
    {
        _backupCatalog?.ForgetLastRead();
        await DeleteRecordFolderAsync(BackupPrefix(id), ManifestFile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a restore's record (and anything beside it), as <see cref="DeleteBackupAsync"/> does a
    /// backup: the record goes first where the folder cannot be renamed away whole. Its catalog entry is no
    /// longer shown at once (the folder listing is the set of records) and is dropped from the snapshot and
    /// journal at the next fold.</summary>
    public async Task DeleteRestoreAsync(string id, CancellationToken cancellationToken)
    {
        _restoreCatalog?.ForgetLastRead();
        await DeleteRecordFolderAsync(RestorePrefix(id), RestoreFile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a record's folder so that it leaves the listings first: a local folder is renamed
    /// away whole in one step; elsewhere the record (<paramref name="recordFile"/>) goes first.</summary>
    private async Task DeleteRecordFolderAsync(string prefix, string recordFile, CancellationToken ct)
    {
        if (Store is not LocalFolderStore) await Store.DeleteAsync(prefix + recordFile, null, ct).ConfigureAwait(false);
        await Store.DeletePrefixAsync(prefix, ct).ConfigureAwait(false);
    }

    /// <summary>Deletes a backup's payload (uploads in progress included, where the store can: a
    /// fenced worker's) and any other object beside its manifest (the worker's scratch files),
    /// keeping the manifest and a pending cancel request. False when the credential may not delete (a
    /// create-only SAS): the files stay, unlisted, since the record that ends Failed lists none of them.</summary>
    public async Task<bool> RemovePayloadAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await Store.DeletePrefixAsync(BackupPrefix(id) + "payload/", cancellationToken).ConfigureAwait(false);
            await DeleteAllAsync(BackupPrefix(id), key => !key.EndsWith("/" + ManifestFile, StringComparison.Ordinal) && !key.EndsWith("/" + CancelFile, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbBackupException e) when (StoreErrors.IsDenied(e, StoreRight.Delete)) { return false; }
    }

    private async Task DeleteAllAsync(string prefix, Func<string, bool> which, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var e in Store.ListAsync(prefix, ct).ConfigureAwait(false))
            if (which(e.Key)) keys.Add(e.Key);
        foreach (var key in keys) await Store.DeleteAsync(key, null, ct).ConfigureAwait(false);
    }
}
