using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>A streaming S3 read whose connection drops mid-body asks for the rest and returns every
/// byte once, in order (the SDK's retries end when the headers arrive).</summary>
public sealed class S3ReadResumeTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    [StoreFact]
    public async Task A_read_cut_mid_body_resumes_from_where_it_stopped_and_returns_the_whole_object()
    {
        await S3StoreContractTests.CreateBucketAsync("resume");
        var address = RepositoryAddress.Parse($"s3://resume/{Guid.NewGuid():N}");
        var payload = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(payload);
        var direct = StoreFactory.Open(address, S3rver.StoreEnvironment());
        await direct.TryWriteAsync("payload", payload, WriteCondition.None, CancellationToken.None);

        await using var proxy = new CuttingProxy(new Uri(S3rver.Endpoint), cutAfterBytes: 1024 * 1024);
        var environment = S3rver.StoreEnvironment();
        var proxied = StoreFactory.Open(address, name => name == "AWS_ENDPOINT_URL_S3" ? proxy.Endpoint : environment(name));
        await using var read = await proxied.OpenReadAsync("payload", CancellationToken.None);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);

        Assert.Equal(payload, copy.ToArray());
        Assert.True(proxy.Connections >= 2, "the first connection was not cut, so nothing was resumed");
    }
}
