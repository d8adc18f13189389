using Azure.Storage.Blobs;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>The store contract on Azure Blob, against Azurite: each test in a fresh prefix of one
/// container, reached through an azure:// address and AZURE_STORAGE_CONNECTION_STRING.</summary>
public sealed class AzureBlobStoreContractTests : StoreContractTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private static readonly Lazy<Task> Container = new(() => new BlobContainerClient(Azurite.ConnectionString, "contract").CreateIfNotExistsAsync());

    /// <inheritdoc/>
    protected override async Task<IRepositoryStore> OpenEmptyStoreAsync()
    {
        await Container.Value;
        var address = RepositoryAddress.Parse($"azure://contract/{Guid.NewGuid():N}/repo");
        return await StoreFactory.OpenForWritingAsync(address, name => name == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null, CancellationToken.None);
    }
}
