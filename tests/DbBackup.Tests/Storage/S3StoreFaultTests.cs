using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>The fault tests with the repository in S3 (s3rver), reached through the proxy by
/// AWS_ENDPOINT_URL_S3.</summary>
public sealed class S3StoreFaultTests : StoreFaultTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    private const string Bucket = "faults";

    /// <summary>Before the body: s3rver writes an object's file in place as the body arrives, so the part of
    /// a body it received on the reset connection races the retry's write of the same file and can leave a
    /// torn object (an emulator defect: AWS S3 and MinIO never make an aborted PUT visible). Resetting
    /// before the body still makes the SDK retry the upload.</summary>
    protected override long UploadResetAfterBytes => 0;

    protected override Uri StoreEndpoint => new(S3rver.Endpoint);

    protected override async Task<string> NewRepositoryAsync()
    {
        await S3StoreContractTests.CreateBucketAsync(Bucket);
        return $"s3://{Bucket}/{Guid.NewGuid():N}";
    }

    protected override Dictionary<string, string?> StoreEnvironment(string endpoint) => new()
    {
        ["AWS_ENDPOINT_URL_S3"] = endpoint,
        ["AWS_ACCESS_KEY_ID"] = S3rver.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = S3rver.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
    };

    protected override Task<List<string>> KeysAsync(string repository, string prefix) => S3rver.RepositoryKeysAsync(Bucket, repository, prefix);
}
