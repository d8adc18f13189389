using Amazon.S3;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>The store contract on S3, against s3rver: each test in a fresh prefix of one bucket. s3rver
/// ignores If-None-Match, so here the conditional cases check that the probe reported it.</summary>
public sealed class S3StoreContractTests : StoreContractTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    private static readonly Lazy<Task> Bucket = new(() => CreateBucketAsync("contract"));

    /// <inheritdoc/>
    protected override bool HonoursConditionalWrites => false;

    /// <inheritdoc/>
    protected override async Task<IRepositoryStore> OpenEmptyStoreAsync()
    {
        await Bucket.Value;
        var address = RepositoryAddress.Parse($"s3://contract/{Guid.NewGuid():N}/repo");
        return await StoreFactory.OpenForWritingAsync(address, S3rver.StoreEnvironment(), CancellationToken.None);
    }

    /// <summary>Creates a bucket on the emulator (DbBackup itself never creates one).</summary>
    internal static async Task CreateBucketAsync(string name)
    {
        using var client = new AmazonS3Client(S3rver.AccessKeyId, S3rver.SecretAccessKey, new AmazonS3Config { ServiceURL = S3rver.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        try { await client.PutBucketAsync(name); }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists") { }
    }
}
