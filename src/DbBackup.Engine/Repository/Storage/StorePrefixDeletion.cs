namespace DbBackup.Engine.Repository.Storage;

/// <summary>What every driver's <see cref="IRepositoryStore.DeletePrefixAsync"/> does: delete each listed object, then,
/// for the object stores, discard a killed upload's leftovers as a bounded best effort.</summary>
internal static class StorePrefixDeletion
{
    /// <summary>Deletes every object listed under <paramref name="prefix"/> (listed first, then deleted).</summary>
    public static async Task DeleteListedAsync(IRepositoryStore store, string prefix, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var e in store.ListAsync(prefix, ct).ConfigureAwait(false)) keys.Add(e.Key);
        foreach (var key in keys) await store.DeleteAsync(key, null, ct).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="discard"/> for at most 10 s: a store that keeps refusing writes (the reason a
    /// backup failed) must not hold the failure's clean-up in the SDK's retries for minutes.</summary>
    public static async Task DiscardLeftoversAsync(Func<CancellationToken, Task> discard, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(TimeSpan.FromSeconds(10));
        try { await discard(bounded.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}
