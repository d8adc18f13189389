using System.Text;
using Azure.Storage.Blobs.Specialized;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>A block blob written block by block (Put Block) and made visible by Put Block List at the
/// commit. Block ids carry a per-upload prefix, so two uploads of one key never mix their blocks;
/// blocks of an abandoned upload are never committed and Azure drops them after a week.</summary>
internal sealed class AzureBlockUpload(BlockBlobClient blob, string key, AzureErrors errors) : PartBufferedUpload
{
    private readonly string _uploadId = Guid.NewGuid().ToString("N");
    private readonly SortedDictionary<int, string> _blockIds = [];

    protected override string Key => key;

    protected override int FirstPartSize => AzureFirstBlockSize;

    protected override async Task SendPartAsync(int partNumber, ArraySegment<byte> part, CancellationToken cancellationToken)
    {
        // Ids are base64 of equal-length strings (a rule of the service).
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{_uploadId}-{partNumber:D6}"));
        try
        {
            using var content = PartStream(part);
            await blob.StageBlockAsync(id, content, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (errors.Maps(e)) { throw errors.Map(e, key, StoreRight.Write); }
        lock (_blockIds) _blockIds.Add(partNumber, id);
    }

    protected override async Task CompleteAsync(int partNumber, ArraySegment<byte> lastPart, CancellationToken cancellationToken)
    {
        if (lastPart.Count > 0)
            await SendPartAsync(partNumber, lastPart, cancellationToken).ConfigureAwait(false);
        try
        {
            await blob.CommitBlockListAsync(_blockIds.Values, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (errors.Maps(e)) { throw errors.Map(e, key, StoreRight.Write); }
    }

    protected override Task AbortAsync() => Task.CompletedTask;
}
