using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>The multipart uploads a worker killed mid-upload left under a prefix: invisible to every
/// object listing, yet stored (and billed) until aborted or a bucket lifecycle rule expires them.</summary>
internal static class S3IncompleteUploads
{
    /// <summary>Aborts every multipart upload whose key starts with <paramref name="fullPrefix"/> (bucket
    /// key, the store's own prefix included). Best effort: a store without ListMultipartUploads (s3rver
    /// answers NotImplemented) or a credential without s3:ListBucketMultipartUploads leaves them to the
    /// lifecycle rule, and never fails the removal whose objects are already gone.</summary>
    public static async Task AbortUnderAsync(IAmazonS3 client, string bucket, string fullPrefix, CancellationToken cancellationToken)
    {
        var request = new ListMultipartUploadsRequest { BucketName = bucket, Prefix = fullPrefix };
        try
        {
            while (true)
            {
                var page = await client.ListMultipartUploadsAsync(request, cancellationToken).ConfigureAwait(false);
                foreach (var upload in page.MultipartUploads ?? [])
                    await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = upload.Key, UploadId = upload.UploadId }, cancellationToken).ConfigureAwait(false);
                if (page.IsTruncated != true) return;
                request.KeyMarker = page.NextKeyMarker;
                request.UploadIdMarker = page.NextUploadIdMarker;
            }
        }
        catch (AmazonServiceException) { }
    }
}
