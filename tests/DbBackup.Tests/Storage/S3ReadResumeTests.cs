using DbBackup.Engine;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>An S3 read whose connection drops mid-body asks again (a stream for the rest, a whole-object
/// read for all of it) and returns every byte once, in order (the SDK's retries end when the headers arrive).</summary>
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

        await using var proxy = new FaultProxy(new Uri(S3rver.Endpoint));
        proxy.CutResponses(FaultProxy.Request("GET", "/payload"), afterBytes: 1024 * 1024);
        var environment = S3rver.StoreEnvironment();
        var proxied = StoreFactory.Open(address, name => name == "AWS_ENDPOINT_URL_S3" ? proxy.Endpoint : environment(name));
        await using var read = await proxied.OpenReadAsync("payload", CancellationToken.None);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);

        Assert.Equal(payload, copy.ToArray());
        Assert.Equal(1, proxy.Faults);
    }

    [StoreFact]
    public async Task A_whole_object_read_cut_mid_body_is_read_again_and_returns_every_byte()
    {
        await S3StoreContractTests.CreateBucketAsync("resume");
        var address = RepositoryAddress.Parse($"s3://resume/{Guid.NewGuid():N}");
        var record = new byte[300 * 1024];
        new Random(11).NextBytes(record);
        var direct = StoreFactory.Open(address, S3rver.StoreEnvironment());
        await direct.TryWriteAsync("backups/x/manifest.json", record, WriteCondition.None, CancellationToken.None);

        await using var proxy = new FaultProxy(new Uri(S3rver.Endpoint));
        proxy.CutResponses(FaultProxy.Request("GET", "manifest.json"), afterBytes: 64 * 1024);
        var environment = S3rver.StoreEnvironment();
        var proxied = StoreFactory.Open(address, name => name == "AWS_ENDPOINT_URL_S3" ? proxy.Endpoint : environment(name));
        var read = await proxied.TryReadAsync("backups/x/manifest.json", CancellationToken.None);

        Assert.Equal(1, proxy.Faults);
        Assert.Equal(record, read?.Content);
    }

    [StoreFact]
    public async Task A_read_whose_every_answer_is_cut_fails_with_StoreUnavailable_naming_the_repository()
    {
        await S3StoreContractTests.CreateBucketAsync("resume");
        var address = RepositoryAddress.Parse($"s3://resume/{Guid.NewGuid():N}");
        var direct = StoreFactory.Open(address, S3rver.StoreEnvironment());
        await direct.TryWriteAsync("payload", new byte[100_000], WriteCondition.None, CancellationToken.None);

        await using var proxy = new FaultProxy(new Uri(S3rver.Endpoint));
        proxy.CutResponses(FaultProxy.Request("GET", "/payload"), afterBytes: 0, times: int.MaxValue);
        var environment = S3rver.StoreEnvironment();
        var proxied = StoreFactory.Open(address, name => name == "AWS_ENDPOINT_URL_S3" ? proxy.Endpoint : environment(name));
        var e = await Assert.ThrowsAsync<DbBackupException>(async () =>
        {
            await using var read = await proxied.OpenReadAsync("payload", CancellationToken.None);
            await read.CopyToAsync(Stream.Null);
        });

        Assert.Equal("StoreUnavailable", e.ErrorId);
        Assert.Contains(address.Location, e.Message, StringComparison.Ordinal);
        Assert.True(proxy.Faults > 1, "the SDK did not retry");
    }
}
