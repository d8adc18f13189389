using Azure.Storage.Blobs;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>The catalog on Azure Blob (Azurite): two hosts changing records at once lose nothing,
/// through ETag compare-and-swap and the hierarchy listing of record folders.</summary>
public sealed class AzureCatalogTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    [StoreFact]
    public async Task Two_hosts_changing_records_at_once_lose_nothing_on_Azure_Blob()
    {
        await new BlobContainerClient(Azurite.ConnectionString, "catalog").CreateIfNotExistsAsync();
        var address = RepositoryAddress.Parse($"azure://catalog/{Guid.NewGuid():N}/repo");
        Func<string, string?> environment = name => name == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null;
        var first = await StoreFactory.OpenForWritingAsync(address, environment, CancellationToken.None);
        var second = await StoreFactory.OpenForWritingAsync(address, environment, CancellationToken.None);
        await CatalogTests.TwoWritersLoseNothingAsync(first, second, records: 8, changes: 24);
    }
}
