using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>Restore-history retention with the repository in S3 (s3rver).</summary>
public sealed class S3RestoreHistoryTests : RestoreHistoryRetentionTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    private const string Bucket = "restorehistory";

    protected override BackupRepository NewRepository()
    {
        S3StoreContractTests.CreateBucketAsync(Bucket).GetAwaiter().GetResult();
        return new BackupRepository(StoreFactory.Open(RepositoryAddress.Parse($"s3://{Bucket}/{Guid.NewGuid():N}"), S3rver.StoreEnvironment()));
    }
}
