using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>A repository in an Azure Blob container under a prefix. Small objects are single Put Blob
/// calls (atomic) with <c>If-None-Match: *</c> / <c>If-Match</c>; payloads are block blobs staged block
/// by block and committed at the end (<see cref="AzureBlockUpload"/>); the activity log is an append
/// blob. Azure honours conditional writes, which the probe confirms when the store is opened for writing.</summary>
public sealed class AzureBlobStore : IRepositoryStore, IProbedStore
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly AzureErrors _errors;

    /// <summary>Opens the container of <paramref name="address"/> with credentials from
    /// <paramref name="environment"/> (see <see cref="AzureClientFactory"/>). Does no I/O.</summary>
    public AzureBlobStore(RepositoryAddress address, Func<string, string?>? environment = null)
    {
        if (address.Kind != RepositoryStoreKind.Azure) throw new ArgumentException("not an Azure address", nameof(address));
        (_container, var source) = AzureClientFactory.Create(address, environment ?? Environment.GetEnvironmentVariable);
        _prefix = address.Prefix;
        Location = address.Location;
        _errors = new AzureErrors(Location, address.Container!, source);
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public StoreFeatures Features { get; private set; } = new(ConditionalWrites: true, Appends: true, SameHostOnly: false);

    void IProbedStore.SetConditionalWrites(bool honoured) => Features = Features with { ConditionalWrites = honoured };

    /// <inheritdoc/>
    public async Task<StoredObject?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var result = (await Blob(key).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new StoredObject(result.Content.ToArray(), result.Details.ETag.ToString(), result.Details.LastModified);
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Read); }
    }

    /// <inheritdoc/>
    public async Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken cancellationToken)
    {
        var conditions = condition.Kind switch
        {
            WriteConditionKind.IfAbsent => new BlobRequestConditions { IfNoneMatch = ETag.All },
            WriteConditionKind.IfVersion => new BlobRequestConditions { IfMatch = new ETag(condition.Version!) },
            _ => null,
        };
        try
        {
            // One Put Blob (the content is far below the single-upload limit), so the write is atomic.
            var options = new BlobUploadOptions { Conditions = conditions, TransferOptions = new() { InitialTransferSize = 256 * 1024 * 1024, MaximumConcurrency = 1 } };
            var info = await Blob(key).UploadAsync(BinaryData.FromBytes(content), options, cancellationToken).ConfigureAwait(false);
            return info.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 || (e.Status == 404 && e.ErrorCode == BlobErrorCode.BlobNotFound)) { return null; }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Write); }
    }

    /// <inheritdoc/>
    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            // Ranged reads of 4 MiB, each retried by the SDK; allowModifications:false pins the ETag, so a
            // blob replaced mid-read fails instead of mixing two versions.
            var stream = await Blob(key).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 * 1024 * 1024 }, cancellationToken).ConfigureAwait(false);
            return new ErrorMappingReadStream(stream, e => _errors.Maps(e) ? _errors.Map(e, key, StoreRight.Read) : null);
        }
        catch (RequestFailedException e) when (e.Status == 404) { throw StoreErrors.NotFound(Location, key); }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Read); }
    }

    /// <inheritdoc/>
    public Task<StoreUpload> CreateAsync(string key, CancellationToken cancellationToken)
        => Task.FromResult<StoreUpload>(new AzureBlockUpload(_container.GetBlockBlobClient(_prefix + key), key, _errors));

    /// <inheritdoc/>
    public async Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var blob = _container.GetAppendBlobClient(_prefix + key);
        try
        {
            try
            {
                await AppendBlockAsync(blob, content, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.BlobNotFound)
            {
                // First entry: create (If-None-Match: *, so a racing creator's entries are kept), then append.
                await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await AppendBlockAsync(blob, content, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Write); }
    }

    private static async Task AppendBlockAsync(AppendBlobClient blob, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        // One Append Block per call is atomic; an entry is one call, so concurrent entries never interleave.
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        await blob.AppendBlockAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken)
    {
        var conditions = ifVersion is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifVersion) };
        try
        {
            await Blob(key).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { return false; }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Delete); }
    }

    /// <inheritdoc/>
    /// <remarks>Also discards the blocks a worker killed mid-upload staged there (<see cref="AzureUncommittedBlocks"/>).</remarks>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        await StorePrefixDeletion.DeleteListedAsync(this, prefix, cancellationToken).ConfigureAwait(false);
        await StorePrefixDeletion.DiscardLeftoversAsync(t => AzureUncommittedBlocks.DiscardUnderAsync(_container, _prefix + prefix, t), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoreEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Azure lists in UTF-8 byte order, which is ordinal order for the keys the engine writes.
        var listing = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _prefix + prefix }, cancellationToken);
        await foreach (var item in ListingAsync(listing, prefix, cancellationToken).ConfigureAwait(false))
            yield return new StoreEntry(item.Name[_prefix.Length..], item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One hierarchy listing with delimiter "/": a page names up to 5,000 folders, so 10,000 backups
        // are two requests instead of the ten-odd pages of every payload blob under them.
        var full = _prefix + prefix;
        var listing = _container.GetBlobsByHierarchyAsync(new GetBlobsByHierarchyOptions { Prefix = full, Delimiter = "/" }, cancellationToken);
        await foreach (var item in ListingAsync(listing, prefix, cancellationToken).ConfigureAwait(false))
            if (item.IsPrefix && item.Prefix.Length > full.Length + 1) yield return item.Prefix[full.Length..^1];
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, FolderRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The store's own prefix and StartFrom (inclusive: every blob of a folder in the range sorts at or
        // after From), ended here at Before. A bounded range is usually a gap between record months,
        // often empty, so its first page asks for a few names, not 5,000.
        var full = _prefix + prefix;
        var options = new GetBlobsByHierarchyOptions { Prefix = full + range.NamePrefix, Delimiter = "/", StartFrom = range.From is null ? null : full + range.From };
        var listing = _container.GetBlobsByHierarchyAsync(options, cancellationToken);
        await foreach (var item in ListingAsync(listing, prefix, cancellationToken, range.Before is null ? 5000 : 50).ConfigureAwait(false))
        {
            if (!item.IsPrefix || item.Prefix.Length <= full.Length + 1) continue;
            var segment = item.Prefix[full.Length..];
            if (range.IsPast(segment)) yield break;
            if (!range.IsBelow(segment)) yield return segment[..^1];
        }
    }

    /// <summary>The items of one listing, a page (up to 5,000 names, one request; the first one
    /// <paramref name="firstPage"/>) at a time, with the store's error mapping; a container that does
    /// not exist lists as empty, as a missing folder does.</summary>
    private async IAsyncEnumerable<T> ListingAsync<T>(AsyncPageable<T> listing, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken, int firstPage = 5000) where T : notnull
    {
        string? continuation = null;
        for (var size = firstPage; ; size = 5000)
        {
            Page<T> page;
            var pages = listing.AsPages(continuation, size).GetAsyncEnumerator(cancellationToken);
            try
            {
                if (!await pages.MoveNextAsync().ConfigureAwait(false)) yield break;
                page = pages.Current;
            }
            catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.ContainerNotFound) { yield break; }
            catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, prefix, StoreRight.List); }
            finally { await pages.DisposeAsync().ConfigureAwait(false); }
            foreach (var item in page.Values) yield return item;
            continuation = page.ContinuationToken;
            if (string.IsNullOrEmpty(continuation)) yield break;
        }
    }

    private BlobClient Blob(string key) => _container.GetBlobClient(_prefix + key);
}
