using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>What a worker leaves behind when it is killed or cancelled: its temp files (in a folder
/// named after the operation) and its cancel request are removed by whoever finds it dead, or by the
/// worker itself when it ends. Counts the files before and after.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class WorkerLeftoversTests
{
    private static string[] FilesUnder(string folder)
        => Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal).ToArray();

    private static string[] SchemaCopiesInTemp(DateTime since)
        => Directory.EnumerateFiles(Path.GetTempPath(), "dbbackup-schema-*.dump").Where(f => File.GetLastWriteTimeUtc(f) >= since).ToArray();

    [PostgresFact]
    public async Task A_restore_killed_in_post_data_leaves_no_schema_copy_once_found_dead()
    {
        var since = DateTime.UtcNow.AddSeconds(-1);
        using var workers = new PausingWorkers("restore:post-data");
        var db = await TestSql.PgCreateAsync("hleft", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g; CREATE INDEX t_v ON t (v);");
        var restoreId = "";
        try
        {
            var started = await workers.Plain.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
            var backup = (BackupRecord)await workers.Plain.WaitAsync(started.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);
            Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
            var restore = await workers.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true, Jobs = 2 }, CancellationToken.None);
            restoreId = restore.Id;
            var pid = await workers.ReachedAsync("restore:post-data");

            var folder = workers.Plain.Repository.RestoreFolder(restore.Id);
            var during = FilesUnder(folder);
            Assert.Contains(during, f => f.StartsWith("tmp/dbbackup-schema-", StringComparison.Ordinal) && f.EndsWith(".dump", StringComparison.Ordinal));
            Assert.Empty(SchemaCopiesInTemp(since));
            await PausingWorkers.KillAsync(pid);

            Assert.Equal(OperationState.Failed, workers.Plain.GetRestore(restore.Id).State);
            Assert.Equal(["record.json"], FilesUnder(folder));
            Assert.Empty(SchemaCopiesInTemp(since));
        }
        finally
        {
            await TestSql.PgDropAsync(db);
            if (restoreId.Length > 0) await TestSql.PgDropAsync(BackupEngine.AsideName(db, restoreId));
        }
    }

    [PostgresFact]
    public async Task A_cancelled_backup_leaves_only_its_manifest()
    {
        using var workers = new PausingWorkers("backup:data");
        var db = await TestSql.PgCreateAsync("hleft", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g;");
        try
        {
            var started = await workers.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
            var pid = await workers.ReachedAsync("backup:data");
            var cancel = workers.Plain.CancelAsync(started.Id, CancellationToken.None);
            var cancelFile = Path.Combine(workers.Plain.Repository.BackupFolder(started.Id), "cancel.requested");
            // The worker has seen the request once it writes a heartbeat after the request was written
            // (each heartbeat tick looks for the request first).
            await PollAsync(() => File.Exists(cancelFile) && workers.Plain.Repository.TryReadBackup(started.Id)!.HeartbeatAt > File.GetLastWriteTimeUtc(cancelFile).AddMilliseconds(1));
            workers.Resume("backup:data");

            var done = await cancel;
            Assert.Equal(OperationState.Cancelled, done.State);
            await PausingWorkers.ExitedAsync(pid);
            Assert.Equal(["manifest.json"], FilesUnder(workers.Plain.Repository.BackupFolder(started.Id)));
        }
        finally
        {
            await TestSql.PgDropAsync(db);
        }
    }

    [PostgresFact]
    public async Task A_backup_killed_after_a_cancel_request_leaves_only_its_manifest_once_found_dead()
    {
        using var workers = new PausingWorkers("backup:data");
        var db = await TestSql.PgCreateAsync("hleft", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g;");
        try
        {
            var started = await workers.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
            var pid = await workers.ReachedAsync("backup:data");
            var cancel = workers.Plain.CancelAsync(started.Id, CancellationToken.None);
            var folder = workers.Plain.Repository.BackupFolder(started.Id);
            await PollAsync(() => File.Exists(Path.Combine(folder, "cancel.requested")));
            await PausingWorkers.KillAsync(pid);

            var done = await cancel;
            Assert.Equal(OperationState.Failed, done.State);
            Assert.Contains("gone", done.StatusMessage);
            Assert.Equal(["manifest.json"], FilesUnder(folder));
            Assert.Empty(Directory.EnumerateFiles(workers.Plain.Repository.LocksFolder()));
        }
        finally
        {
            await TestSql.PgDropAsync(db);
        }
    }

    private static async Task PollAsync(Func<bool> condition)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The condition never held.");
            await Task.Delay(20);
        }
    }
}
