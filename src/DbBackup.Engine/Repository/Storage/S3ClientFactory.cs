using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>Builds the S3 client of a repository from the standard sources only: the AWS SDK's default
/// credential chain (<c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>/<c>AWS_SESSION_TOKEN</c>, the
/// shared profile (<c>AWS_PROFILE</c>), web identity, container and instance roles), the region from
/// <c>AWS_REGION</c> (or the profile), and for S3-compatible stores the endpoint from
/// <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>, reached path-style.</summary>
internal static class S3ClientFactory
{
    /// <summary>The client, a description of the credential's source for messages, and whether the
    /// endpoint is a custom (S3-compatible) one.</summary>
    public static (IAmazonS3 Client, string CredentialSource, bool CustomEndpoint) Create(Func<string, string?> environment)
    {
        var config = new AmazonS3Config
        {
            // The SDK's standard retry mode: exponential backoff with jitter on throttling, 5xx and
            // network errors, and a retry quota so a dead endpoint fails instead of retrying forever.
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 6,
            Timeout = TimeSpan.FromSeconds(100),
        };
        var endpoint = NonEmpty(environment("AWS_ENDPOINT_URL_S3")) ?? NonEmpty(environment("AWS_ENDPOINT_URL"));
        var region = NonEmpty(environment("AWS_REGION")) ?? NonEmpty(environment("AWS_DEFAULT_REGION"));
        if (endpoint is not null)
        {
            // MinIO, Ceph, s3rver and the like: one host, buckets in the path; the region only names the
            // signing scope. Checksums only where the API requires them: many compatible stores do not
            // understand the SDK's newer trailing-checksum encoding.
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region ?? "us-east-1";
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        // Keys given in the environment are used as the SDK's chain would (it reads the same variables);
        // naming them here lets a caller pass an environment other than the process's own.
        var keyId = NonEmpty(environment("AWS_ACCESS_KEY_ID"));
        var secret = NonEmpty(environment("AWS_SECRET_ACCESS_KEY"));
        var token = NonEmpty(environment("AWS_SESSION_TOKEN"));
        if (keyId is not null && secret is not null)
        {
            AWSCredentials credentials = token is null ? new BasicAWSCredentials(keyId, secret) : new SessionAWSCredentials(keyId, secret, token);
            return (new AmazonS3Client(credentials, config), token is null ? "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN", endpoint is not null);
        }
        var source = NonEmpty(environment("AWS_PROFILE")) is { } profile ? $"AWS profile '{profile}'" : "the AWS default credential chain";
        return (new AmazonS3Client(config), source, endpoint is not null);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
