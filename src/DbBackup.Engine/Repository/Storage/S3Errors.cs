using Amazon.Runtime;
using Amazon.S3;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>Maps what the AWS SDK throws (after its own retries) to the store errors. Never copies the
/// SDK's message.</summary>
internal sealed class S3Errors(string location, string bucket, string credentialSource)
{
    /// <summary>True for the exceptions <see cref="Map"/> translates.
    /// A connection lost mid-request surfaces, once the SDK's retries are spent, as a bare IOException.</summary>
    public bool Maps(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException;

    /// <summary>True when the store answered "no such key" (or, for reads, "no such bucket": a repository
    /// that was never written reads as empty, as a local folder that does not exist does).</summary>
    public static bool IsMissing(Exception e, bool orBucket = false)
        => e is AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.NotFound } s3 && (s3.ErrorCode is "NoSuchKey" or "NotFound" or null || orBucket && s3.ErrorCode == "NoSuchBucket");

    /// <summary>True when a conditional request was refused (412), or lost to a concurrent one (409).</summary>
    public static bool IsConditionFailed(Exception e)
        => e is AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.PreconditionFailed or System.Net.HttpStatusCode.Conflict };

    /// <summary>The store error for <paramref name="e"/> on <paramref name="key"/> while needing <paramref name="right"/>.</summary>
    public DbBackupException Map(Exception e, string key, StoreRight right)
    {
        if (e is AmazonS3Exception s3)
        {
            var status = (int)s3.StatusCode;
            var code = s3.ErrorCode ?? "";
            if (code is "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired")
                return StoreFailures.AuthenticationFailed(location, credentialSource, code, e);
            if (status == 403) return StoreFailures.AccessDenied(location, key, right, credentialSource, code.Length > 0 ? code : "HTTP 403", e);
            if (code == "NoSuchBucket") return StoreFailures.ContainerNotFound(location, bucket, "bucket", e);
            if (status is 408 or 429 or >= 500 || code == "SlowDown") return StoreFailures.Unavailable(location, $"HTTP {status} {code}", e);
            if (status > 0) return StoreFailures.RequestFailed(location, key, status, code, e);
        }
        if (e is AmazonClientException client && client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase))
            return StoreFailures.CredentialsMissing(location,
                "the AWS default credential chain found none: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE, or run with an instance or task role.", e);
        if (e is AmazonClientException regionless && regionless.Message.Contains("RegionEndpoint", StringComparison.Ordinal))
            return StoreFailures.CredentialsMissing(location, "no region: set AWS_REGION (or AWS_ENDPOINT_URL_S3 for an S3-compatible store).", e);
        if (e is IOException) return StoreFailures.Unavailable(location, "the connection to the S3 endpoint kept breaking mid-request", e);
        return StoreFailures.Unavailable(location, e.InnerException is HttpRequestException or System.Net.Sockets.SocketException || e is HttpRequestException ? "no answer from the S3 endpoint" : e.GetType().Name + " (" + e.Message + ")", e);
    }
}
