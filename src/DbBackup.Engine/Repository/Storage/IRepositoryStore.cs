using System.Runtime.CompilerServices;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>Every byte of one repository, under keys that are relative paths with forward slashes
/// ("repository.json", "backups/&lt;id&gt;/manifest.json", "backups/&lt;id&gt;/data/0001.copy.gz").
/// A driver is a handful of operations (pgBackRest's storage drivers and WAL-G's Folder are the
/// models); everything above it — records, locks, the activity log, payloads, the catalog — is
/// written once against this interface. Drivers: local folder, Azure Blob, S3, in-memory (tests).
/// Keys never start with '/', never contain "..", and are compared ordinally.</summary>
public interface IRepositoryStore
{
    /// <summary>Where the store is, for messages and records (never holds a credential).</summary>
    string Location { get; }

    /// <summary>What this store guarantees (probed where it cannot be known in advance).</summary>
    StoreFeatures Features { get; }

    /// <summary>Reads a whole small object (records, locks, settings) with its version, or null when
    /// there is none.</summary>
    Task<StoredObject?> TryReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes a whole small object if <paramref name="condition"/> holds at the moment of the
    /// write (atomically: readers see the old or the new bytes, never a mix). Returns the new version,
    /// or null when the condition failed and nothing was written.</summary>
    Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken cancellationToken);

    /// <summary>Opens an object for streaming reads. Throws <see cref="StoreErrors.NotFound"/>
    /// when it does not exist.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Starts a streaming write of a new object (payload files: block / multipart upload on
    /// object stores, a temporary file renamed into place locally). The object becomes visible only
    /// when <see cref="StoreUpload.CommitAsync"/> completes; disposing an upload that was not committed
    /// abandons it and leaves nothing visible.</summary>
    Task<StoreUpload> CreateAsync(string key, CancellationToken cancellationToken);

    /// <summary>Appends bytes to an append-only object, creating it when missing. Only when
    /// <see cref="StoreFeatures.Appends"/>; concurrent appends never interleave within one call.</summary>
    Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Deletes an object; with <paramref name="ifVersion"/> only while it is still that version.
    /// Returns false when it was already gone or had changed.</summary>
    Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken);

    /// <summary>Objects whose key starts with <paramref name="prefix"/>, in ordinal key order.</summary>
    IAsyncEnumerable<StoreEntry> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes everything under <paramref name="prefix"/> (which ends with '/'), including, where the
    /// store can, uploads still in progress there (a local folder's temp files of a writer that was
    /// stopped, not killed: a fenced worker's; on Azure the blocks a killed worker staged, on S3 its multipart
    /// uploads where the store lists them). This default deletes each listed object; a driver may override it.</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => StorePrefixDeletion.DeleteListedAsync(this, prefix, cancellationToken);

    /// <summary>The "folders" directly under <paramref name="prefix"/> (which ends with '/'): the distinct
    /// next key segments of the objects below it that have a '/' after that segment, in ordinal order
    /// (S3 ListObjectsV2 with Delimiter "/" → CommonPrefixes; Azure GetBlobsByHierarchy; a local folder's
    /// subfolders, which may be empty). The engine finds its records this way without listing every
    /// payload object (10,000 backups hold some 50,000 objects). This default lists everything under the
    /// prefix; a driver overrides it with its store's delimiter listing.</summary>
    async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? last = null;
        await foreach (var e in ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var rest = e.Key[prefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash <= 0) continue;
            var folder = rest[..slash];
            if (folder == last) continue;
            last = folder;
            yield return folder;
        }
    }

    /// <summary>The folders of <see cref="ListFoldersAsync(string, CancellationToken)"/> that are in
    /// <paramref name="range"/>, so a caller can list a big folder in parts at once (the catalog does, by
    /// record month, on object stores). This default filters the whole listing (local folders, where one
    /// listing is cheapest); Azure and S3 ask the store for the range alone.</summary>
    async IAsyncEnumerable<string> ListFoldersAsync(string prefix, FolderRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var name in ListFoldersAsync(prefix, cancellationToken).ConfigureAwait(false))
            if (range.Contains(name)) yield return name;
    }
}
