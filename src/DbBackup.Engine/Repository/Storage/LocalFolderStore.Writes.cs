namespace DbBackup.Engine.Repository.Storage;

// Whole-object writes (atomic temp-file-and-rename, IfAbsent as an exclusive create, IfVersion as a
// compare-and-swap under the key's lock), uploads and appends.
public sealed partial class LocalFolderStore
{
    /// <inheritdoc/>
    public Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try { return Task.FromResult(Write(key, content, condition)); }
        catch (UnauthorizedAccessException e) { throw Denied(e, key, StoreRight.Write); }
        catch (IOException e) when (StoreFailures.IsDiskFull(e)) { throw StoreFailures.DiskFull(PathOf(key), e); }
    }

    private string? Write(string key, ReadOnlyMemory<byte> content, WriteCondition condition)
    {
        var path = PathOf(key);
        var bytes = content.ToArray();
        var version = VersionOf(bytes);
        switch (condition.Kind)
        {
            case WriteConditionKind.IfAbsent:
                try { return LocalFiles.CreateExclusive(path, bytes) ? version : null; }
                catch (Exception) when (RecordIdOf(key) != null)
                {
                    // A record's first write made its folder: one that fails (a full disk) takes the
                    // folder back, or an empty record folder stays for ever (nothing else is in it yet).
                    LocalFiles.RemoveEmptyFolders(Path.GetDirectoryName(path)!, Root);
                    throw;
                }
            case WriteConditionKind.IfVersion:
                using (var held = HoldLock(key))
                {
                    SecureFiles.RemoveDeadTempFiles(path);
                    if (!File.Exists(path) || CurrentVersion(path) != condition.Version) return null;
                    LocalFiles.WriteAtomic(path, bytes);
                    return version;
                }
            default:
                SecureFiles.RemoveDeadTempFiles(path);
                LocalFiles.WriteAtomic(path, bytes);
                return version;
        }
    }

    /// <inheritdoc/>
    public Task<StoreUpload> CreateAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try { return Task.FromResult<StoreUpload>(new LocalUpload(PathOf(key))); }
        catch (UnauthorizedAccessException e) { throw Denied(e, key, StoreRight.Write); }
    }

    /// <inheritdoc/>
    public Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try { LocalFiles.AppendLocked(PathOf(key), content.Span); }
        catch (UnauthorizedAccessException e) { throw Denied(e, key, StoreRight.Write); }
        catch (IOException e) when (StoreFailures.IsDiskFull(e)) { throw StoreFailures.DiskFull(PathOf(key), e); }
        return Task.CompletedTask;
    }
}
