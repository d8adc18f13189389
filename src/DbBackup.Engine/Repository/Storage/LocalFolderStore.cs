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
public sealed partial class LocalFolderStore : IRepositoryStore
{
    /// <summary>A store over the folder <paramref name="root"/> (made absolute; created on the first write).</summary>
    public LocalFolderStore(string root) => Root = Path.GetFullPath(root);

    /// <summary>The folder's full path.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public string Location => Root;

    /// <inheritdoc/>
    public StoreFeatures Features { get; } = new(ConditionalWrites: true, Appends: true, SameHostOnly: true);

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
}
