using Azure.Storage.Blobs;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>The fault tests with the repository in Azure Blob (Azurite), reached through the proxy by a
/// connection string whose BlobEndpoint is the proxy's.</summary>
public sealed class AzureStoreFaultTests : StoreFaultTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private const string Container = "faults";

    protected override Uri StoreEndpoint => new(new Uri(Azurite.BlobEndpoint).GetLeftPart(UriPartial.Authority));

    protected override async Task<string> NewRepositoryAsync()
    {
        await new BlobContainerClient(Azurite.ConnectionString, Container).CreateIfNotExistsAsync();
        return $"azure://{Container}/{Guid.NewGuid():N}";
    }

    protected override Dictionary<string, string?> StoreEnvironment(string endpoint) => new()
    {
        ["AZURE_STORAGE_CONNECTION_STRING"] = $"DefaultEndpointsProtocol=http;AccountName={Azurite.Account};AccountKey={Azurite.Key};BlobEndpoint={endpoint}/{Azurite.Account};",
    };

    protected override Task<List<string>> KeysAsync(string repository, string prefix) => Azurite.RepositoryKeysAsync(Container, repository, prefix);
}
