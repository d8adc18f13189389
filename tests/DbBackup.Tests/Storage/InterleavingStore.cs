using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests.Storage;

/// <summary>An in-memory store that runs <see cref="BeforeNextWrite"/> once, just before the next
/// conditional write of a key: another writer landing between a reader's read and its write, at the
/// exact instant a race needs. Every other operation is the in-memory driver's.</summary>
internal sealed class InterleavingStore(InMemoryStore inner) : IRepositoryStore
{
    /// <summary>Runs (once) before the next write of the key it names, then is cleared.</summary>
    public (string Key, Action Interleave)? BeforeNextWrite { get; set; }

    public string Location => inner.Location;
    public StoreFeatures Features => inner.Features;
    public Task<StoredObject?> TryReadAsync(string key, CancellationToken cancellationToken) => inner.TryReadAsync(key, cancellationToken);

    public Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken cancellationToken)
    {
        if (BeforeNextWrite is { } hook && hook.Key == key)
        {
            BeforeNextWrite = null;
            hook.Interleave();
        }
        return inner.TryWriteAsync(key, content, condition, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);
    public Task<StoreUpload> CreateAsync(string key, CancellationToken cancellationToken) => inner.CreateAsync(key, cancellationToken);
    public Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.AppendAsync(key, content, cancellationToken);
    public Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken) => inner.DeleteAsync(key, ifVersion, cancellationToken);
    public IAsyncEnumerable<StoreEntry> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
