using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>Restore-history retention with the repository in Azure Blob (Azurite), and what a create-only SAS
/// (`racwl`, no delete) gets: one PruneFailed line naming the delete right, and a removal refused naming it.</summary>
public sealed class AzureRestoreHistoryTests : RestoreHistoryRetentionTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private const string Container = "restorehistory";

    protected override BackupRepository NewRepository() => Open(NewAddress(), OwnerEnvironment);

    [StoreFact]
    public async Task A_SAS_without_delete_keeps_every_restore_record_and_says_the_delete_right_is_missing()
    {
        var address = NewAddress();
        var owner = Open(address, OwnerEnvironment);
        var old = RestoreRecords.Write(owner, "app", OperationState.Succeeded, daysAgo: 200);
        var newest = RestoreRecords.Write(owner, "app", OperationState.Succeeded, daysAgo: 100);
        var sas = Sas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Add | BlobContainerSasPermissions.Create | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.List);
        var createOnly = EngineOver(Open(address, SasEnvironment(sas)));

        Assert.Empty(await createOnly.ApplyRestoreHistoryRetentionAsync(CancellationToken.None));
        var failed = Assert.Single(createOnly.ReadActivity(new ActivityQuery { First = 50 }).Items, e => e.Action == "PruneFailed");
        Assert.Contains("delete right", failed.Message, StringComparison.Ordinal);
        Assert.Contains("AZURE_STORAGE_SAS_TOKEN", failed.Message, StringComparison.Ordinal);
        Assert.Contains("RestoreHistoryDays", failed.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<DbBackupException>(() => createOnly.RemoveRestoreAsync(old.Id, CancellationToken.None));
        Assert.Equal("StoreRightMissing", refused.ErrorId);
        Assert.Contains("delete right", refused.Message, StringComparison.Ordinal);

        // The CLI says the same, as exit 5, without the SAS.
        var cli = await CliRunner.RunAsync(["remove", "--id", old.Id], new Dictionary<string, string?>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = null, ["AZURE_STORAGE_KEY"] = null, ["AZURE_STORAGE_ACCOUNT"] = Azurite.Account,
            ["AZURE_STORAGE_SAS_TOKEN"] = sas, ["DBBACKUP_REPOSITORY"] = address,
        });
        Assert.True(cli.ExitCode == 5, $"exit {cli.ExitCode}: {cli.StdErr}");
        Assert.StartsWith("dbbackup: StoreRightMissing: ", cli.StdErr, StringComparison.Ordinal);
        Assert.Contains("delete right", cli.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.UnescapeDataString(sas.Split('&').Single(p => p.StartsWith("sig=", StringComparison.Ordinal))[4..]), cli.StdErr, StringComparison.Ordinal);

        Assert.Equal(new[] { old.Id, newest.Id }.ToHashSet(), EngineOver(owner).ListRestores(new RestoreQuery()).Items.Select(r => r.Id).ToHashSet());
    }

    private static string NewAddress()
    {
        new BlobContainerClient(Azurite.ConnectionString, Container).CreateIfNotExists();
        return $"{Azurite.BlobEndpoint}/{Container}/{Guid.NewGuid():N}";
    }

    private static BackupRepository Open(string address, Func<string, string?> environment) => new(StoreFactory.Open(RepositoryAddress.Parse(address), environment));

    private static string? OwnerEnvironment(string name) => name == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null;

    private static Func<string, string?> SasEnvironment(string sas) => name => name switch
    {
        "AZURE_STORAGE_ACCOUNT" => Azurite.Account,
        "AZURE_STORAGE_SAS_TOKEN" => sas,
        _ => null,
    };

    private static string Sas(BlobContainerSasPermissions permissions)
    {
        var builder = new BlobSasBuilder { BlobContainerName = Container, Resource = "c", ExpiresOn = DateTimeOffset.UtcNow.AddHours(1) };
        builder.SetPermissions(permissions);
        return builder.ToSasQueryParameters(new StorageSharedKeyCredential(Azurite.Account, Azurite.Key)).ToString();
    }
}
