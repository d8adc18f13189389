using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>A repository in a local folder, byte for byte the layout DbBackup has always written
/// (README "Repository format"): folders 0700 and files 0600 on Unix (<see cref="SecureFiles"/>), whole
/// objects written atomically (temp file "&lt;name&gt;.&lt;pid&gt;.&lt;8 hex&gt;.tmp", fsync, rename),
/// IfAbsent as an exclusive create, IfVersion as a compare-and-swap under the object's OS lock
/// (locks/records/&lt;id&gt;.lock for records, as before), the activity log appended under an exclusive
/// flock, and the leftovers of killed writers removed by listings and writes. The version of an object
/// is the SHA-256 of its bytes. Every writer is on this host (<see cref="StoreFeatures.SameHostOnly"/>),
/// so a holder's pid can be checked.</summary>
public sealed class LocalFolderStore : IRepositoryStore
{
    /// <summary>A store over the folder <paramref name="root"/> (made absolute; created on the first write).</summary>
    public LocalFolderStore(string root) => Root = Path.GetFullPath(root);

    /// <summary>The folder's full path.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public string Location => Root;

    /// <inheritdoc/>
    public StoreFeatures Features { get; } = new(ConditionalWrites: true, Appends: true, SameHostOnly: true);

    /// <summary>How long a conditional write waits for the object's lock before giving up with
    /// <see cref="StoreErrors.Busy"/> (a holder stopped mid-write, e.g. by SIGSTOP).</summary>
    internal static TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The file system refused this user: the same StoreAccessDenied as an object store's refusal
    /// (so the engine treats a read-only group member as it treats a read-and-list SAS).</summary>
    private DbBackupException Denied(Exception e, string key, StoreRight right)
        => StoreFailures.LocalAccessDenied(Root, key, right, e);

    /// <summary>The file that holds <paramref name="key"/>. For the local layer only (scratch folders
    /// beside a record, messages naming the file): the engine itself never opens it.</summary>
    public string PathOf(string key)
        => Path.Combine(Root, StoreKeys.Validate(key).Replace('/', Path.DirectorySeparatorChar));

    /// <inheritdoc/>
    public Task<StoredObject?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        // A record's read removes its killed writers' leftovers, as listings always have.
        if (RecordIdOf(key) != null)
        {
            SecureFiles.RemoveDeadTempFiles(path);
            RemoveAbandonedTrash(Path.GetDirectoryName(path)!);
        }
        try
        {
            using var fs = LocalFiles.OpenShared(path);
            var bytes = new byte[fs.Length];
            fs.ReadExactly(bytes);
            return Task.FromResult<StoredObject?>(new StoredObject(bytes, VersionOf(bytes), File.GetLastWriteTimeUtc(fs.SafeFileHandle)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<StoredObject?>(null);
        }
        catch (UnauthorizedAccessException e) { throw Denied(e, key, StoreRight.Read); }
    }

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
    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try { return Task.FromResult<Stream>(LocalFiles.OpenShared(PathOf(key))); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw StoreErrors.NotFound(Location, key);
        }
        catch (UnauthorizedAccessException e) { throw Denied(e, key, StoreRight.Read); }
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

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try { return Task.FromResult(Delete(key, ifVersion)); }
        catch (UnauthorizedAccessException e) { throw Denied(e, key, StoreRight.Delete); }
    }

    private bool Delete(string key, string? ifVersion)
    {
        var path = PathOf(key);
        bool deleted;
        if (ifVersion == null) deleted = LocalFiles.Delete(path);
        else
        {
            using var held = HoldLock(key);
            deleted = File.Exists(path) && CurrentVersion(path) == ifVersion && LocalFiles.Delete(path);
        }
        if (deleted)
        {
            // A removed record also loses its lock file, as the old folder delete did.
            if (RecordIdOf(key) is { } id) LocalFiles.Delete(RecordLockPath(id));
            LocalFiles.RemoveEmptyFolders(Path.GetDirectoryName(path)!, Root);
        }
        return deleted;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoreEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoreKeys.ValidatePrefix(prefix);
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? Root : Path.Combine(Root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(folder)) yield break;
        var entries = new List<StoreEntry>();
        using (var walk = new LocalWalk(folder))
        {
            while (walk.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (file, size, modified) = walk.Current;
                var key = Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                if (SecureFiles.IsTempFile(file))
                {
                    SecureFiles.RemoveIfDeadTempFile(file);
                    continue;
                }
                entries.Add(new StoreEntry(key, size, modified));
            }
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var e in entries)
        {
            yield return e;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        StoreKeys.ValidatePrefix(prefix);
        if (!prefix.EndsWith('/')) throw new ArgumentException($"A prefix to delete names a folder and ends with '/'; got '{prefix}'.", nameof(prefix));
        var folder = PathOf(prefix.TrimEnd('/'));
        // First renamed aside in one step (readers see all of it or none of it, as the old folder
        // delete did), then deleted whole: a stopped writer's temp files go with it (it keeps writing
        // into unlinked files if it resumes).
        var trash = Path.Combine(Path.GetDirectoryName(folder)!, "." + Path.GetFileName(folder) + TrashMark + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        try { Directory.Move(folder, trash); }
        catch (DirectoryNotFoundException) { return; }
        catch (UnauthorizedAccessException e) { throw Denied(e, prefix, StoreRight.Delete); }
        // .NET reports a refused rename as an IOException carrying errno (EACCES 13, EPERM 1).
        catch (IOException e) when (!OperatingSystem.IsWindows() && e.HResult is 13 or 1) { throw Denied(e, prefix, StoreRight.Delete); }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(trash, recursive: true);
                break;
            }
            catch (DirectoryNotFoundException) { break; }
            catch (IOException) when (attempt < 5) { Thread.Sleep(20); } // a resumed writer created a file meanwhile
        }
        var parts = prefix.Split('/');
        if (parts.Length == 3 && parts[0] is "backups" or "restores" && Ids.IsValid(parts[1])) LocalFiles.Delete(RecordLockPath(parts[1]));
        LocalFiles.RemoveEmptyFolders(Path.GetDirectoryName(folder)!, Root);
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoreKeys.ValidatePrefix(prefix);
        if (prefix.Length > 0 && !prefix.EndsWith('/')) yield break;
        var folder = prefix.Length == 0 ? Root : PathOf(prefix.TrimEnd('/'));
        List<string> names;
        RemoveAbandonedTrash(folder);
        try { names = Directory.EnumerateDirectories(folder).Select(d => Path.GetFileName(d)).ToList(); }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException) { yield break; }
        // A repository this user may not read is not an empty one.
        catch (UnauthorizedAccessException e) { throw Denied(e, prefix, StoreRight.List); }
        names.Sort(string.CompareOrdinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    /// <summary>Marks a folder renamed aside to be deleted: ".&lt;name&gt;.deleting-&lt;pid&gt;-&lt;8 hex&gt;"
    /// (before 2026-11-26 without the pid).</summary>
    private const string TrashMark = ".deleting-";

    /// <summary>A dead deleter's folder is removed this long after it last changed.</summary>
    private static readonly TimeSpan TrashGrace = TimeSpan.FromMinutes(1);

    /// <summary>Deletes the folders renamed aside under <paramref name="folder"/> by a remove, prune or
    /// stale clean-up that was killed before it finished (whole backups' payloads, which would
    /// otherwise stay on disk unlisted for ever): those whose deleter is gone, or that are older than
    /// <see cref="SecureFiles.TempMaxAge"/>. Best effort.</summary>
    private static void RemoveAbandonedTrash(string folder)
    {
        List<string> trash;
        try { trash = Directory.EnumerateDirectories(folder, "." + "*" + TrashMark + "*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var dir in trash)
        {
            var tail = dir[(dir.LastIndexOf(TrashMark, StringComparison.Ordinal) + TrashMark.Length)..];
            var dash = tail.IndexOf('-');
            var deleterGone = dash > 0 && int.TryParse(tail[..dash], out var pid) && pid != Environment.ProcessId && !Operations.ProcessLiveness.IsAlive(pid);
            var age = DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir);
            if ((!deleterGone || age <= TrashGrace) && age <= SecureFiles.TempMaxAge) continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>The version token of some bytes: their SHA-256.</summary>
    private static string VersionOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string? CurrentVersion(string path)
    {
        try
        {
            using var fs = LocalFiles.OpenShared(path);
            return Convert.ToHexStringLower(SHA256.HashData(fs));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }

    /// <summary>The OS lock that serialises conditional writes of one key: for a manifest or restore
    /// record the very file older DbBackup versions lock (so both can share a repository), for any
    /// other key a file named after the key beside them.</summary>
    private RecordLock HoldLock(string key)
    {
        var path = RecordIdOf(key) is { } id ? RecordLockPath(id) : Path.Combine(Root, "locks", "records", key.Replace('/', '~') + ".lock");
        SecureFiles.CreateFolder(Path.GetDirectoryName(path)!);
        return RecordLock.TryAcquire(path, LockTimeout) ?? throw StoreErrors.Busy(Location, key);
    }

    private string RecordLockPath(string id) => Path.Combine(Root, "locks", "records", id + ".lock");

    /// <summary>The id of a record key ("backups/&lt;id&gt;/manifest.json", "restores/&lt;id&gt;/record.json"), else null.</summary>
    private static string? RecordIdOf(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 3) return null;
        return (parts[0], parts[2]) is ("backups", "manifest.json") or ("restores", "record.json") && Ids.IsValid(parts[1]) ? parts[1] : null;
    }
}
