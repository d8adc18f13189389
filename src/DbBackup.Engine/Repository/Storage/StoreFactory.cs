namespace DbBackup.Engine.Repository.Storage;

/// <summary>Opens the store an address names: a local folder, Azure Blob or S3. Credentials come from the
/// environment only (see <see cref="AzureClientFactory"/>, <see cref="S3ClientFactory"/>).</summary>
public static class StoreFactory
{
    /// <summary>Opens the store without any I/O (reading needs no probe).</summary>
    public static IRepositoryStore Open(RepositoryAddress address) => Open(address, Environment.GetEnvironmentVariable);

    /// <summary>Opens the store with credentials from <paramref name="environment"/> (tests pass their own).</summary>
    public static IRepositoryStore Open(RepositoryAddress address, Func<string, string?> environment) => address.Kind switch
    {
        RepositoryStoreKind.Azure => new AzureBlobStore(address, environment),
        RepositoryStoreKind.S3 => new S3Store(address, environment),
        _ => new LocalFolderStore(address.LocalPath!),
    };

    /// <summary>Opens the store for writing: an object store is probed once (per process) for conditional
    /// writes, and its <see cref="IRepositoryStore.Features"/> say what the probe found; when
    /// <see cref="StoreFeatures.ConditionalWrites"/> is false, show <see cref="ConditionalWriteProbe.UnavailableWarning"/>.</summary>
    public static async Task<IRepositoryStore> OpenForWritingAsync(RepositoryAddress address, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var store = Open(address, environment);
        await ConditionalWriteProbe.ProbeAsync(store, cancellationToken).ConfigureAwait(false);
        return store;
    }

    /// <inheritdoc cref="OpenForWritingAsync(RepositoryAddress, Func{string, string?}, CancellationToken)"/>
    public static Task<IRepositoryStore> OpenForWritingAsync(RepositoryAddress address, CancellationToken cancellationToken)
        => OpenForWritingAsync(address, Environment.GetEnvironmentVariable, cancellationToken);
}
