using System.Diagnostics;
using System.Text.Json;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>Processes killed at the worst moment: the worker mid-restore (kill -9), the `--wait`
/// caller (SIGINT), a client tool under the worker (kill -9).</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class KilledProcessTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<(bool Pg, string Db)> _databases = [];

    /// <summary>Child processes (pid, command name) of <paramref name="parent"/>.</summary>
    private static IEnumerable<(int Pid, string Comm)> Children(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; }
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (int.Parse(stat[(close + 2)..].Split(' ')[1]) == parent) yield return (pid, stat[(open + 1)..close]);
        }
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

    private async Task<string> PgDbAsync(int rows)
    {
        var db = await TestSql.PgCreateAsync("hkill", $"""
            CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);
            INSERT INTO t SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, {rows}) g;
            CREATE INDEX t_v ON t (v);
            """);
        _databases.Add((true, db));
        return db;
    }

    [PostgresFact]
    public async Task Killing_the_worker_mid_restore_leaves_the_original_untouched_fails_the_record_and_frees_the_lock()
    {
        var db = await PgDbAsync(300000);
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'after the backup' WHERE id = 7");

        var restore = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true }, CancellationToken.None);
        var aside = BackupEngine.AsideName(db, restore.Id);
        _databases.Add((true, aside));
        // Kill it once the aside database is being filled.
        var running = await PollAsync(async () =>
        {
            var r = _repo.Engine.Repository.TryReadRestore(restore.Id)!;
            return r.WorkerProcessId is { } && r.State == OperationState.Running && await TestSql.PgExistsAsync(aside) ? r : null;
        }, "the restore filling its aside database");
        await PausingWorkers.KillAsync(running.WorkerProcessId!.Value);

        var after = _repo.Engine.GetRestore(restore.Id);
        Assert.Equal(OperationState.Failed, after.State);
        Assert.Contains("gone", after.StatusMessage);
        Assert.Contains(running.WorkerProcessId.Value.ToString(), after.StatusMessage);
        // The operator is told about the half-restored aside database (the worker could not drop it).
        Assert.Contains(aside, after.StatusMessage);
        Assert.Contains($"'{db}' was not changed", after.StatusMessage);
        Assert.Empty(Directory.EnumerateFiles(_repo.Engine.Repository.LocksFolder()));
        Assert.Equal("300000", (await TestSql.PgColumnAsync(db, "SELECT count(*) FROM t")).Single());
        Assert.Equal("after the backup", (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 7")).Single());
        Assert.Contains(_repo.Engine.ReadActivity(new ActivityQuery { Id = restore.Id }).Items, e => e.Action == "RestoreFailed" && e.IsError);

        // The target is free again: a new restore runs to the end and brings back the backed-up row,
        // after dropping the half-filled copy the dead one left (it has the credentials to).
        var again = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true }, CancellationToken.None);
        var done = await _repo.WaitAsync<RestoreRecord>(again.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.False(await TestSql.PgExistsAsync(aside));
        var settled = _repo.Engine.GetRestore(restore.Id);
        Assert.False(settled.LeftoversPending);
        Assert.Contains($"dropped the partly restored copy '{aside}'", settled.StatusMessage);
        Assert.Contains(_repo.Engine.ReadActivity(new ActivityQuery { Id = restore.Id }).Items, e => e.Action == "RestoreLeftoversSettled" && e.Message!.Contains(again.Id));
        Assert.Equal((await TestSql.PgColumnAsync("postgres", "SELECT repeat(md5('7'), 8)")).Single(), (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 7")).Single());
    }

    // With --wait (and Start-/Restore-DbBackup -Wait in a pwsh session) the worker runs inside the
    // caller's process, so killing the caller kills the worker: the record names the dead process
    // instead of staying Running, the lock is free, and the next restore drops the aside copy.
    [PostgresFact]
    public async Task Killing_a_wait_caller_that_runs_the_restore_in_process_mid_swap_fails_the_record_and_the_next_restore_settles_it()
    {
        var db = await PgDbAsync(2000);
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'after the backup' WHERE id = 7");
        var pause = Directory.CreateTempSubdirectory("dbb-inproc-kill").FullName;
        try
        {
            var t = TestServers.Postgres();
            var env = new Dictionary<string, string?>
            {
                ["PGPASSWORD"] = t.Password, ["DBBACKUP_REPOSITORY"] = _repo.Path,
                [WorkerPausePoints.StepsVariable] = "restore:mid-swap", [WorkerPausePoints.FolderVariable] = pause,
            };
            var caller = CliRunner.RunAsync(["restore", "--id", backup.Id, "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName,
                "--database", db, "--force", "--skip-safety-backup", "--wait", "--json"], env);
            var marker = WorkerPausePoints.MarkerPath(pause, "restore:mid-swap");
            var pid = await PollAsync(() => Task.FromResult(File.Exists(marker) ? File.ReadAllText(marker) : null), "the in-process worker at the swap");
            var restore = Assert.Single(_repo.Engine.Repository.ReadAllRestores());
            // The worker is the caller itself, not a child it started.
            Assert.Equal(int.Parse(pid), restore.WorkerProcessId);
            await PausingWorkers.KillAsync(int.Parse(pid));
            Assert.NotEqual(0, (await caller).ExitCode);

            var dead = _repo.Engine.GetRestore(restore.Id);
            Assert.Equal(OperationState.Failed, dead.State);
            Assert.Contains($"process {pid}", dead.StatusMessage);
            Assert.Empty(Directory.EnumerateFiles(_repo.Engine.Repository.LocksFolder()));
            Assert.Equal("after the backup", (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 7")).Single());
            var aside = BackupEngine.AsideName(db, restore.Id);
            _databases.Add((true, aside));

            var again = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true }, CancellationToken.None);
            var done = await _repo.WaitAsync<RestoreRecord>(again.Id);
            Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
            Assert.False(await TestSql.PgExistsAsync(aside));
            Assert.False(_repo.Engine.GetRestore(restore.Id).LeftoversPending);
            Assert.Equal((await TestSql.PgColumnAsync("postgres", "SELECT repeat(md5('7'), 8)")).Single(), (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 7")).Single());
        }
        finally { Directory.Delete(pause, recursive: true); }
    }

    [PostgresFact]
    public async Task Sigint_to_the_cli_wait_caller_cancels_the_backup()
    {
        var db = await PgDbAsync(400000);
        var t = TestServers.Postgres();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { TestRepository.CliDll, "backup", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName, "--database", db, "--jobs", "1", "--wait", "--json" })
            psi.ArgumentList.Add(a);
        psi.Environment["PGPASSWORD"] = t.Password;
        psi.Environment["DBBACKUP_REPOSITORY"] = _repo.Path;
        // The worker (inside the CLI: --wait) holds before its data until the signal is in, so a fast backup
        // cannot end first; it goes on half a second after the signal (the CLI gives a cancelled command 2 s to end).
        var pause = Directory.CreateTempSubdirectory("dbbackup-pause-").FullName;
        psi.Environment[WorkerPausePoints.StepsVariable] = "backup:data,backup:ended";
        psi.Environment[WorkerPausePoints.FolderVariable] = pause;
        using var cli = Process.Start(psi)!;
        var stdout = cli.StandardOutput.ReadToEndAsync();
        var stderr = cli.StandardError.ReadToEndAsync();
        var running = await PollAsync(() => Task.FromResult(_repo.Engine.Repository.ReadAllBackups().FirstOrDefault(b => b.State == OperationState.Running)), "a running backup");
        await PollAsync(() => Task.FromResult(File.Exists(WorkerPausePoints.MarkerPath(pause, "backup:data")) ? pause : null), "the worker held before its data");
        PausingWorkers.Signal(cli.Id, "INT");
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        File.Delete(WorkerPausePoints.MarkerPath(pause, "backup:data"));
        // Held again once its record says Cancelled, before it releases the target's lock: a CLI that exited on
        // the record alone would be gone within this second, leaving the lock behind.
        var ended = WorkerPausePoints.MarkerPath(pause, "backup:ended");
        await PollAsync(() => Task.FromResult(File.Exists(ended) ? ended : null), "the worker's record ended, its lock still held");
        await Task.Delay(TimeSpan.FromSeconds(1));
        File.Delete(ended);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await cli.WaitForExitAsync(timeout.Token);

        Assert.True(cli.ExitCode == 9, $"exit {cli.ExitCode}: {await stderr}");
        var printed = JsonSerializer.Deserialize<JsonElement>(await stdout);
        Assert.Equal(running.Id, printed.GetProperty("Id").GetString());
        Assert.Equal("Cancelled", printed.GetProperty("State").GetString());
        var record = _repo.Engine.GetBackup(running.Id);
        Assert.Equal(OperationState.Cancelled, record.State);
        Assert.Empty(record.Files);
        Assert.False(Directory.Exists(Path.Combine(_repo.Engine.Repository.BackupFolder(running.Id), "payload")));
        // The worker ran inside the CLI, which has exited: its lock must be gone already, not left for the
        // next operation to find stale (the CLI used to exit once the record said Cancelled, under the
        // worker still releasing its lock).
        var locks = _repo.Engine.Repository.LocksFolder();
        Assert.Empty(Directory.Exists(locks) ? Directory.EnumerateFiles(locks) : []);
    }

    [MySqlFact]
    public async Task Killing_the_data_session_under_a_backup_worker_fails_the_backup_as_a_lost_connection()
    {
        // The rows travel through the worker's own driver session (no client process): the server killing
        // that session is what can happen to it.
        var db = await TestSql.MyCreateAsync("hkill", "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL); INSERT INTO t SELECT seq, repeat(md5(seq), 8) FROM seq_1_to_1000000;");
        _databases.Add((false, db));
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.MySql(db), Jobs = 1 }, CancellationToken.None);
        // Watched on the server, not through the record's progress: that is written about once a second, and
        // the whole data phase of this table can be shorter than that on an idle machine.
        await PollAsync(async () =>
        {
            var session = (await TestSql.MyExecAsync(null, $"SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT CAST(%FROM `{db}`.`t`%' AND id <> CONNECTION_ID()")).Trim();
            if (session.Length == 0) return null;
            await TestSql.MyExecAsync(null, $"KILL CONNECTION {session}");
            return session;
        }, "the worker's session reading table data");

        var done = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.Equal(OperationState.Failed, done.State);
        Assert.Contains("was lost while it was working", done.StatusMessage);
        Assert.Empty(done.Files);
        Assert.False(Directory.Exists(Path.Combine(_repo.Engine.Repository.BackupFolder(done.Id), "payload")));
        await PausingWorkers.LocksReleasedAsync(_repo.Engine.Repository.LocksFolder());
    }

    public void Dispose()
    {
        foreach (var (pg, db) in _databases)
            (pg ? TestSql.PgDropAsync(db) : TestSql.MyDropAsync(db)).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
