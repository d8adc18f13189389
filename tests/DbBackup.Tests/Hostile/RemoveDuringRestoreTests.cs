using System.Diagnostics;
using System.Text.Json;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Hostile;

/// <summary>dbbackup remove, and retention after a backup, racing a restore that reads the same backup: the
/// restore is held after its checks, before it loads anything. Removing the backup then used to succeed,
/// and the restore failed half-way with its source gone; now the removal is refused naming the restore
/// (even with --force), retention skips that backup, and the restore ends Succeeded with every row.</summary>
public abstract class RemoveDuringRestoreTests : IDisposable
{
    private readonly string _pause = Directory.CreateTempSubdirectory("dbbackup-rmrestore-").FullName;
    private readonly List<string> _databases = [];

    /// <summary>A fresh repository address.</summary>
    protected abstract Task<string> NewRepositoryAsync();

    /// <summary>The environment that reaches the store.</summary>
    protected abstract Dictionary<string, string?> StoreEnvironment();

    /// <summary>Deletes what the subclass made besides the store's objects.</summary>
    protected virtual void DisposeRepository() { }

    [StoreFact]
    public async Task A_backup_being_restored_is_neither_removed_nor_pruned_and_the_restore_completes()
    {
        var db = await TestSql.PgCreateAsync("rmrestore", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 3000) g;");
        _databases.Add(db);
        var copy = db + "_copy";
        _databases.Add(copy);
        var pg = TestServers.Postgres();
        var env = StoreEnvironment();
        env["PGPASSWORD"] = pg.Password;
        env["DBBACKUP_REPOSITORY"] = await NewRepositoryAsync();
        string[] server = ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];
        async Task<string> BackupAsync()
        {
            var run = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--wait", "--json"], env);
            Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);
            return JsonDocument.Parse(run.StdOut).RootElement.GetProperty("Id").GetString()!;
        }
        var read = await BackupAsync();
        var older = await BackupAsync();

        var started = await CliRunner.RunAsync(["restore", "--id", read, .. server, "--target-database", copy, "--json"],
            new Dictionary<string, string?>(env) { [WorkerPausePoints.StepsVariable] = "restore:load", [WorkerPausePoints.FolderVariable] = _pause });
        Assert.True(started.ExitCode == 0, started.StdErr + started.StdOut);
        var restore = JsonDocument.Parse(started.StdOut).RootElement.GetProperty("Id").GetString()!;
        var marker = WorkerPausePoints.MarkerPath(_pause, "restore:load");
        var sw = Stopwatch.StartNew();
        while (!File.Exists(marker) && sw.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(20);
        Assert.True(File.Exists(marker), "the restore never reached its load");

        var store = StoreFactory.Open(RepositoryAddress.Parse(env["DBBACKUP_REPOSITORY"]!), name => env.GetValueOrDefault(name));
        var keys = await KeysAsync(store, $"backups/{read}/");
        var removed = await CliRunner.RunAsync(["remove", "--id", read, "--force"], env);
        Assert.True(removed.ExitCode == 4, removed.StdErr + removed.StdOut);
        Assert.Contains("BackupInUse", removed.StdErr, StringComparison.Ordinal);
        Assert.Contains(restore, removed.StdErr, StringComparison.Ordinal);
        Assert.Equal(keys, await KeysAsync(store, $"backups/{read}/"));

        // Retention after a new backup with KeepLast 1: the older backup goes, the one being restored stays.
        Assert.Equal(0, (await CliRunner.RunAsync(["repository", "set", "--keep-last", "1"], env)).ExitCode);
        var newest = await BackupAsync();
        Assert.Empty(await KeysAsync(store, $"backups/{older}/"));
        Assert.Equal(keys, await KeysAsync(store, $"backups/{read}/"));

        File.Delete(marker);
        var waited = await CliRunner.RunAsync(["wait", "--id", restore, "--json"], env);
        Assert.True(waited.ExitCode == 0, waited.StdErr + waited.StdOut);
        Assert.Equal("Succeeded", JsonDocument.Parse(waited.StdOut).RootElement.GetProperty("State").GetString());
        const string rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";
        Assert.Equal(await TestSql.PgColumnAsync(db, rows), await TestSql.PgColumnAsync(copy, rows));

        // Once the restore has ended the backup can go.
        var after = await CliRunner.RunAsync(["remove", "--id", read, "--force"], env);
        Assert.True(after.ExitCode == 0, after.StdErr);
        Assert.Empty(await KeysAsync(store, $"backups/{read}/"));
        Assert.NotEmpty(await KeysAsync(store, $"backups/{newest}/"));
    }

    private static async Task<List<string>> KeysAsync(IRepositoryStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var e in store.ListAsync(prefix, CancellationToken.None)) keys.Add(e.Key);
        return keys;
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        DisposeRepository();
        Directory.Delete(_pause, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary><see cref="RemoveDuringRestoreTests"/> on a local folder.</summary>
public sealed class LocalRemoveDuringRestoreTests : RemoveDuringRestoreTests
{
    private readonly TestRepository _folder = new();

    /// <summary>Never skipped.</summary>
    public static string? SkipReason => null;

    protected override Task<string> NewRepositoryAsync() => Task.FromResult(_folder.Path);

    protected override Dictionary<string, string?> StoreEnvironment() => [];

    protected override void DisposeRepository() => _folder.Dispose();
}

/// <summary><see cref="RemoveDuringRestoreTests"/> in s3rver.</summary>
public sealed class S3RemoveDuringRestoreTests : RemoveDuringRestoreTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    protected override Task<string> NewRepositoryAsync() => S3rver.NewRepositoryAsync();

    protected override Dictionary<string, string?> StoreEnvironment() => S3rver.RepositoryEnvironment();
}
