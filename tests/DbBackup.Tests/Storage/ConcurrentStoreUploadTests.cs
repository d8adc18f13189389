using System.Security.Cryptography;
using Azure.Storage.Blobs;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>Several multi-part uploads at once through the process-wide part budget, on Azurite and on
/// s3rver: parts that waited for budget still land in order, and each object reads back byte for byte.</summary>
public sealed class ConcurrentStoreUploadTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason ?? S3rver.SkipReason;

    private const string Place = "uploadbudget";

    [StoreFact]
    public async Task Concurrent_uploads_to_Azurite_read_back_exactly()
    {
        await new BlobContainerClient(Azurite.ConnectionString, Place).CreateIfNotExistsAsync();
        var address = RepositoryAddress.Parse($"azure://{Place}/{Guid.NewGuid():N}");
        var store = StoreFactory.Open(address, n => n == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null);
        await UploadAndCompareAsync(store, PartBufferedUpload.AzureFirstBlockSize);
    }

    [StoreFact]
    public async Task Concurrent_uploads_to_s3rver_read_back_exactly()
    {
        await S3StoreContractTests.CreateBucketAsync(Place);
        var store = StoreFactory.Open(RepositoryAddress.Parse($"s3://{Place}/{Guid.NewGuid():N}"), S3rver.StoreEnvironment());
        await UploadAndCompareAsync(store, PartBufferedUpload.BasePartSize);
    }

    /// <summary>Four uploads of two and a half parts each: more parts at once than the 24 MiB budget holds.</summary>
    private static async Task UploadAndCompareAsync(IRepositoryStore store, int partSize)
    {
        var contents = Enumerable.Range(0, 4).Select(i =>
        {
            var bytes = new byte[partSize * 5 / 2 + i];
            new Random(i).NextBytes(bytes);
            return bytes;
        }).ToList();
        try
        {
            await Task.WhenAll(contents.Select((content, i) => Task.Run(async () =>
            {
                await using var upload = await store.CreateAsync($"objects/{i}", CancellationToken.None);
                for (var offset = 0; offset < content.Length; offset += 65_521)
                    await upload.WriteAsync(content.AsMemory(offset, Math.Min(65_521, content.Length - offset)));
                await upload.CommitAsync(CancellationToken.None);
            })));

            for (var i = 0; i < contents.Count; i++)
            {
                await using var read = await store.OpenReadAsync($"objects/{i}", CancellationToken.None);
                Assert.Equal(SHA256.HashData(contents[i]), await SHA256.HashDataAsync(read));
            }
        }
        finally
        {
            await store.DeletePrefixAsync("objects/", CancellationToken.None);
        }
    }
}
