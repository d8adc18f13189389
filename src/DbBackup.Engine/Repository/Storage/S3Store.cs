using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>A repository in an S3 bucket (or an S3-compatible store) under a prefix. Small objects are
/// single PutObject calls with <c>If-None-Match: *</c> / <c>If-Match</c> (honoured by AWS S3 and MinIO,
/// ignored by some emulators: the probe finds out); payloads are multipart uploads
/// (<see cref="S3MultipartUpload"/>). S3 has no append, so the activity log needs one object per entry.</summary>
public sealed class S3Store : IRepositoryStore, IProbedStore
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly S3Errors _errors;
    private readonly bool _compatible;

    /// <summary>Opens the bucket of <paramref name="address"/> with credentials from
    /// <paramref name="environment"/> (see <see cref="S3ClientFactory"/>). Does no I/O.</summary>
    public S3Store(RepositoryAddress address, Func<string, string?>? environment = null)
    {
        if (address.Kind != RepositoryStoreKind.S3) throw new ArgumentException("not an S3 address", nameof(address));
        _bucket = address.Container!;
        _prefix = address.Prefix;
        Location = address.Location;
        (_client, var source, _compatible) = S3ClientFactory.Create(environment ?? Environment.GetEnvironmentVariable);
        _errors = new S3Errors(Location, _bucket, source);
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    /// <remarks>Conditional writes are assumed absent until the probe has shown them.</remarks>
    public StoreFeatures Features { get; private set; } = new(ConditionalWrites: false, Appends: false, SameHostOnly: false);

    void IProbedStore.SetConditionalWrites(bool honoured)
    {
        Features = Features with { ConditionalWrites = honoured };
        _conditionsIgnored = !honoured;
    }

    /// <summary>Set once the probe found that the store ignores If-None-Match / If-Match: conditions are
    /// then checked by reading first (never before the probe, whose own second create must reach the store).</summary>
    private bool _conditionsIgnored;

    /// <inheritdoc/>
    /// <remarks>A body that breaks after the headers is read again whole (<see cref="S3BodyRetries"/>).</remarks>
    public async Task<StoredObject?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            GetObjectResponse response;
            try { response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (S3Errors.IsMissing(e, orBucket: true)) { return null; }
            catch (Exception e) when (S3BodyRetries.IsTornAnswer(e) && attempt < S3BodyRetries.MaxRetries && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(S3BodyRetries.Delay(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Read); }
            var content = new MemoryStream(checked((int)Math.Max(0, response.ContentLength)));
            try
            {
                using (response)
                {
                    await response.ResponseStream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
                    if (content.Length != response.ContentLength) throw new IOException($"the body ended at {content.Length} of {response.ContentLength} bytes");
                    return new StoredObject(content.ToArray(), response.ETag, response.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.UtcNow);
                }
            }
            catch (Exception e) when (S3BodyRetries.IsBodyFault(e) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt == S3BodyRetries.MaxRetries) throw S3BodyRetries.GaveUp(Location, key, content.Length, e);
            }
            await Task.Delay(S3BodyRetries.Delay(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(content.ToArray(), writable: false);
        var request = new PutObjectRequest { BucketName = _bucket, Key = _prefix + key, InputStream = body, AutoCloseStream = false, UseChunkEncoding = !_compatible };
        if (condition.Kind == WriteConditionKind.IfAbsent) request.IfNoneMatch = "*";
        if (condition.Kind == WriteConditionKind.IfVersion) request.IfMatch = condition.Version;
        try
        {
            // A store that ignores the condition would let a second start overwrite a running operation's
            // lock. Reading first stops every start that comes after another; two at the same instant can
            // still both pass, which the probe's warning says.
            if (_conditionsIgnored && condition.Kind != WriteConditionKind.None && !await ConditionHoldsAsync(key, condition, cancellationToken).ConfigureAwait(false))
                return null;
            return (await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false)).ETag;
        }
        catch (Exception e) when (S3Errors.IsConditionFailed(e) || (condition.Kind == WriteConditionKind.IfVersion && S3Errors.IsMissing(e))) { return null; }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Write); }
    }

    private async Task<bool> ConditionHoldsAsync(string key, WriteCondition condition, CancellationToken cancellationToken)
    {
        string? etag;
        try { etag = (await _client.GetObjectMetadataAsync(_bucket, _prefix + key, cancellationToken).ConfigureAwait(false)).ETag; }
        catch (Exception e) when (S3Errors.IsMissing(e)) { etag = null; }
        return condition.Kind == WriteConditionKind.IfAbsent ? etag is null : etag == condition.Version;
    }

    /// <inheritdoc/>
    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await S3ReadStream.OpenAsync(_client, _bucket, _prefix + key, key, _errors, Location, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.IsMissing(e, orBucket: true)) { throw StoreErrors.NotFound(Location, key); }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Read); }
    }

    /// <inheritdoc/>
    public Task<StoreUpload> CreateAsync(string key, CancellationToken cancellationToken)
        => Task.FromResult<StoreUpload>(new S3MultipartUpload(_client, _bucket, _prefix + key, key, _errors, useChunkEncoding: !_compatible));

    /// <inheritdoc/>
    public Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        => throw new NotSupportedException($"S3 has no append (the repository at {Location}): write one object per entry instead.");

    /// <inheritdoc/>
    /// <remarks>S3 answers a delete of a missing key with success, so a HEAD says first whether it is
    /// there (and which version); where conditional writes work the delete itself carries If-Match.</remarks>
    public async Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken)
    {
        try
        {
            string etag;
            try { etag = (await _client.GetObjectMetadataAsync(_bucket, _prefix + key, cancellationToken).ConfigureAwait(false)).ETag; }
            catch (Exception e) when (S3Errors.IsMissing(e, orBucket: true)) { return false; }
            if (ifVersion is not null && etag != ifVersion) return false;
            var request = new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + key };
            if (ifVersion is not null && Features.ConditionalWrites) request.IfMatch = ifVersion;
            await _client.DeleteObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (S3Errors.IsConditionFailed(e) || S3Errors.IsMissing(e)) { return false; }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, key, StoreRight.Delete); }
    }

    /// <inheritdoc/>
    /// <remarks>Also aborts the multipart uploads left there by a worker killed mid-upload, where the store
    /// lists them (<see cref="S3IncompleteUploads"/>).</remarks>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        await StorePrefixDeletion.DeleteListedAsync(this, prefix, cancellationToken).ConfigureAwait(false);
        await StorePrefixDeletion.DiscardLeftoversAsync(t => S3IncompleteUploads.AbortUnderAsync(_client, _bucket, _prefix + prefix, t), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoreEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keys come in UTF-8 byte order, at most 1,000 a page.
        var request = new ListObjectsRequest { BucketName = _bucket, Prefix = _prefix + prefix, MaxKeys = 1000 };
        await foreach (var page in PagesAsync(request, prefix, cancellationToken).ConfigureAwait(false))
            foreach (var item in page.S3Objects ?? [])
                yield return new StoreEntry(item.Key[_prefix.Length..], item.Size ?? 0, item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Delimiter "/" returns each folder once as a CommonPrefix, not the objects below it.
        var full = _prefix + prefix;
        var request = new ListObjectsRequest { BucketName = _bucket, Prefix = full, Delimiter = "/", MaxKeys = 1000 };
        await foreach (var page in PagesAsync(request, prefix, cancellationToken).ConfigureAwait(false))
            foreach (var folder in page.CommonPrefixes ?? [])
                if (folder.Length > full.Length + 1) yield return folder[full.Length..^1];
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, FolderRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The store's own prefix, and a Marker just below From (keys after it: every object of a folder in
        // the range sorts after From, which holds no '/'), ended here at Before.
        var full = _prefix + prefix;
        var request = new ListObjectsRequest { BucketName = _bucket, Prefix = full + range.NamePrefix, Delimiter = "/", MaxKeys = range.Before is null ? 1000 : 50 };
        if (range.From is not null) request.Marker = full + range.From;
        await foreach (var page in PagesAsync(request, prefix, cancellationToken).ConfigureAwait(false))
        {
            request.MaxKeys = 1000;
            foreach (var folder in page.CommonPrefixes ?? [])
            {
                if (folder.Length <= full.Length + 1) continue;
                var segment = folder[full.Length..];
                if (range.IsPast(segment)) yield break;
                if (!range.IsBelow(segment)) yield return segment[..^1];
            }
        }
    }

    /// <summary>Every page of one listing, with the store's error mapping; a missing bucket lists as empty.
    /// ListObjects (version 1, paged by marker) rather than V2: every S3-compatible store serves it, while
    /// V2's continuation tokens fail on some (s3rver on Node 20 and later). A page continues after its
    /// NextMarker, or, where a store omits it (always without a delimiter), after the last name it returned.</summary>
    private async IAsyncEnumerable<ListObjectsResponse> PagesAsync(ListObjectsRequest request, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            ListObjectsResponse page;
            try { page = await _client.ListObjectsAsync(request, cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (S3Errors.IsMissing(e, orBucket: true)) { yield break; }
            catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, prefix, StoreRight.List); }
            yield return page;
            var next = page.NextMarker;
            if (string.IsNullOrEmpty(next))
                next = new[] { page.CommonPrefixes?.LastOrDefault(), page.S3Objects?.LastOrDefault()?.Key }.Where(k => k != null).Max(StringComparer.Ordinal);
            if (page.IsTruncated != true || string.IsNullOrEmpty(next)) yield break;
            request.Marker = next;
        }
    }
}
