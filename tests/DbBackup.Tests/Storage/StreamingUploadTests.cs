using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>Uploads stream: full parts leave the process while the next fills (memory stays at a few
/// parts, never the whole object), and an abandoned upload is aborted.</summary>
public sealed class StreamingUploadTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private static CancellationToken None => CancellationToken.None;
    private static readonly byte[] TwoPartsAndABit = new byte[2 * PartBufferedUpload.BasePartSize + 1000];

    [StoreFact]
    public async Task An_Azure_upload_has_staged_full_blocks_before_the_commit()
    {
        var container = new BlobContainerClient(Azurite.ConnectionString, "streaming");
        await container.CreateIfNotExistsAsync();
        var prefix = Guid.NewGuid().ToString("N");
        var twoBlocksAndABit = new byte[2 * PartBufferedUpload.AzureFirstBlockSize + 1000];
        var store = StoreFactory.Open(RepositoryAddress.Parse($"azure://streaming/{prefix}"), n => n == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null);

        await using var upload = await store.CreateAsync("big", None);
        await upload.WriteAsync(twoBlocksAndABit);
        await upload.WriteAsync(new byte[PartBufferedUpload.AzureFirstBlockSize]);
        var staged = (await container.GetBlockBlobClient($"{prefix}/big").GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks.ToList();

        // Three parts are full: at most MaxPartsInFlight (2) may still be on their way, so at least the first is there.
        Assert.InRange(staged.Count, 3 - PartBufferedUpload.MaxPartsInFlight + 1, 3);
        Assert.All(staged, b => Assert.Equal(PartBufferedUpload.AzureFirstBlockSize, b.SizeLong));
        await upload.CommitAsync(None);
        Assert.Equal(twoBlocksAndABit.Length + PartBufferedUpload.AzureFirstBlockSize, (await container.GetBlobClient($"{prefix}/big").GetPropertiesAsync()).Value.ContentLength);
    }

    [Fact]
    public async Task Each_full_part_is_sent_as_it_fills_and_only_the_commit_sends_the_rest()
    {
        // The S3 upload shares this logic; s3rver cannot list pending multipart parts to show it there.
        var upload = new RecordingUpload();
        for (var offset = 0; offset < TwoPartsAndABit.Length; offset += 100_000)
            await upload.WriteAsync(TwoPartsAndABit.AsMemory(offset, Math.Min(100_000, TwoPartsAndABit.Length - offset)));

        Assert.Equal([(1, PartBufferedUpload.BasePartSize), (2, PartBufferedUpload.BasePartSize)], upload.Sent);
        Assert.Null(upload.Completed);
        await upload.CommitAsync(None);
        Assert.Equal((3, 1000), upload.Completed);
        await upload.DisposeAsync();
        Assert.False(upload.Aborted);
    }

    [Fact]
    public async Task An_upload_disposed_before_its_commit_is_aborted()
    {
        var upload = new RecordingUpload();
        await upload.WriteAsync(TwoPartsAndABit);
        await upload.DisposeAsync();
        Assert.True(upload.Aborted);
        Assert.Null(upload.Completed);
    }

    private sealed class RecordingUpload : PartBufferedUpload
    {
        public List<(int, int)> Sent { get; } = [];
        public (int, int)? Completed { get; private set; }
        public bool Aborted { get; private set; }
        protected override string Key => "k";
        protected override Task SendPartAsync(int partNumber, ArraySegment<byte> part, CancellationToken cancellationToken) { Sent.Add((partNumber, part.Count)); return Task.CompletedTask; }
        protected override Task CompleteAsync(int partNumber, ArraySegment<byte> lastPart, CancellationToken cancellationToken) { Completed = (partNumber, lastPart.Count); return Task.CompletedTask; }
        protected override Task AbortAsync() { Aborted = true; return Task.CompletedTask; }
    }

    [Fact]
    public void Parts_grow_after_every_thousand_so_one_payload_file_of_867_GiB_fits_in_S3_s_ten_thousand_parts()
    {
        Assert.Equal(8 << 20, PartBufferedUpload.PartSizeFor(1000));
        Assert.Equal(16 << 20, PartBufferedUpload.PartSizeFor(1001));
        Assert.Equal(128 << 20, PartBufferedUpload.PartSizeFor(10_000));
        var capacity = Enumerable.Range(1, 10_000).Sum(n => (long)PartBufferedUpload.PartSizeFor(n));
        Assert.Equal(888_000L << 20, capacity); // 867 GiB
    }
}
