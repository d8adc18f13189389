using System.Diagnostics;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>A real worker paused with SIGSTOP in its data phase, declared Failed by stale detection,
/// then resumed with SIGCONT: it is fenced, so the record stays Failed, and the worker removes what
/// it wrote and exits without touching the record. (Process-wide: it shortens the stale timeout.)</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class WorkerFencingTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];
    private readonly TimeSpan _staleAfter = BackupEngine.StaleAfter;
    private readonly TimeSpan _lockTimeout = BackupRepository.RecordLockTimeout;

    public WorkerFencingTests()
    {
        // Stale detection runs in this process: a silent worker is declared gone after 2 s, and a
        // record lock held by a worker stopped mid-write is given up after 1 s.
        BackupEngine.StaleAfter = TimeSpan.FromSeconds(2);
        BackupRepository.RecordLockTimeout = TimeSpan.FromSeconds(1);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await probe() is { } v) return v;
            await Task.Delay(10);
        }
        throw new TimeoutException("Never saw " + what);
    }

    /// <summary>SIGSTOPs the worker until stale detection (run here, with a short timeout) declares its
    /// record Failed. A worker stopped inside its millisecond record write holds the record's lock, and
    /// stale detection then leaves the record alone: resume it briefly and stop it again.</summary>
    private static async Task<T> StopUntilDeclaredFailedAsync<T>(int pid, Func<T> detect) where T : OperationRecord
    {
        for (var attempt = 0; ; attempt++)
        {
            PausingWorkers.Signal(pid, "STOP");
            await Task.Delay(BackupEngine.StaleAfter + TimeSpan.FromSeconds(1.5));
            var r = detect();
            if (r.State == OperationState.Failed || attempt == 4) return r;
            PausingWorkers.Signal(pid, "CONT");
            await Task.Delay(100);
        }
    }

    // Big enough that the data phase outlasts a heartbeat or two (the record shows Phase "Data" only then),
    // now that backups are faster.
    private async Task<string> BigDbAsync()
    {
        var db = await TestSql.PgCreateAsync("fence", """
            CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);
            INSERT INTO t SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 1000000) g;
            """);
        _databases.Add(db);
        return db;
    }

    private Task WorkerGoneAsync(int pid) => PollAsync(() => Task.FromResult(ProcessLiveness.IsAlive(pid) ? null : "gone"), "the resumed worker exiting");

    [PostgresFact]
    public async Task A_backup_worker_resumed_after_stale_detection_failed_it_never_overwrites_the_record_and_removes_its_files()
    {
        var db = await BigDbAsync();
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db), Jobs = 1 }, CancellationToken.None);
        var folder = _repo.Engine.Repository.BackupFolder(started.Id);
        var running = await PollAsync(() => Task.FromResult(_repo.Engine.Repository.TryReadBackup(started.Id) is { State: OperationState.Running, Progress.Phase: "Data", WorkerProcessId: not null } r ? r : null),
            "the worker in its data phase");
        var pid = running.WorkerProcessId!.Value;
        var failed = await StopUntilDeclaredFailedAsync(pid, () => _repo.Engine.GetBackup(started.Id));
        Assert.Equal(OperationState.Failed, failed.State);
        Assert.Contains("no heartbeat", failed.StatusMessage);
        Assert.False(Directory.Exists(Path.Combine(folder, "payload")), "stale detection removed the payload");

        PausingWorkers.Signal(pid, "CONT");
        await WorkerGoneAsync(pid);

        var after = _repo.Engine.Repository.TryReadBackup(started.Id)!;
        Assert.Equal(OperationState.Failed, after.State);
        Assert.Equal(failed.StatusMessage, after.StatusMessage);
        Assert.Equal(failed.Revision, after.Revision);
        Assert.Empty(after.Files);
        Assert.Equal(["manifest.json"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
        var log = _repo.Engine.ReadActivity(new ActivityQuery { Id = started.Id }).Items;
        Assert.DoesNotContain(log, e => e.Action == "BackupSucceeded");
        Assert.Contains(log, e => e.Action == "BackupFailed" && e.Message!.Contains("no longer owns"));
        Assert.Empty(Directory.EnumerateFiles(_repo.Engine.Repository.LocksFolder()));
        var status = await CliRunner.RunAsync(["status", "--id", started.Id], new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _repo.Path });
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("Failed", status.StdOut);
    }

    [PostgresFact]
    public async Task A_restore_worker_resumed_after_stale_detection_failed_it_drops_its_copy_and_never_swaps()
    {
        // The worker is held at a pause point while it fills its aside copy (data loaded, post-data
        // next), so the test never races a restore that finishes first.
        using var workers = new PausingWorkers("restore:post-data");
        var db = await BigDbAsync();
        var started = await workers.Plain.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var backup = (BackupRecord)await workers.Plain.WaitAsync(started.Id, TimeSpan.FromMinutes(3), null, CancellationToken.None);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'after the backup' WHERE id = 7");

        var restore = await workers.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true, Jobs = 1 }, CancellationToken.None);
        var aside = BackupEngine.AsideName(db, restore.Id);
        _databases.Add(aside);
        var pid = await workers.ReachedAsync("restore:post-data");
        Assert.True(await TestSql.PgExistsAsync(aside), "the paused worker is filling its aside copy");
        var failed = await StopUntilDeclaredFailedAsync(pid, () => workers.Plain.GetRestore(restore.Id));
        Assert.Equal(OperationState.Failed, failed.State);

        PausingWorkers.Signal(pid, "CONT");
        workers.Resume("restore:post-data");
        await WorkerGoneAsync(pid);

        var after = workers.Plain.Repository.TryReadRestore(restore.Id)!;
        Assert.Equal(OperationState.Failed, after.State);
        Assert.Equal(failed.StatusMessage, after.StatusMessage);
        Assert.Equal(failed.Revision, after.Revision);
        Assert.False(await TestSql.PgExistsAsync(aside), "the fenced worker dropped its partly filled copy");
        Assert.Equal(["after the backup"], await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 7"));
        Assert.Equal(["1000000"], await TestSql.PgColumnAsync(db, "SELECT count(*)::text FROM t"));
        var log = workers.Plain.ReadActivity(new ActivityQuery { Id = restore.Id }).Items;
        Assert.DoesNotContain(log, e => e.Action == "RestoreSucceeded");
        Assert.Contains(log, e => e.Action == "RestoreFailed" && e.Message!.Contains("no longer owns"));
    }

    public void Dispose()
    {
        BackupEngine.StaleAfter = _staleAfter;
        BackupRepository.RecordLockTimeout = _lockTimeout;
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
