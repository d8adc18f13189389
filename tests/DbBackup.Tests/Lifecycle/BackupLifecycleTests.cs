using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using Npgsql;

namespace DbBackup.Tests.Lifecycle;

/// <summary>The backup lifecycle through the engine and real detached workers, against real PostgreSQL.</summary>
public sealed class BackupLifecycleTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    private const string Schema = """
        CREATE TABLE orders (id serial PRIMARY KEY, created_at timestamptz NOT NULL, item text);
        INSERT INTO orders (created_at, item) SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '1 day', 'item ' || g FROM generate_series(1, 60) g;
        CREATE TABLE customers (id int PRIMARY KEY, name text);
        INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bob');
        """;

    private async Task<string> NewDbAsync(string sql = Schema)
    {
        var db = await TestSql.PgCreateAsync("life", sql);
        _databases.Add(db);
        return db;
    }

    private static BackupOptions Options(string db, Action<BackupOptionsBuilder>? change = null)
    {
        var b = new BackupOptionsBuilder { Target = TestServers.Postgres(db) };
        change?.Invoke(b);
        return b.Build();
    }

    [PostgresFact]
    public async Task Start_returns_a_pending_record_at_once_and_the_worker_finishes_it()
    {
        var db = await NewDbAsync();
        var started = await _repo.Engine.StartBackupAsync(Options(db, o => { o.Labels["env"] = "test"; o.Note = "nightly"; }), CancellationToken.None);
        Assert.Equal(OperationState.Pending, started.State);
        Assert.NotNull(started.WorkerProcessId);
        Assert.Equal("test", started.Labels["env"]);
        Assert.Matches(@"^\d{14}$", started.Name);

        var done = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.Equal(OperationState.Succeeded, done.State);
        Assert.Equal("OK", done.StatusMessage);
        Assert.NotEmpty(done.Files);
        Assert.Equal(done.Files.Sum(f => f.Size), done.SizeBytes);
        Assert.Equal(BackupEngine.FileListHash(done.Files), done.Sha256);
        Assert.Contains(done.TableStats, t => t.Name == "orders" && t.Rows == 60);
        Assert.Contains(done.TableStats, t => t.Name == "customers" && t.Rows == 2);
        Assert.Equal(100, done.Progress!.Percent);
        foreach (var f in done.Files) Assert.True(File.Exists(Path.Combine(_repo.Path, "backups", done.Id, f.Name)), f.Name);
        var log = _repo.Engine.ReadActivity(new ActivityQuery { Id = started.Id }).Items.Select(e => e.Action).ToList();
        Assert.Contains("BackupRequested", log);
        Assert.Contains("BackupStarted", log);
        Assert.Contains("BackupSucceeded", log);
        Assert.All(_repo.Engine.ReadActivity(new ActivityQuery { Id = started.Id }).Items, e => Assert.Equal("nightly", e.Note));
    }

    [PostgresFact]
    public async Task A_reader_that_sees_a_backup_or_restore_end_also_finds_its_log_line()
    {
        // The contract: the log line is written before the final state, so a reader polling the
        // record as fast as it can never sees the end without its log line.
        var db = await NewDbAsync();
        var started = await _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None);
        await AssertLoggedWhenFinalAsync(started.Id, () => _repo.Engine.Repository.TryReadBackup(started.Id), "BackupSucceeded");
        var copy = db + "_copy";
        _databases.Add(copy);
        var restore = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = started.Id, Target = TestServers.Postgres(db), TargetDatabase = copy }, CancellationToken.None);
        await AssertLoggedWhenFinalAsync(restore.Id, () => _repo.Engine.Repository.TryReadRestore(restore.Id), "RestoreSucceeded");
    }

    private async Task AssertLoggedWhenFinalAsync(string id, Func<OperationRecord?> read, string action)
    {
        var sw = Stopwatch.StartNew();
        OperationRecord? final;
        while ((final = read()) is not { IsActive: false })
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"{id} did not end within 2 minutes.");
            await Task.Yield();
        }
        Assert.True(final.State == OperationState.Succeeded, final.StatusMessage);
        Assert.Contains(action, _repo.Engine.ReadActivity(new ActivityQuery { Id = id }).Items.Select(e => e.Action));
    }

    [PostgresFact]
    public async Task A_backup_started_by_a_cli_process_that_exits_still_completes()
    {
        var db = await NewDbAsync();
        var env = new Dictionary<string, string?> { ["PGPASSWORD"] = TestServers.Postgres().Password, ["DBBACKUP_REPOSITORY"] = _repo.Path };
        var t = TestServers.Postgres();
        var run = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--database", db, "--user", t.UserName, "--json"], env);
        Assert.True(run.ExitCode == 0, run.StdErr);
        var record = JsonSerializer.Deserialize<JsonElement>(run.StdOut);
        var id = record.GetProperty("Id").GetString()!;
        Assert.Equal("Pending", record.GetProperty("State").GetString());
        // The CLI process has exited; a new "session" polls.
        var poll = await CliRunner.RunAsync(["wait", "--id", id, "--timeout", "120", "--json"], env);
        Assert.True(poll.ExitCode == 0, poll.StdErr + poll.StdOut);
        Assert.Equal("Succeeded", JsonSerializer.Deserialize<JsonElement>(poll.StdOut).GetProperty("State").GetString());
        Assert.DoesNotContain(TestServers.Postgres().Password!, File.ReadAllText(Path.Combine(_repo.Path, "backups", id, "manifest.json")));
        Assert.DoesNotContain(TestServers.Postgres().Password!, File.ReadAllText(Path.Combine(_repo.Path, "activity.jsonl")));
    }

    /// <summary>Holds an ACCESS EXCLUSIVE lock on a table so a backup of it blocks until released.</summary>
    private static async Task<NpgsqlConnection> BlockAsync(string db, string table)
    {
        var c = new NpgsqlConnection(TestSql.PgConnectionString(db));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"BEGIN; LOCK TABLE \"{table}\" IN ACCESS EXCLUSIVE MODE", c);
        await cmd.ExecuteNonQueryAsync();
        return c;
    }

    private async Task<BackupRecord> WaitForStateAsync(string id, OperationState state)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            var r = _repo.Engine.GetBackup(id);
            if (r.State == state) return r;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{id} never reached {state}");
    }

    [PostgresFact]
    public async Task Cancel_stops_the_worker_marks_the_record_cancelled_and_removes_partial_files()
    {
        var db = await NewDbAsync();
        // Lock right after the (synchronous) validation: the worker, a new process, then blocks in the dump.
        var started = await _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None);
        await using var blocker = await BlockAsync(db, "orders");
        var running = await WaitForStateAsync(started.Id, OperationState.Running);
        var pid = running.WorkerProcessId!.Value;
        var cancelled = await _repo.Engine.CancelAsync(started.Id, CancellationToken.None);
        Assert.Equal(OperationState.Cancelled, cancelled.State);
        Assert.False(Directory.Exists(Path.Combine(_repo.Path, "backups", started.Id, "payload")) &&
                     Directory.EnumerateFiles(Path.Combine(_repo.Path, "backups", started.Id, "payload"), "*", SearchOption.AllDirectories).Any());
        await WaitUntilAsync(() => !ProcessLiveness.IsAlive(pid));
        Assert.Contains(_repo.Engine.ReadActivity(new ActivityQuery { Id = started.Id }).Items, e => e.Action == "BackupCancelled");
        // The target is free again.
        await blocker.CloseAsync();
        var next = await _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<BackupRecord>(next.Id)).State);
    }

    [PostgresFact]
    public async Task A_killed_worker_is_reported_failed_with_the_reason_and_frees_the_target()
    {
        var db = await NewDbAsync();
        // Lock right after the (synchronous) validation: the worker, a new process, then blocks in the dump.
        var started = await _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None);
        await using var blocker = await BlockAsync(db, "orders");
        var running = await WaitForStateAsync(started.Id, OperationState.Running);
        Process.GetProcessById(running.WorkerProcessId!.Value).Kill(entireProcessTree: true);
        await WaitUntilAsync(() => !ProcessLiveness.IsAlive(running.WorkerProcessId!.Value));
        var failed = _repo.Engine.GetBackup(started.Id);
        Assert.Equal(OperationState.Failed, failed.State);
        Assert.Contains("is gone", failed.StatusMessage);
        Assert.Contains(running.WorkerProcessId.ToString()!, failed.StatusMessage);
        await blocker.CloseAsync();
        var next = await _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<BackupRecord>(next.Id)).State);
    }

    [PostgresFact]
    public async Task A_second_start_on_the_same_target_is_refused_naming_the_running_operation()
    {
        var db = await NewDbAsync();
        var first = await _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None);
        await using var blocker = await BlockAsync(db, "orders");
        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None));
        Assert.Equal("TargetBusy", e.ErrorId);
        Assert.Contains(first.Id, e.Message);
        Assert.Single(_repo.Engine.ListBackups(new BackupQuery { Database = [db] }).Items);
        Assert.True(_repo.Engine.GetStatus(DatabaseEngine.PostgreSql, TestServers.Postgres().Server, TestServers.Postgres().Port, db).Running);
        await _repo.Engine.CancelAsync(first.Id, CancellationToken.None);
    }

    [PostgresFact]
    public async Task Retention_keeps_the_last_n_successful_backups_and_logs_each_removal()
    {
        var db = await NewDbAsync();
        _repo.Engine.UpdateSettings(s => s.KeepLast = 2);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var r = await _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None);
            Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<BackupRecord>(r.Id)).State);
            ids.Add(r.Id);
        }
        await WaitUntilAsync(() => _repo.Engine.ListBackups(new BackupQuery { Database = [db] }).TotalCount == 2);
        var left = _repo.Engine.ListBackups(new BackupQuery { Database = [db] }).Items.Select(b => b.Id).ToList();
        Assert.Equal([ids[2], ids[1]], left);
        Assert.False(Directory.Exists(Path.Combine(_repo.Path, "backups", ids[0])));
        Assert.Contains(_repo.Engine.ReadActivity(new ActivityQuery { Id = ids[0] }).Items, e => e.Action == "Pruned");
    }

    [PostgresFact]
    public async Task The_callback_reaches_a_local_listener_with_the_result()
    {
        var db = await NewDbAsync();
        using var listener = new CallbackListener();
        var received = listener.Received;
        var started = await _repo.Engine.StartBackupAsync(Options(db, o => o.CallbackUrl = listener.Url + "?token=secret"), CancellationToken.None);
        var done = await _repo.WaitAsync<BackupRecord>(started.Id);
        var finished = await Task.WhenAny(received, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(received, finished);
        var (method, contentType, body) = await received;
        Assert.Equal("POST", method);
        Assert.StartsWith("application/json", contentType);
        var json = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(started.Id, json.GetProperty("backupId").GetString());
        Assert.Equal("COMPLETE", json.GetProperty("result").GetString());
        Assert.Equal(db, json.GetProperty("database").GetString());
        Assert.Equal(done.SizeBytes, json.GetProperty("sizeBytes").GetInt64());
        await WaitUntilAsync(() => _repo.Engine.ReadActivity(new ActivityQuery { Id = started.Id }).Items.Any(e => e.Action == "CallbackSent"));
        Assert.DoesNotContain("token=secret", File.ReadAllText(Path.Combine(_repo.Path, "activity.jsonl")));
    }

    [PostgresFact]
    public async Task A_failing_callback_is_retried_and_never_changes_the_backup_result()
    {
        var db = await NewDbAsync();
        var port = TestServers.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/flaky/");
        listener.Start();
        var attempts = new List<DateTimeOffset>();
        var served = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                var ctx = await listener.GetContextAsync();
                attempts.Add(DateTimeOffset.UtcNow);
                ctx.Response.StatusCode = i == 0 ? 503 : 200;
                ctx.Response.Close();
            }
        });
        var started = await _repo.Engine.StartBackupAsync(Options(db, o => o.CallbackUrl = $"http://127.0.0.1:{port}/flaky/"), CancellationToken.None);
        var done = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.Equal(OperationState.Succeeded, done.State);
        Assert.Same(served, await Task.WhenAny(served, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.True(attempts[1] - attempts[0] >= TimeSpan.FromMilliseconds(900), "the retry waits (backoff)");
        await WaitUntilAsync(() => _repo.Engine.ReadActivity(new ActivityQuery { Id = started.Id }).Items.Any(e => e.Action == "CallbackSent" && e.Message!.Contains("attempt 2")));
        Assert.Equal(OperationState.Succeeded, _repo.Engine.GetBackup(started.Id).State);
    }

    [PostgresFact]
    public async Task Cli_status_of_a_target_and_wait_with_a_timeout_report_as_documented()
    {
        var db = await NewDbAsync();
        var t = TestServers.Postgres();
        var env = new Dictionary<string, string?> { ["PGPASSWORD"] = t.Password, ["DBBACKUP_REPOSITORY"] = _repo.Path };
        var started = await _repo.Engine.StartBackupAsync(Options(db), CancellationToken.None);
        await using (var blocker = await BlockAsync(db, "orders"))
        {
            await WaitForStateAsync(started.Id, OperationState.Running);
            var status = await CliRunner.RunAsync(["status", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--database", db, "--json"], env);
            Assert.True(status.ExitCode == 0, status.StdErr);
            var report = JsonSerializer.Deserialize<JsonElement>(status.StdOut);
            Assert.True(report.GetProperty("Running").GetBoolean());
            Assert.Equal(started.Id, report.GetProperty("RunningId").GetString());

            var wait = await CliRunner.RunAsync(["wait", "--id", started.Id, "--timeout", "1"], env);
            Assert.Equal(11, wait.ExitCode);
            Assert.Contains("WaitTimeout", wait.StdErr);
            Assert.Contains(started.Id, wait.StdErr);
        }
        Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<BackupRecord>(started.Id)).State);
        var after = await CliRunner.RunAsync(["status", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--database", db, "--json"], env);
        var final = JsonSerializer.Deserialize<JsonElement>(after.StdOut);
        Assert.False(final.GetProperty("Running").GetBoolean());
        Assert.True(final.GetProperty("Backup").GetProperty("Succeeded").GetBoolean());
        Assert.Equal(started.Id, final.GetProperty("Backup").GetProperty("Id").GetString());
        Assert.Equal(JsonValueKind.Null, final.GetProperty("Restore").ValueKind);
    }

    [PostgresFact]
    public async Task The_since_filter_keeps_only_newer_rows_and_a_mixed_table_list_is_refused()
    {
        var db = await NewDbAsync();
        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartBackupAsync(
            Options(db, o => { o.Tables.AddRange(["orders", "customers"]); o.Since = DateTimeOffset.Parse("2026-02-01T00:00:00Z"); }), CancellationToken.None));
        Assert.Equal("TablesNotFilterableByDate", e.ErrorId);
        Assert.Contains("Tables which cannot be filtered by date: [public.customers]", e.Message);
        Assert.False(Directory.Exists(_repo.Path));

        var started = await _repo.Engine.StartBackupAsync(Options(db, o => { o.Tables.Add("orders"); o.Since = DateTimeOffset.Parse("2026-02-20T00:00:00Z"); }), CancellationToken.None);
        var done = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.Equal(OperationState.Succeeded, done.State);
        Assert.Equal("created_at", done.DateColumn);
        Assert.Equal(11, done.TableStats.Single().Rows); // 2026-01-01 + g days for g = 50..60 (Feb 20 .. Mar 2)

        var target = TestServers.UniqueName("life_since");
        _databases.Add(target);
        var restore = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = done.Id, Target = TestServers.Postgres(db), TargetDatabase = target }, CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<RestoreRecord>(restore.Id)).State);
        var items = await TestSql.PgColumnAsync(target, "SELECT item FROM orders ORDER BY id");
        Assert.Equal(Enumerable.Range(50, 11).Select(i => $"item {i}"), items);
        Assert.All(await TestSql.PgColumnAsync(target, "SELECT (created_at >= '2026-02-20T00:00:00Z')::text FROM orders"), v => Assert.Equal("true", v));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("Condition not met within 60 s.");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}

/// <summary>Mutable builder so tests can tweak one option at a time.</summary>
public sealed class BackupOptionsBuilder
{
    public required DbBackup.Engine.Providers.ConnectionTarget Target { get; set; }
    public List<string> Tables { get; } = [];
    public DateTimeOffset? Since { get; set; }
    public string? DateColumn { get; set; }
    public string? Name { get; set; }
    public string? Note { get; set; }
    public Dictionary<string, string> Labels { get; } = [];
    public string? CallbackUrl { get; set; }
    public int? Jobs { get; set; }

    public BackupOptions Build() => new()
    {
        Target = Target, Tables = Tables, Since = Since, DateColumn = DateColumn, Name = Name, Note = Note, Labels = Labels, CallbackUrl = CallbackUrl, Jobs = Jobs,
    };
}
