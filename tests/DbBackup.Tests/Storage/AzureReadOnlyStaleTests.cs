using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>A reader whose SAS may only read and list meets a backup whose worker died on another host:
/// stale detection would end the record (a write) and log it (an append). The reader may do neither, so it
/// reports the record Failed, saying why and that this was not recorded, and the repository stays as it
/// was for the next caller that may write.</summary>
public sealed class AzureReadOnlyStaleTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private const string ContainerName = "rostale";

    [StoreFact]
    public async Task A_read_only_reader_reports_a_dead_workers_backup_Failed_without_writing_and_the_owner_still_ends_it()
    {
        await new BlobContainerClient(Azurite.ConnectionString, ContainerName).CreateIfNotExistsAsync();
        var address = RepositoryAddress.Parse($"{Azurite.BlobEndpoint}/{ContainerName}/{Guid.NewGuid():N}");
        var owner = Engine(address, n => n == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null);
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);
        var running = new BackupRecord
        {
            Id = Ids.NewBackupId(hourAgo), Name = "dead", Engine = DatabaseEngine.PostgreSql, Server = "db.example", Port = 5432, Database = "shop",
            State = OperationState.Running, CreatedAt = hourAgo, StartedAt = hourAgo, HeartbeatAt = hourAgo, WorkerProcessId = 4_000_000, WorkerHost = "gone-host",
        };
        Assert.True(await owner.Repository.WriteAsync(running, CancellationToken.None));
        var stored = await owner.Repository.Store.TryReadAsync(BackupRepository.BackupPrefix(running.Id) + "manifest.json", CancellationToken.None);

        var sas = new BlobSasBuilder { BlobContainerName = ContainerName, Resource = "c", ExpiresOn = DateTimeOffset.UtcNow.AddHours(1) };
        sas.SetPermissions(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List);
        var token = sas.ToSasQueryParameters(new StorageSharedKeyCredential(Azurite.Account, Azurite.Key)).ToString();
        var reader = Engine(address, n => n switch { "AZURE_STORAGE_ACCOUNT" => Azurite.Account, "AZURE_STORAGE_SAS_TOKEN" => token, _ => null });

        var seen = Assert.Single(reader.ListBackups(new BackupQuery()).Items);
        Assert.Equal(OperationState.Failed, seen.State);
        Assert.Contains("sent no heartbeat", seen.StatusMessage, StringComparison.Ordinal);
        Assert.Contains("Not recorded", seen.StatusMessage, StringComparison.Ordinal);
        Assert.Equal(stored!.Version, (await owner.Repository.Store.TryReadAsync(BackupRepository.BackupPrefix(running.Id) + "manifest.json", CancellationToken.None))!.Version);

        // The owner, who may write, ends it for good.
        var ended = owner.GetBackup(running.Id);
        Assert.Equal(OperationState.Failed, ended.State);
        Assert.Equal(OperationState.Failed, reader.GetBackup(running.Id).State);
        Assert.DoesNotContain("Not recorded", reader.GetBackup(running.Id).StatusMessage, StringComparison.Ordinal);
    }

    private static BackupEngine Engine(RepositoryAddress address, Func<string, string?> environment)
        => new(new BackupRepository(StoreFactory.Open(address, environment)), TestRepository.Launcher, ProviderRegistry.For);
}
