using System.Text.Json;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Hostile;

/// <summary>A backup's manifest deleted, cut to half, or replaced by text that is not JSON, in the
/// repository's store (a local folder, Azurite, s3rver), through the CLI: every command names what is
/// wrong with which backup under a stable error id, never restores from it, the listing still shows the
/// others, retention neither counts it as a kept backup nor removes it, and remove --force clears it.</summary>
public abstract class DamagedManifestTests : IDisposable
{
    private readonly List<string> _databases = [];

    /// <summary>A fresh, empty repository address.</summary>
    protected abstract Task<string> NewRepositoryAsync();

    /// <summary>The environment that reaches the store.</summary>
    protected abstract Dictionary<string, string?> StoreEnvironment();

    /// <summary>False where the emulator's delimiter listing omits a folder holding no object directly
    /// (s3rver), so a folder without its manifest is not listed at all.</summary>
    protected virtual bool ListsFoldersWithoutDirectObjects => true;

    [StoreFact]
    public async Task A_deleted_halved_or_garbage_manifest_is_named_by_every_command_never_restored_and_never_makes_retention_remove_a_good_backup()
    {
        var db = await TestSql.PgCreateAsync("hmanifest", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 500) g;");
        _databases.Add(db);
        var repository = await NewRepositoryAsync();
        var pg = TestServers.Postgres();
        var env = StoreEnvironment();
        env["PGPASSWORD"] = pg.Password;
        env["DBBACKUP_REPOSITORY"] = repository;
        string[] server = ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];
        async Task<string> BackupAsync()
        {
            var run = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--wait", "--json"], env);
            Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);
            return JsonDocument.Parse(run.StdOut).RootElement.GetProperty("Id").GetString()!;
        }
        var good = await BackupAsync();
        var deleted = await BackupAsync();
        var halved = await BackupAsync();
        var garbage = await BackupAsync();

        var store = StoreFactory.Open(RepositoryAddress.Parse(repository), name => env.GetValueOrDefault(name));
        string Manifest(string id) => $"backups/{id}/manifest.json";
        await store.DeleteAsync(Manifest(deleted), null, CancellationToken.None);
        var whole = (await store.TryReadAsync(Manifest(halved), CancellationToken.None))!.Content;
        await store.TryWriteAsync(Manifest(halved), whole[..(whole.Length / 2)], WriteCondition.None, CancellationToken.None);
        await store.TryWriteAsync(Manifest(garbage), "not json {"u8.ToArray(), WriteCondition.None, CancellationToken.None);

        // KeepLast 2: the new backup and the only other good one are kept. The damaged three, newer than the
        // good one, used to fill the kept places from their catalog entries, and the good one was pruned.
        Assert.Equal(0, (await CliRunner.RunAsync(["repository", "set", "--keep-last", "2"], env)).ExitCode);
        var newest = await BackupAsync();
        var list = await CliRunner.RunAsync(["list", "--json"], env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Equal([newest, good], JsonDocument.Parse(list.StdOut).RootElement.GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
        foreach (var id in new[] { halved, garbage })
            Assert.Contains($"CorruptMetadata: '{Prefix(repository)}{Manifest(id)}'", list.StdErr);
        if (ListsFoldersWithoutDirectObjects) Assert.Contains($"ManifestMissing: '{Prefix(repository)}{Manifest(deleted)}' is missing", list.StdErr);

        var expected = new Dictionary<string, string> { [deleted] = "ManifestMissing", [halved] = "CorruptMetadata", [garbage] = "CorruptMetadata" };
        foreach (var (id, errorId) in expected)
        {
            foreach (var args in new[] { new[] { "status", "--id", id }, ["verify", "--id", id], ["restore", "--id", id, .. server, "--target-database", db + "_r", "--wait"], ["remove", "--id", id] })
            {
                var run = await CliRunner.RunAsync(args, env);
                Assert.True(run.ExitCode == 7, $"{string.Join(' ', args)}: {run.ExitCode} {run.StdOut} {run.StdErr}");
                Assert.Contains($"{Prefix(repository)}{Manifest(id)}", run.StdOut + run.StdErr);
                if (args[0] != "verify") Assert.Contains($"dbbackup: {errorId}: ", run.StdErr);
            }
            Assert.False(await TestSql.PgExistsAsync(db + "_r"));
        }
        var deletedKeys = await KeysAsync(store, $"backups/{deleted}/");
        Assert.NotEmpty(deletedKeys);

        // The remainder goes only with --force, and only its own objects.
        foreach (var id in expected.Keys)
        {
            var removed = await CliRunner.RunAsync(["remove", "--id", id, "--force"], env);
            Assert.True(removed.ExitCode == 0, removed.StdErr);
            Assert.Empty(await KeysAsync(store, $"backups/{id}/"));
        }
        var after = await CliRunner.RunAsync(["list", "--json"], env);
        Assert.Equal([newest, good], JsonDocument.Parse(after.StdOut).RootElement.GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
        Assert.DoesNotContain("unreadable", after.StdErr);
        Assert.Equal(0, (await CliRunner.RunAsync(["verify", "--id", good], env)).ExitCode);
    }

    /// <summary>How a message names the repository's keys: its full local path, or its address.</summary>
    private static string Prefix(string repository)
        => repository.Contains("://", StringComparison.Ordinal) ? repository.TrimEnd('/') + "/" : Path.GetFullPath(repository) + "/";

    private static async Task<List<string>> KeysAsync(IRepositoryStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var e in store.ListAsync(prefix, CancellationToken.None)) keys.Add(e.Key);
        return keys;
    }

    /// <summary>Deletes what the subclass made besides the store's objects.</summary>
    protected virtual void DisposeRepository() { }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        DisposeRepository();
        GC.SuppressFinalize(this);
    }
}

/// <summary><see cref="DamagedManifestTests"/> on a local folder.</summary>
public sealed class LocalDamagedManifestTests : DamagedManifestTests
{
    private readonly TestRepository _folder = new();

    /// <summary>Never skipped.</summary>
    public static string? SkipReason => null;

    protected override Task<string> NewRepositoryAsync() => Task.FromResult(_folder.Path);

    protected override Dictionary<string, string?> StoreEnvironment() => [];

    protected override void DisposeRepository() => _folder.Dispose();
}

/// <summary><see cref="DamagedManifestTests"/> in Azurite.</summary>
public sealed class AzureDamagedManifestTests : DamagedManifestTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    protected override Task<string> NewRepositoryAsync() => Azurite.NewRepositoryAsync();

    protected override Dictionary<string, string?> StoreEnvironment() => Azurite.RepositoryEnvironment();
}

/// <summary><see cref="DamagedManifestTests"/> in s3rver.</summary>
public sealed class S3DamagedManifestTests : DamagedManifestTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    protected override bool ListsFoldersWithoutDirectObjects => false;

    protected override Task<string> NewRepositoryAsync() => S3rver.NewRepositoryAsync();

    protected override Dictionary<string, string?> StoreEnvironment() => S3rver.RepositoryEnvironment();
}
