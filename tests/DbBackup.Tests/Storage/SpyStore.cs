using System.Collections.Concurrent;
using DbBackup.Engine;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests.Storage;

/// <summary>A real store with a window on it: counts the objects read per key, and can refuse the
/// writes a test names (as a writer killed at that point would never make them).</summary>
public sealed class SpyStore(IRepositoryStore inner) : IRepositoryStore
{
    /// <summary>Keys read whole, with how often.</summary>
    public ConcurrentDictionary<string, int> Reads { get; } = new(StringComparer.Ordinal);

    /// <summary>Writes of keys this returns true for fail as an unreachable store would.</summary>
    public Func<string, bool> FailWrite { get; set; } = _ => false;

    /// <summary>Manifests read since the counts were last cleared.</summary>
    public int ManifestReads => Reads.Where(r => r.Key.EndsWith("/manifest.json", StringComparison.Ordinal)).Sum(r => r.Value);

    /// <inheritdoc/>
    public string Location => inner.Location;

    /// <inheritdoc/>
    public StoreFeatures Features => inner.Features;

    /// <inheritdoc/>
    public Task<StoredObject?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        Reads.AddOrUpdate(key, 1, (_, n) => n + 1);
        return inner.TryReadAsync(key, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken cancellationToken)
        => FailWrite(key) ? throw new DbBackupException(ErrorKind.ConnectionError, "TestWriteRefused", $"test: the write of {key} fails") : inner.TryWriteAsync(key, content, condition, cancellationToken);

    /// <inheritdoc/>
    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    /// <inheritdoc/>
    public Task<StoreUpload> CreateAsync(string key, CancellationToken cancellationToken) => inner.CreateAsync(key, cancellationToken);

    /// <inheritdoc/>
    public Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.AppendAsync(key, content, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken) => inner.DeleteAsync(key, ifVersion, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<StoreEntry> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    /// <inheritdoc/>
    public Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => inner.DeletePrefixAsync(prefix, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _folderListings);
        return inner.ListFoldersAsync(prefix, cancellationToken);
    }

    private int _folderListings;

    /// <summary>Folder listings made so far (each one, on an object store, pages through every record).</summary>
    public int FolderListings => _folderListings;
}
