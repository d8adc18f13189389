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

    private static void Signal(int pid, string signal)
    {
        using var p = Process.Start("kill", ["-" + signal, pid.ToString()]);
        p.WaitForExit();
    }

    private static async Task<T> PollAsync<T>(Func<T?> probe, string what, TimeSpan? limit = null) where T : class
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < (limit ?? TimeSpan.FromSeconds(60)))
        {
            if (probe() is { } v) return v;
            await Task.Delay(10);
        }
        throw new TimeoutException("Never saw " + what);
    }

    [PostgresFact]
    public async Task A_worker_resumed_after_stale_detection_failed_it_never_overwrites_the_record_and_removes_its_files()
    {
        var db = await TestSql.PgCreateAsync("fence", """
            CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);
            INSERT INTO t SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 300000) g;
            """);
        _databases.Add(db);
        var staleAfter = BackupEngine.StaleAfter;
        var lockTimeout = BackupRepository.RecordLockTimeout;
        try
        {
            BackupEngine.StaleAfter = TimeSpan.FromSeconds(2);
            // A worker stopped inside its (millisecond) record write holds the record's lock: then
            // stale detection gives up quickly and the test resumes and stops the worker again.
            BackupRepository.RecordLockTimeout = TimeSpan.FromSeconds(1);
            var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db), Jobs = 1 }, CancellationToken.None);
            var folder = _repo.Engine.Repository.BackupFolder(started.Id);
            var running = await PollAsync(() => _repo.Engine.Repository.TryReadBackup(started.Id) is { State: OperationState.Running, Progress.Phase: "Data", WorkerProcessId: not null } r ? r : null,
                "the worker in its data phase");
            var pid = running.WorkerProcessId!.Value;
            BackupRecord failed = running;
            for (var attempt = 0; attempt < 5 && failed.State != OperationState.Failed; attempt++)
            {
                Signal(pid, "STOP");
                Assert.True(Directory.EnumerateFiles(Path.Combine(folder, "payload"), "*", SearchOption.AllDirectories).Any(), "the worker had written payload files");
                await Task.Delay(BackupEngine.StaleAfter + TimeSpan.FromSeconds(1.5));
                failed = _repo.Engine.GetBackup(started.Id);
                if (failed.State != OperationState.Failed) Signal(pid, "CONT");
            }
            Assert.Equal(OperationState.Failed, failed.State);
            Assert.Contains("no heartbeat", failed.StatusMessage);
            Assert.False(Directory.Exists(Path.Combine(folder, "payload")), "stale detection removed the payload");

            Signal(pid, "CONT");
            await PollAsync(() => ProcessLiveness.IsAlive(pid) ? null : "gone", "the resumed worker exiting");

            var after = _repo.Engine.Repository.TryReadBackup(started.Id)!;
            Assert.Equal(OperationState.Failed, after.State);
            Assert.Equal(failed.StatusMessage, after.StatusMessage);
            Assert.Equal(failed.Revision, after.Revision);
            Assert.Empty(after.Files);
            Assert.Equal(["manifest.json"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
            var log = _repo.Engine.ReadActivity(new ActivityQuery { Id = started.Id }).Items;
            Assert.DoesNotContain(log, e => e.Action == "BackupSucceeded");
            Assert.Contains(log, e => e.Action == "BackupFailed" && e.Message!.Contains("no longer owns"));
            Assert.Empty(Directory.EnumerateFiles(_repo.Engine.Repository.LocksFolder));
            var status = await CliRunner.RunAsync(["status", "--id", started.Id], new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _repo.Path });
            Assert.Equal(0, status.ExitCode);
            Assert.Contains("Failed", status.StdOut);
        }
        finally
        {
            BackupEngine.StaleAfter = staleAfter;
            BackupRepository.RecordLockTimeout = lockTimeout;
        }
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
