using System.Text.Json;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Policies;

/// <summary>'policy run' against the real servers, with the engine's clock moved by hand: slots, claims
/// across concurrent runs, failures isolated per policy.</summary>
public sealed class PolicyRunTests
{
    // The test password reaches the run through an environment variable the policy names (never the policy).
    private const string PgPasswordVariable = "DBBACKUP_POLICY_TEST_PG_PW";
    private const string MyPasswordVariable = "DBBACKUP_POLICY_TEST_MY_PW";

    static PolicyRunTests()
    {
        Environment.SetEnvironmentVariable(PgPasswordVariable, TestServers.Postgres().Password);
        Environment.SetEnvironmentVariable(MyPasswordVariable, TestServers.MySql().Password);
    }

    private static BackupPolicy PgPolicy(string name, string database, string schedule = "0 * * * *", int? port = null) => new()
    {
        Name = name, Engine = DatabaseEngine.PostgreSql, Server = TestServers.Postgres().Server, Port = port ?? TestServers.Postgres().Port,
        UserName = TestServers.Postgres().UserName, Database = database, Schedule = schedule, PasswordVariable = PgPasswordVariable,
        Labels = new() { ["env"] = "test" }, Retention = new RetentionTiers { Last = 5 },
    };

    private static BackupPolicy MyPolicy(string name, string database, string schedule = "0 * * * *") => new()
    {
        Name = name, Engine = DatabaseEngine.MySql, Server = TestServers.MySql().Server, Port = TestServers.MySql().Port,
        UserName = TestServers.MySql().UserName, Database = database, Schedule = schedule, PasswordVariable = MyPasswordVariable,
    };

    private static async Task WaitAllAsync(TestRepository repo)
    {
        foreach (var b in repo.Engine.Repository.ReadAllBackups().ToList())
            Assert.Equal(OperationState.Succeeded, (await repo.WaitAsync<BackupRecord>(b.Id)).State);
    }

    [PostgresFact]
    public async Task A_missed_slot_runs_once_a_second_run_in_the_slot_starts_nothing_and_the_next_slot_runs_again()
    {
        var db = await TestSql.PgCreateAsync("polmiss", "CREATE TABLE t(id int primary key); INSERT INTO t VALUES (1),(2)");
        try
        {
            using var repo = new TestRepository();
            var created = new DateTimeOffset(2026, 11, 20, 3, 10, 0, TimeSpan.Zero);
            var clock = new ManualClock(created);
            repo.Engine.Clock = clock;
            repo.Engine.AddPolicy(PgPolicy("hourly", db));

            Assert.Equal("NotDue", Assert.Single(await repo.Engine.RunPoliciesAsync(null, false, CancellationToken.None)).Outcome);
            clock.Now = created.AddHours(5); // 08:10: the slots of 04:00 … 08:00 were missed
            var first = Assert.Single(await repo.Engine.RunPoliciesAsync(null, false, CancellationToken.None));
            Assert.Equal(("Started", new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero)), (first.Outcome, first.Slot!.Value));
            await WaitAllAsync(repo);

            clock.Now = clock.Now.AddMinutes(40); // 08:50, same slot
            Assert.Equal("AlreadyStarted", Assert.Single(await repo.Engine.RunPoliciesAsync(null, false, CancellationToken.None)).Outcome);
            var only = Assert.Single(repo.Engine.Repository.ReadAllBackups());
            Assert.Equal(("hourly", "test"), (only.Policy, only.Labels["env"]));

            clock.Now = clock.Now.AddMinutes(20); // 09:10, next slot
            Assert.Equal("Started", Assert.Single(await repo.Engine.RunPoliciesAsync(null, false, CancellationToken.None)).Outcome);
            await WaitAllAsync(repo);
            Assert.Equal(2, repo.Engine.Repository.ReadAllBackups().Count());
        }
        finally { await TestSql.PgDropAsync(db); }
    }

    [ServersTheory]
    [InlineData(4)]
    public async Task Concurrent_runs_from_several_engines_start_each_due_backup_exactly_once(int runners)
    {
        var pg = await TestSql.PgCreateAsync("polcon", "CREATE TABLE t(id int primary key); INSERT INTO t VALUES (1)");
        var my = await TestSql.MyCreateAsync("polcon", "CREATE TABLE t(id int primary key); INSERT INTO t VALUES (1);");
        try
        {
            using var repo = new TestRepository();
            var clock = new ManualClock(new DateTimeOffset(2026, 11, 20, 1, 30, 0, TimeSpan.Zero));
            repo.Engine.Clock = clock;
            repo.Engine.AddPolicy(PgPolicy("pg-nightly", pg, "0 2 * * *"));
            repo.Engine.AddPolicy(MyPolicy("my-nightly", my, "0 2 * * *"));
            clock.Now = clock.Now.AddHours(1);
            // Separate engines over the same folder, as separate hosts sharing the repository would be.
            var engines = Enumerable.Range(0, runners).Select(_ => new BackupEngine(repo.Path, TestRepository.Launcher) { Clock = clock }).ToList();
            using var go = new ManualResetEventSlim();
            var runs = engines.Select(e => Task.Run(() => { go.Wait(); return e.RunPoliciesAsync(null, false, CancellationToken.None); })).ToList();
            go.Set();
            var results = (await Task.WhenAll(runs)).SelectMany(r => r).ToList();
            foreach (var policy in new[] { "pg-nightly", "my-nightly" })
            {
                var mine = results.Where(r => r.Policy == policy).ToList();
                Assert.Equal(runners, mine.Count);
                Assert.Single(mine, r => r.Outcome == "Started");
                Assert.True(runners - 1 == mine.Count(r => r.Outcome == "AlreadyStarted"), string.Join("; ", mine.Select(r => $"{r.Outcome}: {r.Message}")));
            }
            Assert.Equal(2, repo.Engine.Repository.ReadAllBackups().Count());
            await WaitAllAsync(repo);
        }
        finally
        {
            await TestSql.PgDropAsync(pg);
            await TestSql.MyDropAsync(my);
        }
    }

    [PostgresFact]
    public async Task A_failing_target_does_not_stop_the_other_policies_and_is_logged()
    {
        var db = await TestSql.PgCreateAsync("polfail", "CREATE TABLE t(id int primary key)");
        try
        {
            using var repo = new TestRepository();
            var clock = new ManualClock(new DateTimeOffset(2026, 11, 20, 1, 30, 0, TimeSpan.Zero));
            repo.Engine.Clock = clock;
            repo.Engine.AddPolicy(PgPolicy("a-server-down", db, port: 1));
            repo.Engine.AddPolicy(PgPolicy("b-no-such-database", db + "_missing"));
            repo.Engine.AddPolicy(PgPolicy("c-good", db));
            clock.Now = clock.Now.AddHours(1);
            var results = (await repo.Engine.RunPoliciesAsync(null, false, CancellationToken.None)).ToDictionary(r => r.Policy);
            Assert.Equal("Failed", results["a-server-down"].Outcome);
            Assert.Equal("Failed", results["b-no-such-database"].Outcome);
            Assert.Contains("does not exist", results["b-no-such-database"].Message);
            Assert.Equal("Started", results["c-good"].Outcome);
            await WaitAllAsync(repo);
            Assert.Equal(db, Assert.Single(repo.Engine.Repository.ReadAllBackups()).Database);
            var failures = repo.Engine.ReadActivity(new ActivityQuery()).Items.Where(e => e.Action == "PolicyRunFailed").ToList();
            Assert.Equal(2, failures.Count);
            Assert.All(failures, f => Assert.True(f.IsError));
            Assert.DoesNotContain(failures, f => f.Message!.Contains(TestServers.Postgres().Password!, StringComparison.Ordinal));
        }
        finally { await TestSql.PgDropAsync(db); }
    }

    [PostgresFact]
    public async Task A_run_that_cannot_start_a_backup_posts_the_callback_when_the_policy_asks()
    {
        using var listener = new CallbackListener();
        var received = listener.Received;
        using var repo = new TestRepository();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 20, 1, 30, 0, TimeSpan.Zero));
        repo.Engine.Clock = clock;
        var policy = PgPolicy("down", "whatever", port: 1);
        policy.CallbackUrl = listener.Url;
        policy.CallbackOnFailure = true;
        repo.Engine.AddPolicy(policy);
        clock.Now = clock.Now.AddHours(1);
        Assert.Equal("Failed", Assert.Single(await repo.Engine.RunPoliciesAsync(null, false, CancellationToken.None)).Outcome);
        Assert.Same(received, await Task.WhenAny(received, Task.Delay(TimeSpan.FromSeconds(20))));
        var json = JsonSerializer.Deserialize<JsonElement>((await received).Body);
        Assert.Equal(("ERROR", "whatever", "down"), (json.GetProperty("result").GetString(), json.GetProperty("database").GetString(), json.GetProperty("name").GetString()));
        Assert.DoesNotContain(TestServers.Postgres().Password!, json.GetProperty("statusMessage").GetString(), StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task KeepLast_still_prunes_backups_taken_without_a_policy_but_never_a_held_one()
    {
        var db = await TestSql.PgCreateAsync("polkeep", "CREATE TABLE t(id int primary key); INSERT INTO t VALUES (1);");
        try
        {
            using var repo = new TestRepository();
            repo.Engine.UpdateSettings(s => s.KeepLast = 1);
            var ids = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var started = await repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
                Assert.Equal(OperationState.Succeeded, (await repo.WaitAsync<BackupRecord>(started.Id)).State);
                ids.Add(started.Id);
                if (i == 0) repo.Engine.SetHold(started.Id, true);
            }
            // The worker prunes after its record is final; give the last one a moment.
            for (var wait = 0; wait < 50 && repo.Engine.Repository.ReadAllBackups().Count() > 2; wait++) await Task.Delay(100);
            Assert.Equal(new[] { ids[0], ids[2] }.Order(StringComparer.Ordinal), repo.Engine.Repository.ReadAllBackups().Select(b => b.Id).Order(StringComparer.Ordinal));
        }
        finally { await TestSql.PgDropAsync(db); }
    }
}
