using System.Text.Json;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>`dbbackup backup` processes started at the same instant: one target admits exactly one,
/// different targets run side by side.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    private Dictionary<string, string?> Env => new() { ["PGPASSWORD"] = TestServers.Postgres().Password, ["DBBACKUP_REPOSITORY"] = _repo.Path };

    private static string[] BackupArgs(string db)
    {
        var t = TestServers.Postgres();
        return ["backup", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--database", db, "--user", t.UserName, "--json"];
    }

    private async Task<string> NewDbAsync()
    {
        var db = await TestSql.PgCreateAsync("hconc", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 5000) g;");
        _databases.Add(db);
        return db;
    }

    [PostgresFact]
    public async Task Three_backups_started_at_once_on_one_target_never_run_two_at_once_and_the_refused_name_the_one_running()
    {
        // Three rounds in fresh repositories: the lock race is a matter of milliseconds.
        var db = await NewDbAsync();
        for (var round = 0; round < 3; round++)
        {
            using var repo = new TestRepository();
            var env = new Dictionary<string, string?>(Env) { ["DBBACKUP_REPOSITORY"] = repo.Path };
            var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => CliRunner.RunAsync(BackupArgs(db), env)));
            // Never two at once. Under load a start can arrive after the first backup has ended; it
            // may then run too, but only after that one released the target.
            var winners = runs.Where(r => r.ExitCode == 0).ToList();
            Assert.True(winners.Count >= 1, $"round {round}: no winner: " + string.Join(" | ", runs.Select(r => r.ExitCode + " " + r.StdErr.Trim())));
            var ids = winners.Select(w => JsonSerializer.Deserialize<JsonElement>(w.StdOut).GetProperty("Id").GetString()!).ToList();
            var done = new List<BackupRecord>();
            foreach (var id in ids) done.Add(await repo.WaitAsync<BackupRecord>(id));
            Assert.All(done, d => Assert.True(d.State == OperationState.Succeeded, d.StatusMessage));
            done = done.OrderBy(d => d.StartedAt).ToList();
            for (var i = 1; i < done.Count; i++)
                Assert.True(done[i].StartedAt >= done[i - 1].CompletedAt, $"round {round}: {done[i].Id} started {done[i].StartedAt:O} before {done[i - 1].Id} ended {done[i - 1].CompletedAt:O}");
            foreach (var loser in runs.Where(r => r.ExitCode != 0))
            {
                Assert.Equal(4, loser.ExitCode);
                Assert.Contains("TargetBusy", loser.StdErr);
                Assert.Contains(ids, id => loser.StdErr.Contains(id));
                Assert.Contains(db, loser.StdErr);
            }
            Assert.Equal(ids.Count, repo.Engine.Repository.ReadAllBackups().Count());
        }
    }

    [PostgresFact]
    public async Task Twenty_backups_started_at_once_on_one_target_admit_one_and_only_it_connects_to_the_server()
    {
        // Found by fault injection: of 20 simultaneous starts, 8 failed with a connection timeout because
        // every start probed the server before trying the lock. Here the probe answers slowly, as a
        // loaded server does, so every start that probes before locking overlaps with the others.
        var db = await NewDbAsync();
        _repo.Engine.UpdateSettings(_ => { });
        var provider = new SlowProbeProvider(new Engine.Providers.PostgreSql.PostgreSqlProvider(), TimeSpan.FromMilliseconds(500));
        var go = new TaskCompletionSource();
        var starts = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            var engine = new Engine.Operations.BackupEngine(_repo.Path, TestRepository.Launcher, _ => provider);
            await go.Task;
            try { return (Id: (await engine.StartBackupAsync(new Engine.Operations.BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None)).Id, Error: (Engine.DbBackupException?)null); }
            catch (Engine.DbBackupException e) { return (Id: (string?)null, Error: e); }
        })).ToList();
        go.SetResult();
        var results = await Task.WhenAll(starts);

        var winner = Assert.Single(results, r => r.Id != null);
        Assert.All(results.Where(r => r.Id == null), r => Assert.True(r.Error!.ErrorId == "TargetBusy", r.Error.ErrorId + ": " + r.Error.Message));
        Assert.Equal(1, provider.Probes);
        var done = await _repo.WaitAsync<BackupRecord>(winner.Id!);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.Single(_repo.Engine.Repository.ReadAllBackups());
    }

    [PostgresFact]
    public async Task Backups_of_two_different_targets_run_in_parallel()
    {
        var a = await NewDbAsync();
        var b = await NewDbAsync();
        var runs = await Task.WhenAll(CliRunner.RunAsync(BackupArgs(a), Env), CliRunner.RunAsync(BackupArgs(b), Env));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.StdErr));
        var ids = runs.Select(r => JsonSerializer.Deserialize<JsonElement>(r.StdOut).GetProperty("Id").GetString()!).ToList();
        var done = await Task.WhenAll(ids.Select(id => _repo.WaitAsync<BackupRecord>(id)));
        Assert.All(done, d => Assert.True(d.State == OperationState.Succeeded, d.StatusMessage));
        Assert.Equal(new[] { a, b }.Order(), done.Select(d => d.Database).Order());
        Assert.All(done, d => Assert.Contains(d.TableStats, t => t.Name == "t" && t.Rows == 5000));
        // They overlapped: each started before the other finished.
        Assert.True(done[0].StartedAt < done[1].CompletedAt && done[1].StartedAt < done[0].CompletedAt,
            $"{done[0].StartedAt:O}-{done[0].CompletedAt:O} vs {done[1].StartedAt:O}-{done[1].CompletedAt:O}");
        await PausingWorkers.LocksReleasedAsync(_repo.Engine.Repository.LocksFolder());
    }

    [Fact]
    public async Task Concurrent_activity_log_appends_and_reads_never_fail_lose_or_interleave_lines()
    {
        // Each writer opens the log on its own, as separate processes do.
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
                _repo.Engine.Repository.AppendActivity(new ActivityEntry { Time = DateTimeOffset.UtcNow, Action = "Test", Message = $"writer {w} line {i} " + new string('x', 500) });
        }));
        // Readers run meanwhile, as `dbbackup log` or a status poll would.
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++) Assert.True(_repo.Engine.Repository.ReadActivity().Count() <= 800);
        }));
        await Task.WhenAll(writers.Concat(readers));
        var lines = _repo.Engine.Repository.ReadActivity().Where(e => e.Action == "Test").Select(e => e.Message!).ToList();
        Assert.Equal(800, lines.Count);
        Assert.Equal(800, lines.Distinct().Count());
        Assert.Equal(800, File.ReadAllLines(Path.Combine(_repo.Path, "activity.jsonl")).Count(l => l.Contains("\"Action\":\"Test\"")));
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
