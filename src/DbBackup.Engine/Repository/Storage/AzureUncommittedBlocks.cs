using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>The staged blocks a worker killed mid-upload left under a prefix: a blob with only uncommitted
/// blocks is in no listing of committed blobs, cannot be deleted as it is, and is stored (and billed) until
/// Azure drops it after a week. Committing an empty block list makes it an empty blob, which is deleted.</summary>
internal static class AzureUncommittedBlocks
{
    /// <summary>Discards every blob under <paramref name="fullPrefix"/> (container key, the store's prefix
    /// included) that has uncommitted blocks and no committed content. Best effort: a refusal leaves them to
    /// expire and never fails the removal whose objects are already gone.</summary>
    public static async Task DiscardUnderAsync(BlobContainerClient container, string fullPrefix, CancellationToken cancellationToken)
    {
        try
        {
            var staged = new List<string>();
            var committed = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = fullPrefix }, cancellationToken).ConfigureAwait(false))
                committed.Add(item.Name);
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = fullPrefix, States = BlobStates.Uncommitted }, cancellationToken).ConfigureAwait(false))
                if (!committed.Contains(item.Name)) staged.Add(item.Name);
            foreach (var name in staged)
            {
                var blob = container.GetBlockBlobClient(name);
                // Only while it has no committed content: a writer that committed it meanwhile keeps its blob.
                await blob.CommitBlockListAsync([], new CommitBlockListOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
                await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException) { }
    }
}
