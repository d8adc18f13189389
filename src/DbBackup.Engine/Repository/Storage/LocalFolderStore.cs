namespace DbBackup.Engine.Repository.Storage;

// PLACEHOLDER (branch `cloud`): the real LocalFolderStore is written on branch `store`; the lead takes
// that file at merge. This stub exists only so StoreFactory compiles here: its constructor throws.
/// <summary>Placeholder for the local-folder driver (see the branch `store`).</summary>
public sealed class LocalFolderStore : IRepositoryStore
{
    /// <summary>Not implemented on this branch.</summary>
    public LocalFolderStore(string root) => throw new NotImplementedException($"LocalFolderStore placeholder (root {root}): the driver comes from the branch 'store'.");

    /// <inheritdoc/>
    public string Location => throw new NotImplementedException();
    /// <inheritdoc/>
    public StoreFeatures Features => throw new NotImplementedException();
    /// <inheritdoc/>
    public Task<StoredObject?> TryReadAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    /// <inheritdoc/>
    public Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken cancellationToken) => throw new NotImplementedException();
    /// <inheritdoc/>
    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    /// <inheritdoc/>
    public Task<StoreUpload> CreateAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    /// <inheritdoc/>
    public Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => throw new NotImplementedException();
    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken) => throw new NotImplementedException();
    /// <inheritdoc/>
    public IAsyncEnumerable<StoreEntry> ListAsync(string prefix, CancellationToken cancellationToken) => throw new NotImplementedException();
}
