namespace DbBackup.Engine.Repository.Storage;

/// <summary>Finds out, before an operation changes anything, whether the repository's credential grants
/// a right the operation needs (the source services separate view, create, download and delete; a SAS
/// or an S3 policy does the same). A store answers "may I" only by trying, so each check is one harmless
/// request: a write of this host's probe object for write (deleted again when the credential may),
/// a delete of an object that does not exist for delete (404 with the right, 403 without). Not cached:
/// a session can change its credential between calls.</summary>
public static class StoreRights
{
    private const string ProbePrefix = ConditionalWriteProbe.KeyPrefix + "rights-";

    /// <summary>The store's refusal (a StoreAccessDenied error naming the right and the credential's source)
    /// when its credential lacks <paramref name="right"/>; null when it has it, or when the answer cannot be
    /// had in advance (a local folder: the file system checks each call, and its errors say so).</summary>
    public static async Task<DbBackupException?> DenialAsync(IRepositoryStore store, StoreRight right, CancellationToken cancellationToken)
    {
        if (store.Features.SameHostOnly || store is not IProbedStore) return null;
        var key = ProbePrefix + Environment.MachineName + "-" + Guid.NewGuid().ToString("N");
        try
        {
            switch (right)
            {
                case StoreRight.Write:
                    // One key per host, overwritten (record updates overwrite too): a create-only credential
                    // that cannot delete it leaves one object per host, not one per backup.
                    var hostKey = ProbePrefix + Environment.MachineName;
                    await store.TryWriteAsync(hostKey, "rights probe"u8.ToArray(), WriteCondition.None, cancellationToken).ConfigureAwait(false);
                    await DeleteIfAllowedAsync(store, hostKey).ConfigureAwait(false);
                    break;
                case StoreRight.Delete:
                    await store.DeleteAsync(key, null, cancellationToken).ConfigureAwait(false);
                    break;
                case StoreRight.Read:
                    await store.TryReadAsync(key, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await foreach (var _ in store.ListAsync(key, cancellationToken).ConfigureAwait(false)) break;
                    break;
            }
        }
        catch (DbBackupException e) when (StoreErrors.DeniedRight(e) == right) { return e; }
        return null;
    }

    /// <summary>Deletes <paramref name="key"/> when the credential may; a create-only credential leaves
    /// the object (outside every key the engine lists).</summary>
    internal static async Task DeleteIfAllowedAsync(IRepositoryStore store, string key)
    {
        try { await store.DeleteAsync(key, null, CancellationToken.None).ConfigureAwait(false); }
        catch (DbBackupException e) when (StoreErrors.IsDenied(e, StoreRight.Delete)) { }
    }
}
