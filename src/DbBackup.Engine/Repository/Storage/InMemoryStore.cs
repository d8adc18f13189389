using System.Runtime.CompilerServices;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>A repository held in memory, for fast unit tests of everything above the store (WAL-G's
/// in-memory Folder is the model). Thread-safe; honours every condition atomically; versions are
/// fresh per write (as ETags are), never reused. Its features are chosen by the test, so the engine's
/// object-store paths (no appends, staleness by heartbeat age) run without a cloud.</summary>
public sealed class InMemoryStore : IRepositoryStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Entry> _objects = new(StringComparer.Ordinal);
    private long _nextVersion;

    private sealed record Entry(byte[] Content, string Version, DateTimeOffset LastModified);

    /// <summary>A store with the given features (default: conditional writes and appends, not
    /// same-host; pass <c>appends: false</c> to get an object store's activity log).</summary>
    public InMemoryStore(bool appends = true, bool sameHostOnly = false, string location = "memory://test")
    {
        Features = new StoreFeatures(ConditionalWrites: true, Appends: appends, SameHostOnly: sameHostOnly);
        Location = location;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public StoreFeatures Features { get; }

    /// <summary>How many objects are stored (for tests).</summary>
    public int Count
    {
        get { lock (_lock) return _objects.Count; }
    }

    /// <summary>Replaces an object's bytes behind the repository's back, keeping nothing of its version
    /// (for tests that damage a stored file).</summary>
    public void Tamper(string key, Func<byte[], byte[]> change)
    {
        lock (_lock)
        {
            var e = _objects[StoreKeys.Validate(key)];
            _objects[key] = new Entry(change(e.Content.ToArray()), NewVersion(), DateTimeOffset.UtcNow);
        }
    }

    /// <inheritdoc/>
    public Task<StoredObject?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_objects.TryGetValue(StoreKeys.Validate(key), out var e)
                ? new StoredObject(e.Content.ToArray(), e.Version, e.LastModified) : null);
        }
    }

    /// <inheritdoc/>
    public Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        lock (_lock)
        {
            var exists = _objects.TryGetValue(key, out var current);
            var allowed = condition.Kind switch
            {
                WriteConditionKind.IfAbsent => !exists,
                WriteConditionKind.IfVersion => exists && current!.Version == condition.Version,
                _ => true,
            };
            if (!allowed) return Task.FromResult<string?>(null);
            var entry = new Entry(content.ToArray(), NewVersion(), DateTimeOffset.UtcNow);
            _objects[key] = entry;
            return Task.FromResult<string?>(entry.Version);
        }
    }

    /// <inheritdoc/>
    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_objects.TryGetValue(StoreKeys.Validate(key), out var e)) throw StoreErrors.NotFound(Location, key);
            return Task.FromResult<Stream>(new MemoryStream(e.Content, writable: false));
        }
    }

    /// <inheritdoc/>
    public Task<StoreUpload> CreateAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        return Task.FromResult<StoreUpload>(new MemoryUpload(this, key));
    }

    /// <inheritdoc/>
    public Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (!Features.Appends) throw new NotSupportedException($"The store at {Location} has no append objects.");
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        lock (_lock)
        {
            var old = _objects.TryGetValue(key, out var e) ? e.Content : [];
            _objects[key] = new Entry([.. old, .. content.Span], NewVersion(), DateTimeOffset.UtcNow);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        lock (_lock)
        {
            if (!_objects.TryGetValue(key, out var e) || (ifVersion != null && e.Version != ifVersion)) return Task.FromResult(false);
            return Task.FromResult(_objects.Remove(key));
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoreEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoreKeys.ValidatePrefix(prefix);
        List<StoreEntry> snapshot;
        lock (_lock)
        {
            snapshot = _objects.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(kv => new StoreEntry(kv.Key, kv.Value.Content.Length, kv.Value.LastModified)).ToList();
        }
        foreach (var e in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return e;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    private string NewVersion() => "v" + Interlocked.Increment(ref _nextVersion);

    private void Put(string key, byte[] content)
    {
        lock (_lock) _objects[key] = new Entry(content, NewVersion(), DateTimeOffset.UtcNow);
    }

    /// <summary>Buffers the bytes; the commit stores them whole.</summary>
    private sealed class MemoryUpload(InMemoryStore store, string key) : StoreUpload
    {
        private readonly MemoryStream _buffer = new();
        private bool _committed;

        public override Task CommitAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_committed) store.Put(key, _buffer.ToArray());
            _committed = true;
            return Task.CompletedTask;
        }

        public override void Flush() { }
        public override void Write(byte[] buffer, int offset, int count) => _buffer.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => _buffer.Write(buffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _buffer.Dispose();
            base.Dispose(disposing);
        }
    }
}
