using System.Text.Json;
using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Storage;

/// <summary>Restore-history retention in a local folder, where every record also has a lock file
/// (locks/records/&lt;id&gt;.lock): it goes with its record, and orphaned ones are swept once an hour old
/// and held by nobody. Also the real triggers (a backup and a restore through the CLI) and the CLI's
/// remove of a restore id.</summary>
public sealed class LocalRestoreHistoryTests : RestoreHistoryRetentionTests
{
    /// <summary>Never skipped: a local folder is always there.</summary>
    public static string? SkipReason => null;

    private readonly List<string> _folders = [];
    private readonly List<string> _databases = [];

    protected override BackupRepository NewRepository()
    {
        var path = Path.Combine(Path.GetTempPath(), "dbbackup-history-" + Guid.NewGuid().ToString("N")[..10]);
        _folders.Add(path);
        return new BackupRepository(path);
    }

    [StoreFact]
    public async Task A_pruned_restore_takes_its_lock_file_and_orphaned_lock_files_an_hour_old_are_swept_unless_held()
    {
        var repo = NewRepository();
        var locks = Path.Combine(repo.Location, "locks", "records");
        var old = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 200);
        var newest = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 100);
        string LockOf(string name) => Path.Combine(locks, name + ".lock");
        Assert.True(File.Exists(LockOf(old.Id)), "a record written compare-and-swap has its lock file");
        var hourAgo = DateTime.UtcNow.AddMinutes(-61);
        File.SetLastWriteTimeUtc(LockOf(newest.Id), hourAgo);
        var orphanedRecord = Orphan(LockOf("bk-20200101000000000-aaaaaa"), hourAgo);
        var youngOrphan = Orphan(LockOf("rs-20200101000000000-bbbbbb"), DateTime.UtcNow);
        var heldOrphan = Orphan(LockOf("bk-20200101000000000-cccccc"), hourAgo);
        var orphanedTargetLock = Orphan(LockOf("locks~postgresql-gone-0123456789abcdef.lock"), hourAgo);
        var orphanedPolicy = Orphan(LockOf("policies~gone.json"), hourAgo);

        using (new FileStream(heldOrphan, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            Assert.Equal([old.Id], (await EngineOver(repo).ApplyRestoreHistoryRetentionAsync(CancellationToken.None)).Select(r => r.Id));

        Assert.False(File.Exists(LockOf(old.Id)), "the pruned restore's lock file");
        Assert.True(File.Exists(LockOf(newest.Id)), "a kept record's lock file, however old");
        Assert.False(File.Exists(orphanedRecord));
        Assert.False(File.Exists(orphanedTargetLock));
        Assert.False(File.Exists(orphanedPolicy));
        Assert.True(File.Exists(youngOrphan), "a lock file younger than an hour may be one being taken now");
        Assert.True(File.Exists(heldOrphan), "a held lock file is never taken away");

        // A record whose lock file was swept is written as before (its lock file made afresh).
        var again = repo.TryReadRestore(newest.Id)!;
        again.Note = "still writable";
        Assert.True(repo.WriteRestore(again));
    }

    [StoreFact]
    public async Task A_backup_and_a_restore_through_the_CLI_prune_the_restore_history_and_remove_takes_a_restore_id()
    {
        var db = await TestSql.PgCreateAsync("rshistory", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g;");
        _databases.Add(db);
        var repo = NewRepository();
        var pg = TestServers.Postgres();
        var env = new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = repo.Location, ["PGPASSWORD"] = pg.Password };
        string[] server = ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];
        var set = await CliRunner.RunAsync(["repository", "set", "--restore-history-days", "30", "--json"], env);
        Assert.True(set.ExitCode == 0, set.StdErr);
        Assert.Equal(30, JsonDocument.Parse(set.StdOut).RootElement.GetProperty("Settings").GetProperty("RestoreHistoryDays").GetInt32());

        var beforeBackup = RestoreRecords.Write(repo, "app", OperationState.Failed, daysAgo: 40);
        RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 35);
        var backup = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        Assert.Null(repo.TryReadRestore(beforeBackup.Id));

        var beforeRestore = RestoreRecords.Write(repo, "app", OperationState.Cancelled, daysAgo: 50);
        var copy = db + "_copy";
        _databases.Add(copy);
        var restore = await CliRunner.RunAsync(["restore", "--id", JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!, .. server, "--target-database", copy, "--wait", "--json"], env);
        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        Assert.Null(repo.TryReadRestore(beforeRestore.Id));
        var restoreId = JsonDocument.Parse(restore.StdOut).RootElement.GetProperty("Id").GetString()!;
        Assert.Equal(OperationState.Succeeded, repo.TryReadRestore(restoreId)!.State);

        var removed = await CliRunner.RunAsync(["remove", "--id", restoreId, "--json"], env);
        Assert.True(removed.ExitCode == 0, removed.StdErr);
        Assert.Equal(restoreId, JsonDocument.Parse(removed.StdOut).RootElement.GetProperty("Id").GetString());
        Assert.Null(repo.TryReadRestore(restoreId));
        Assert.False(File.Exists(Path.Combine(repo.Location, "locks", "records", restoreId + ".lock")));
    }

    private static string Orphan(string path, DateTime modified)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        File.SetLastWriteTimeUtc(path, modified);
        return path;
    }

    public override void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        foreach (var folder in _folders)
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        base.Dispose();
    }
}
