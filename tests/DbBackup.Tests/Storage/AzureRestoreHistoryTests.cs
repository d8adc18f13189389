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

    [StoreFact]
    public async Task Locks_a_create_only_SAS_could_only_mark_released_are_removed_an_hour_later_by_a_run_that_may_delete()
    {
        var address = NewAddress();
        var owner = Open(address, OwnerEnvironment);
        owner.EnsureCreated();
        async Task PutAsync(string key, DateTimeOffset? releasedAt)
        {
            var held = new LockOwner { OperationId = "bk-20260101000000000-abcdef", ProcessId = 1, Host = "elsewhere", AcquiredAt = DateTimeOffset.UtcNow.AddHours(-3), HeartbeatAt = DateTimeOffset.UtcNow, ReleasedAt = releasedAt };
            Assert.NotNull(await owner.Store.TryWriteAsync(key, System.Text.Encoding.UTF8.GetBytes(Json.Write(held)), WriteCondition.None, CancellationToken.None));
        }
        await PutAsync("locks/copy-bk-20260101000000000-abcdef.lock", DateTimeOffset.UtcNow.AddHours(-2));
        await PutAsync("locks/postgresql-recent-0123456789abcdef.lock", DateTimeOffset.UtcNow.AddMinutes(-10));
        await PutAsync("locks/postgresql-held-0123456789abcdef.lock", null);
        var sas = Sas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Add | BlobContainerSasPermissions.Create | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.List);

        await EngineOver(Open(address, SasEnvironment(sas))).ApplyRestoreHistoryRetentionAsync(CancellationToken.None);
        Assert.Equal(3, (await KeysAsync(owner, "locks/")).Count);
        await EngineOver(owner).ApplyRestoreHistoryRetentionAsync(CancellationToken.None);
        Assert.Equal(["locks/postgresql-held-0123456789abcdef.lock", "locks/postgresql-recent-0123456789abcdef.lock"], await KeysAsync(owner, "locks/"));
    }

    [StoreFact]
    public async Task A_restore_through_a_read_only_SAS_prunes_the_restore_history_of_the_local_state_repository()
    {
        var db = await TestSql.PgCreateAsync("rshistrl", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g;");
        _databases.Add(db);
        var address = NewAddress();
        var pg = TestServers.Postgres();
        string[] server = ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];
        var backup = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--wait", "--json"],
            new Dictionary<string, string?> { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString, ["DBBACKUP_REPOSITORY"] = address, ["PGPASSWORD"] = pg.Password });
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var state = Path.Combine(Path.GetTempPath(), "dbbackup-state-" + Guid.NewGuid().ToString("N")[..10]);
        _folders.Add(state);
        var stateRepo = new BackupRepository(state);
        var old = RestoreRecords.Write(stateRepo, "app", OperationState.Cancelled, daysAgo: 200);
        var newest = RestoreRecords.Write(stateRepo, "app", OperationState.Succeeded, daysAgo: 100);

        var copy = db + "_copy";
        _databases.Add(copy);
        var restore = await CliRunner.RunAsync(["restore", "--id", System.Text.Json.JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!, .. server, "--target-database", copy, "--wait", "--json"],
            new Dictionary<string, string?>
            {
                ["AZURE_STORAGE_CONNECTION_STRING"] = null, ["AZURE_STORAGE_KEY"] = null, ["AZURE_STORAGE_ACCOUNT"] = Azurite.Account,
                ["AZURE_STORAGE_SAS_TOKEN"] = Sas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List), ["DBBACKUP_REPOSITORY"] = address,
                ["DBBACKUP_STATE_REPOSITORY"] = state, ["PGPASSWORD"] = pg.Password,
            });
        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        var restoreId = System.Text.Json.JsonDocument.Parse(restore.StdOut).RootElement.GetProperty("Id").GetString()!;

        // The restore was kept in the state repository, whose history its end pruned.
        Assert.Equal(OperationState.Succeeded, stateRepo.TryReadRestore(restoreId)!.State);
        Assert.Null(stateRepo.TryReadRestore(old.Id));
        Assert.NotNull(stateRepo.TryReadRestore(newest.Id));
        Assert.False(File.Exists(Path.Combine(state, "locks", "records", old.Id + ".lock")));
    }

    private readonly List<string> _databases = [];
    private readonly List<string> _folders = [];

    public override void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        foreach (var folder in _folders)
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        base.Dispose();
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
