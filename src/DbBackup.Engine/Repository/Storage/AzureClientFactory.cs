using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>Builds the container client of an Azure repository from the standard sources only, in the
/// order the Azure CLI and WAL-G use: <c>AZURE_STORAGE_CONNECTION_STRING</c>; <c>AZURE_STORAGE_ACCOUNT</c>
/// with <c>AZURE_STORAGE_KEY</c> or <c>AZURE_STORAGE_SAS_TOKEN</c>; else <c>DefaultAzureCredential</c>
/// (managed identity in runbooks, workload identity, the Azure CLI's login). A credential is never read
/// from the address, an argument or a file of ours, and never put into a message: messages name the
/// variable it came from.</summary>
internal static class AzureClientFactory
{
    /// <summary>The container client and a description of the credential's source for messages.</summary>
    public static (BlobContainerClient Container, string CredentialSource) Create(RepositoryAddress address, Func<string, string?> environment)
    {
        var options = ClientOptions();
        var connectionString = environment("AZURE_STORAGE_CONNECTION_STRING");
        var account = environment("AZURE_STORAGE_ACCOUNT");
        var key = environment("AZURE_STORAGE_KEY");
        var sas = environment("AZURE_STORAGE_SAS_TOKEN");

        if (!string.IsNullOrEmpty(connectionString))
        {
            BlobServiceClient service;
            // The SDK's parse errors may quote the string, which holds the key: say only which variable.
            try { service = new BlobServiceClient(connectionString, options); }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                throw StoreFailures.CredentialsMissing(address.Location, "AZURE_STORAGE_CONNECTION_STRING is set but is not a valid storage connection string (its value is not shown).");
            }
            if (address.AzureServiceUri is { } named && !SameEndpoint(named, service.Uri))
                throw StoreFailures.CredentialsMissing(address.Location,
                    $"AZURE_STORAGE_CONNECTION_STRING is for {service.Uri.GetLeftPart(UriPartial.Path)}, not the account the address names ({named}). Unset it or use an azure://container/prefix address.");
            return (service.GetBlobContainerClient(address.Container), "AZURE_STORAGE_CONNECTION_STRING");
        }

        if (address.AzureAccount is { } urlAccount && !string.IsNullOrEmpty(account) && !string.Equals(account, urlAccount, StringComparison.Ordinal) && (!string.IsNullOrEmpty(key) || !string.IsNullOrEmpty(sas)))
            throw StoreFailures.CredentialsMissing(address.Location, $"AZURE_STORAGE_ACCOUNT is '{account}' but the address names the account '{urlAccount}'.");
        var accountName = address.AzureAccount ?? account;
        if (string.IsNullOrEmpty(accountName))
            throw StoreFailures.CredentialsMissing(address.Location,
                "an azure:// address needs the account: set AZURE_STORAGE_ACCOUNT (with AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or a managed identity) or AZURE_STORAGE_CONNECTION_STRING, or give the full URL https://account.blob.core.windows.net/container/prefix.");
        var serviceUri = address.AzureServiceUri ?? new Uri($"https://{accountName}.blob.core.windows.net/");
        var containerUri = new Uri(serviceUri, Uri.EscapeDataString(address.Container!));

        if (!string.IsNullOrEmpty(key))
        {
            StorageSharedKeyCredential credential;
            try { credential = new StorageSharedKeyCredential(accountName, key); }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw StoreFailures.CredentialsMissing(address.Location, "AZURE_STORAGE_KEY is set but is not a base64 account key (its value is not shown).");
            }
            return (new BlobContainerClient(containerUri, credential, options), "AZURE_STORAGE_KEY");
        }
        if (!string.IsNullOrEmpty(sas))
            return (new BlobContainerClient(containerUri, new AzureSasCredential(sas.TrimStart('?')), options), "AZURE_STORAGE_SAS_TOKEN");
        return (new BlobContainerClient(containerUri, DefaultCredential(), options), "DefaultAzureCredential");
    }

    /// <summary>The SDK's retry policy: exponential backoff on 408/429/5xx and network errors, with room
    /// for a throttled account; a stuck request gives up after the network timeout and is retried.</summary>
    private static BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 6;
        options.Retry.Delay = TimeSpan.FromMilliseconds(400);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        // The SDK logs request headers and URLs only with sanitisation; keep query values (a SAS) out anyway.
        options.Diagnostics.IsLoggingContentEnabled = false;
        return options;
    }

    private static TokenCredential DefaultCredential() => new DefaultAzureCredential(new DefaultAzureCredentialOptions
    {
        // Interactive browser sign-in makes no sense for a worker process.
        ExcludeInteractiveBrowserCredential = true,
    });

    private static bool SameEndpoint(Uri a, Uri b)
        => string.Equals(a.GetLeftPart(UriPartial.Path).TrimEnd('/'), b.GetLeftPart(UriPartial.Path).TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
