using Amazon.S3;
using Amazon.S3.Model;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>An S3 object written as a multipart upload, started only once a first full part exists: a
/// smaller object is one PutObject at the commit. A multipart upload is invisible until
/// CompleteMultipartUpload and is aborted when disposed without a commit (a bucket lifecycle rule
/// "abort incomplete multipart uploads" catches a process killed before that).</summary>
internal sealed class S3MultipartUpload(IAmazonS3 client, string bucket, string objectKey, string key, S3Errors errors, bool useChunkEncoding) : PartBufferedUpload
{
    private readonly List<PartETag> _parts = [];
    private Task<string>? _uploadId;

    protected override string Key => key;

    protected override async Task SendPartAsync(int partNumber, ArraySegment<byte> part, CancellationToken cancellationToken)
    {
        try
        {
            // Started by the first part before its first await, so parts sent together share one upload.
            _uploadId ??= InitiateAsync(cancellationToken);
            var uploadId = await _uploadId.ConfigureAwait(false);
            using var content = PartStream(part);
            var response = await client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = objectKey, UploadId = uploadId, PartNumber = partNumber, InputStream = content, PartSize = part.Count, UseChunkEncoding = useChunkEncoding,
            }, cancellationToken).ConfigureAwait(false);
            lock (_parts) _parts.Add(new PartETag(partNumber, response.ETag));
        }
        catch (Exception e) when (errors.Maps(e)) { throw errors.Map(e, key, StoreRight.Write); }
    }

    protected override async Task CompleteAsync(int partNumber, ArraySegment<byte> lastPart, CancellationToken cancellationToken)
    {
        try
        {
            if (_uploadId is null)
            {
                using var content = PartStream(lastPart);
                await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = objectKey, InputStream = content, AutoCloseStream = false, UseChunkEncoding = useChunkEncoding }, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (lastPart.Count > 0) await SendPartAsync(partNumber, lastPart, cancellationToken).ConfigureAwait(false);
            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket, Key = objectKey, UploadId = await _uploadId.ConfigureAwait(false), PartETags = _parts.OrderBy(p => p.PartNumber).ToList(),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (errors.Maps(e)) { throw errors.Map(e, key, StoreRight.Write); }
    }

    protected override async Task AbortAsync()
    {
        if (_uploadId is null) return;
        await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = objectKey, UploadId = await _uploadId.ConfigureAwait(false) }).ConfigureAwait(false);
    }

    private async Task<string> InitiateAsync(CancellationToken cancellationToken)
        => (await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = objectKey }, cancellationToken).ConfigureAwait(false)).UploadId;
}
