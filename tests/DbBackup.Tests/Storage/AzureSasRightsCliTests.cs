using System.Text.Json;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>Rights enforced by the store (issue 8 §7), through the CLI as a runbook runs it, with container
/// SAS tokens made here against Azurite: read+list (`rl`) reads and restores everything and changes nothing
/// (a restore keeps its record, lock and safety backup in the local state repository); create-only
/// (`racwl`, no `d`) backs up but never deletes, and says so; the full set does everything. A refusal comes
/// up front, as StoreRightMissing (exit 5), naming the right and the variable that gave the credential,
/// never the SAS itself, and leaves every object of the repository as it was.</summary>
public sealed class AzureSasRightsCliTests : IDisposable
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private const string ContainerName = "sasrights";
    private static readonly Lazy<Task> Container = new(() => new BlobContainerClient(Azurite.ConnectionString, ContainerName).CreateIfNotExistsAsync());
    private const string Rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";

    private readonly List<string> _databases = [];
    private readonly string _scratch = Directory.CreateTempSubdirectory("dbbackup-rights-").FullName;

    [StoreFact]
    public async Task A_read_and_list_SAS_lists_verifies_and_saves_while_backup_and_remove_are_refused_up_front_naming_the_right()
    {
        var (repository, db, id) = await SeededRepositoryAsync();
        var before = await KeysAsync(repository);
        var sas = Sas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List);
        var env = SasEnvironment(repository, sas);

        var listed = await CliRunner.RunAsync(["list", "--json"], env);
        Assert.True(listed.ExitCode == 0, listed.StdErr);
        Assert.Contains(id, listed.StdOut);
        var status = await CliRunner.RunAsync(["status", .. Server()[..^2], "--database", db], env);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Contains(id, status.StdOut);
        var verified = await CliRunner.RunAsync(["verify", "--id", id, "--json"], env);
        Assert.True(verified.ExitCode == 0, verified.StdErr);
        Assert.True(JsonDocument.Parse(verified.StdOut).RootElement.GetProperty("Passed").GetBoolean());
        var bundle = Path.Combine(_scratch, "download.dbbackup");
        var saved = await CliRunner.RunAsync(["save", "--id", id, "--path", bundle], env);
        Assert.True(saved.ExitCode == 0, saved.StdErr);

        var backup = await CliRunner.RunAsync(["backup", .. Server(), "--database", db, "--wait"], env);
        AssertRefused(backup, "write right", sas);
        var remove = await CliRunner.RunAsync(["remove", "--id", id, "--force"], env);
        AssertRefused(remove, "delete right", sas);

        Assert.Equal(before, await KeysAsync(repository));
        var copy = db + "_copy";
        _databases.Add(copy);
        var local = new Dictionary<string, string?>(env) { ["DBBACKUP_REPOSITORY"] = Path.Combine(_scratch, "repo") };
        var restored = await CliRunner.RunAsync(["restore", "--path", bundle, .. Server(), "--target-database", copy, "--wait"], local);
        Assert.True(restored.ExitCode == 0, restored.StdErr + restored.StdOut);
        Assert.Equal(await TestSql.PgColumnAsync(db, Rows), await TestSql.PgColumnAsync(copy, Rows));
    }

    [StoreFact]
    public async Task A_read_and_list_SAS_restores_into_a_new_database_and_over_an_existing_one_keeping_record_lock_and_safety_backup_in_the_local_state_repository()
    {
        var (repository, db, id) = await SeededRepositoryAsync();
        var before = await KeysAsync(repository);
        var state = Path.Combine(_scratch, "state");
        var env = new Dictionary<string, string?>(SasEnvironment(repository, Sas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List)))
        {
            ["DBBACKUP_STATE_REPOSITORY"] = state,
        };
        var backedUp = await TestSql.PgColumnAsync(db, Rows);

        var copy = db + "_new";
        _databases.Add(copy);
        var fresh = await CliRunner.RunAsync(["restore", "--id", id, .. Server(), "--target-database", copy, "--wait", "--json"], env);
        Assert.True(fresh.ExitCode == 0, fresh.StdErr + fresh.StdOut);
        var freshId = JsonDocument.Parse(fresh.StdOut).RootElement.GetProperty("Id").GetString()!;
        Assert.Equal(backedUp, await TestSql.PgColumnAsync(copy, Rows));

        // Over the existing database: the safety backup (in the state repository) holds the changed rows.
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed' WHERE id <= 10");
        var changed = await TestSql.PgColumnAsync(db, Rows);
        var swap = await CliRunner.RunAsync(["restore", "--id", id, .. Server(), "--database", db, "--force", "--wait", "--json"], env);
        Assert.True(swap.ExitCode == 0, swap.StdErr + swap.StdOut);
        var swapRecord = JsonDocument.Parse(swap.StdOut).RootElement;
        var swapId = swapRecord.GetProperty("Id").GetString()!;
        Assert.Equal("Succeeded", swapRecord.GetProperty("State").GetString());
        Assert.Equal(backedUp, await TestSql.PgColumnAsync(db, Rows));

        // Status and the restore history of the read-only repository find both restores kept locally.
        var restores = await CliRunner.RunAsync(["restores", "--json"], env);
        Assert.True(restores.ExitCode == 0, restores.StdErr);
        var listed = JsonDocument.Parse(restores.StdOut).RootElement.GetProperty("Items").EnumerateArray().Select(r => r.GetProperty("Id").GetString()).ToList();
        Assert.Equal([swapId, freshId], listed);
        var status = await CliRunner.RunAsync(["status", .. Server()[..^2], "--database", db, "--json"], env);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Equal(swapId, JsonDocument.Parse(status.StdOut).RootElement.GetProperty("Restore").GetProperty("Id").GetString());

        // The safety backup is a backup of the state repository, and restores the changed rows.
        var local = new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = state, ["PGPASSWORD"] = TestServers.Postgres().Password };
        var safetyId = swapRecord.GetProperty("SafetyBackupId").GetString()!;
        var safetyCopy = db + "_safety";
        _databases.Add(safetyCopy);
        var safety = await CliRunner.RunAsync(["restore", "--id", safetyId, .. Server(), "--target-database", safetyCopy, "--wait"], local);
        Assert.True(safety.ExitCode == 0, safety.StdErr + safety.StdOut);
        Assert.Equal(changed, await TestSql.PgColumnAsync(safetyCopy, Rows));
        Assert.Equal(before, await KeysAsync(repository));
    }

    [StoreFact]
    public async Task A_SAS_without_delete_backs_up_repeatedly_while_remove_and_retention_say_the_delete_right_is_missing_and_keep_every_record()
    {
        var (repository, db, first) = await SeededRepositoryAsync();
        // KeepLast 1: every new backup asks retention to remove the older ones.
        OwnerEngine(repository).UpdateSettings(s => s.KeepLast = 1);
        var sas = Sas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Add | BlobContainerSasPermissions.Create
            | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.List);
        var env = SasEnvironment(repository, sas);

        // Twice: the first worker could not delete its target lock, so it left it marked released; the second takes it.
        foreach (var _ in new[] { 1, 2 })
        {
            var backup = await CliRunner.RunAsync(["backup", .. Server(), "--database", db, "--wait", "--json"], env);
            Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
            Assert.Equal("Succeeded", JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("State").GetString());
        }
        var remove = await CliRunner.RunAsync(["remove", "--id", first, "--force"], env);
        AssertRefused(remove, "delete right", sas);

        var listed = await CliRunner.RunAsync(["list", "--database", db, "--json"], env);
        var states = JsonDocument.Parse(listed.StdOut).RootElement.GetProperty("Items").EnumerateArray().Select(b => b.GetProperty("State").GetString()).ToList();
        Assert.Equal(["Succeeded", "Succeeded", "Succeeded"], states);
        var verified = await CliRunner.RunAsync(["verify", "--id", first, "--json"], env);
        Assert.True(JsonDocument.Parse(verified.StdOut).RootElement.GetProperty("Passed").GetBoolean(), verified.StdOut);
        // Retention runs in the worker after its record ends (when --wait returns): wait for its line.
        List<(string? Action, string Message)> actions = [];
        for (var i = 0; i < 30 && !actions.Any(a => a.Action == "PruneFailed"); i++)
        {
            if (i > 0) await Task.Delay(1000);
            var log = await CliRunner.RunAsync(["log", "--database", db, "--json"], env);
            actions = JsonDocument.Parse(log.StdOut).RootElement.GetProperty("Items").EnumerateArray().Select(e => (Action: e.GetProperty("Action").GetString(), Message: e.GetProperty("Message").GetString() ?? "")).ToList();
        }
        Assert.DoesNotContain(actions, a => a.Action is "Pruned" or "Removed");
        Assert.Contains(actions, a => a.Action == "PruneFailed" && a.Message.Contains("delete right", StringComparison.Ordinal) && a.Message.Contains("AZURE_STORAGE_SAS_TOKEN", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_SAS_without_delete_logs_no_prune_failure_when_only_held_backups_are_beyond_keep_last()
    {
        var (repository, db, first) = await SeededRepositoryAsync();
        OwnerEngine(repository).UpdateSettings(s => s.KeepLast = 1);
        OwnerEngine(repository).SetHold(first, true);
        var env = SasEnvironment(repository, Sas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Add | BlobContainerSasPermissions.Create
            | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.List));

        var backup = await CliRunner.RunAsync(["backup", .. Server(), "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);

        // --wait returns once the in-process worker (and its retention) is done: the held backup is the only
        // one beyond KeepLast, so there is nothing to remove and nothing to say about the delete right.
        var log = await CliRunner.RunAsync(["log", "--database", db, "--json"], env);
        var actions = JsonDocument.Parse(log.StdOut).RootElement.GetProperty("Items").EnumerateArray().Select(e => e.GetProperty("Action").GetString()).ToList();
        Assert.Contains("BackupSucceeded", actions);
        Assert.DoesNotContain("PruneFailed", actions);
        var listed = await CliRunner.RunAsync(["list", "--database", db, "--json"], env);
        Assert.Equal(2, JsonDocument.Parse(listed.StdOut).RootElement.GetProperty("Items").GetArrayLength());
    }

    [StoreFact]
    public async Task A_full_SAS_backs_up_and_removes_leaving_nothing_of_the_backup()
    {
        var (repository, db, _) = await SeededRepositoryAsync();
        var env = SasEnvironment(repository, Sas(BlobContainerSasPermissions.All));

        var backup = await CliRunner.RunAsync(["backup", .. Server(), "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var id = JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!;
        var removed = await CliRunner.RunAsync(["remove", "--id", id, "--force"], env);
        Assert.True(removed.ExitCode == 0, removed.StdErr);
        Assert.DoesNotContain(await KeysAsync(repository), k => k.StartsWith($"backups/{id}/", StringComparison.Ordinal));
        // The worker deletes its target lock just after the record ends (which is when --wait returns).
        static bool IsLock(string k) => k.StartsWith("locks/", StringComparison.Ordinal);
        for (var i = 0; i < 60 && (await KeysAsync(repository)).Any(IsLock); i++) await Task.Delay(500);
        Assert.DoesNotContain(await KeysAsync(repository), IsLock);
    }

    /// <summary>Refused before anything: exit 5 (a missing right is an authentication-kind error), the id,
    /// the right and the variable named, the SAS's signature and any stack trace absent.</summary>
    private static void AssertRefused(CliRunner.Result result, string right, string sas)
    {
        Assert.True(result.ExitCode == 5, $"exit {result.ExitCode}: {result.StdErr}{result.StdOut}");
        Assert.StartsWith("dbbackup: StoreRightMissing: ", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(right, result.StdErr, StringComparison.Ordinal);
        Assert.Contains("AZURE_STORAGE_SAS_TOKEN", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(" at DbBackup.", result.StdErr, StringComparison.Ordinal);
        var signature = Uri.UnescapeDataString(sas.Split('&').Single(p => p.StartsWith("sig=", StringComparison.Ordinal))[4..]);
        Assert.DoesNotContain(signature, result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", result.StdOut);
    }

    /// <summary>A fresh repository holding one backup of a fresh database, taken with the account key.</summary>
    private async Task<(string Repository, string Database, string BackupId)> SeededRepositoryAsync()
    {
        await Container.Value;
        var db = await TestSql.PgCreateAsync("sasrights", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 200) g;");
        _databases.Add(db);
        var repository = $"{Azurite.BlobEndpoint}/{ContainerName}/{Guid.NewGuid():N}";
        var env = new Dictionary<string, string?> { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString, ["DBBACKUP_REPOSITORY"] = repository, ["PGPASSWORD"] = TestServers.Postgres().Password };
        var backup = await CliRunner.RunAsync(["backup", .. Server(), "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        return (repository, db, JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!);
    }

    private static string[] Server()
    {
        var pg = TestServers.Postgres();
        return ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];
    }

    /// <summary>Only the SAS reaches the store: the account from its variable, no connection string.</summary>
    private static Dictionary<string, string?> SasEnvironment(string repository, string sas) => new()
    {
        ["AZURE_STORAGE_CONNECTION_STRING"] = null,
        ["AZURE_STORAGE_KEY"] = null,
        ["AZURE_STORAGE_ACCOUNT"] = Azurite.Account,
        ["AZURE_STORAGE_SAS_TOKEN"] = sas,
        ["DBBACKUP_REPOSITORY"] = repository,
        ["PGPASSWORD"] = TestServers.Postgres().Password,
    };

    private static string Sas(BlobContainerSasPermissions permissions)
    {
        var builder = new BlobSasBuilder { BlobContainerName = ContainerName, Resource = "c", ExpiresOn = DateTimeOffset.UtcNow.AddHours(1) };
        builder.SetPermissions(permissions);
        return builder.ToSasQueryParameters(new StorageSharedKeyCredential(Azurite.Account, Azurite.Key)).ToString();
    }

    /// <summary>The repository opened with the account key, as its owner would.</summary>
    private static BackupEngine OwnerEngine(string repository)
        => new(new BackupRepository(StoreFactory.Open(RepositoryAddress.Parse(repository), n => n == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null)),
            TestRepository.Launcher, ProviderRegistry.For);

    /// <summary>Every object of the repository with its size and ETag: what "nothing changed" compares.</summary>
    private static async Task<List<string>> KeysAsync(string repository)
    {
        var root = repository[(Azurite.BlobEndpoint + "/" + ContainerName + "/").Length..] + "/";
        var keys = new List<string>();
        await foreach (var b in new BlobContainerClient(Azurite.ConnectionString, ContainerName).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, root, CancellationToken.None))
            keys.Add($"{b.Name[root.Length..]} {b.Properties.ContentLength} {b.Properties.ETag}");
        return keys;
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
