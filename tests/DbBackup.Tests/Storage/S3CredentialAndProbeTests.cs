using DbBackup.Engine;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>S3 credentials from the standard variables, and the conditional-write probe, against s3rver
/// (which ignores If-None-Match: the probe must find that out, leave nothing behind, and the engine gets
/// a warning that says what is lost).</summary>
public sealed class S3CredentialAndProbeTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    private static readonly Lazy<Task> Bucket = new(() => S3StoreContractTests.CreateBucketAsync("probe"));
    private static CancellationToken None => CancellationToken.None;

    [StoreFact]
    public async Task The_probe_finds_that_s3rver_ignores_conditional_writes_and_leaves_no_probe_object()
    {
        await Bucket.Value;
        var address = RepositoryAddress.Parse($"s3://probe/{Guid.NewGuid():N}");
        var opened = StoreFactory.Open(address, S3rver.StoreEnvironment());
        Assert.False(opened.Features.ConditionalWrites); // unknown until probed: assumed absent

        var store = await StoreFactory.OpenForWritingAsync(address, S3rver.StoreEnvironment(), None);

        Assert.False(store.Features.ConditionalWrites);
        Assert.False(store.Features.Appends);
        await foreach (var entry in store.ListAsync("", None)) Assert.Fail($"the probe left {entry.Key}");
        var warning = ConditionalWriteProbe.UnavailableWarning(store.Location);
        Assert.StartsWith("Cross-host locking is unavailable on this store: s3://probe/", warning, StringComparison.Ordinal);
        Assert.Contains("from one host", warning, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_refused_access_key_fails_naming_the_variables_and_never_the_secret()
    {
        // s3rver checks the key id, not SigV4 signatures, so the refusal here is InvalidAccessKeyId.
        await Bucket.Value;
        var secret = "WRONG-" + Guid.NewGuid().ToString("N");
        var store = StoreFactory.Open(RepositoryAddress.Parse("s3://probe/x"), S3rver.StoreEnvironment(accessKeyId: "AKIAWRONGKEY", secret: secret));

        var error = await Assert.ThrowsAsync<DbBackupException>(() => store.TryWriteAsync("k", "x"u8.ToArray(), WriteCondition.None, None));

        Assert.Equal(("StoreAuthenticationFailed", ErrorKind.AuthenticationError), (error.ErrorId, error.Kind));
        Assert.Contains("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", error.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidAccessKeyId", error.Message, StringComparison.Ordinal);
        AzureCredentialTests.AssertSecretAbsent(error, secret);
    }

    [StoreFact]
    public async Task A_write_into_a_bucket_that_does_not_exist_says_so_and_a_read_finds_an_empty_repository()
    {
        var address = RepositoryAddress.Parse($"s3://missing-{Guid.NewGuid():N}/repo");
        var store = StoreFactory.Open(address, S3rver.StoreEnvironment());

        Assert.Null(await store.TryReadAsync("repository.json", None));
        await foreach (var entry in store.ListAsync("", None)) Assert.Fail($"listed {entry.Key}");
        var error = await Assert.ThrowsAsync<DbBackupException>(() => store.TryWriteAsync("repository.json", "{}"u8.ToArray(), WriteCondition.None, None));
        Assert.Equal("StoreContainerNotFound", error.ErrorId);
        Assert.Contains(address.Container!, error.Message, StringComparison.Ordinal);
        Assert.Contains($"aws s3 mb s3://{address.Container}", error.Message, StringComparison.Ordinal);
    }
}
