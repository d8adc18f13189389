using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Policies;

/// <summary>End to end, as a scheduler runs it: 'dbbackup policy run' in its own process, no password
/// in its environment, the password only in a pgpass file (PostgreSQL) and ~/.my.cnf (MariaDB).</summary>
public sealed class UnattendedRunTests
{
    [ServersTheory]
    [InlineData("pg")]
    [InlineData("my")]
    public async Task Policy_run_takes_the_password_from_the_engines_own_file_and_the_backup_succeeds(string engine)
    {
        var pg = engine == "pg";
        const string setup = "CREATE TABLE t(id int primary key, note varchar(20)); INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, 'c');";
        var db = pg ? await TestSql.PgCreateAsync("polpw", setup) : await TestSql.MyCreateAsync("polpw", setup);
        var home = Directory.CreateTempSubdirectory("dbbackup-home-").FullName;
        try
        {
            using var repo = new TestRepository();
            var server = pg ? TestServers.Postgres() : TestServers.MySql();
            var passfile = Path.Combine(home, pg ? ".pgpass" : ".my.cnf");
            // pgpass: an escaped ':' line that must not match, then the real one; my.cnf: a quoted value.
            File.WriteAllText(passfile, pg
                ? $"{server.Server}:{server.Port}:other\\:db:{server.UserName}:wrong\n{server.Server}:{server.Port}:*:{server.UserName}:{server.Password}\n"
                : $"[mysqld]\npassword=wrong\n[client]\npassword = \"{server.Password}\"  # the test user's\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            // Created an hour ago (by the engine's clock), so this minute's slot is due now.
            repo.Engine.Clock = new ManualClock(DateTimeOffset.UtcNow.AddHours(-1));
            repo.Engine.AddPolicy(new BackupPolicy
            {
                Name = "every-minute", Engine = server.Engine, Server = server.Server, Port = server.Port, UserName = server.UserName,
                Database = db, Schedule = "* * * * *", Retention = new RetentionTiers { Last = 3 },
            });
            var env = new Dictionary<string, string?> { ["HOME"] = home, ["PGPASSFILE"] = pg ? passfile : null, ["PGPASSWORD"] = null, ["MYSQL_PWD"] = null };
            var run = await CliRunner.RunAsync(["policy", "run", "--repository", repo.Path, "--json"], env);
            Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
            Assert.DoesNotContain(server.Password!, run.StdOut + run.StdErr, StringComparison.Ordinal);
            var b = await repo.WaitAsync<BackupRecord>(Assert.Single(repo.Engine.Repository.ReadAllBackups()).Id);
            Assert.True(b.State == OperationState.Succeeded, b.StatusMessage);
            Assert.Equal(("every-minute", 3L), (b.Policy, Assert.Single(b.TableStats).Rows));
            Assert.DoesNotContain(server.Password!, File.ReadAllText(Path.Combine(repo.Path, "activity.jsonl")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
            if (pg) await TestSql.PgDropAsync(db); else await TestSql.MyDropAsync(db);
        }
    }

    [PostgresFact]
    public async Task Two_policy_run_processes_at_once_start_the_due_backup_exactly_once()
    {
        var db = await TestSql.PgCreateAsync("polproc", "CREATE TABLE t(id int primary key); INSERT INTO t VALUES (1);");
        try
        {
            using var repo = new TestRepository();
            var server = TestServers.Postgres();
            repo.Engine.Clock = new ManualClock(DateTimeOffset.UtcNow.AddHours(-1));
            repo.Engine.AddPolicy(new BackupPolicy
            {
                Name = "every-minute", Engine = server.Engine, Server = server.Server, Port = server.Port, UserName = server.UserName,
                Database = db, Schedule = "* * * * *", PasswordVariable = "DBBACKUP_POLICY_PROC_PW",
            });
            // Both runs must see the same minute: start early in one.
            if (DateTime.UtcNow.Second > 40) await Task.Delay(TimeSpan.FromSeconds(62 - DateTime.UtcNow.Second));
            var env = new Dictionary<string, string?> { ["DBBACKUP_POLICY_PROC_PW"] = server.Password };
            var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => CliRunner.RunAsync(["policy", "run", "--repository", repo.Path, "--json"], env)));
            Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr));
            var outcomes = runs.SelectMany(r => System.Text.Json.JsonSerializer.Deserialize<List<PolicyRunResult>>(r.StdOut)!).Select(x => x.Outcome).Order().ToList();
            Assert.Equal(["AlreadyStarted", "Started"], outcomes);
            var b = await repo.WaitAsync<BackupRecord>(Assert.Single(repo.Engine.Repository.ReadAllBackups()).Id);
            Assert.Equal(OperationState.Succeeded, b.State);
        }
        finally { await TestSql.PgDropAsync(db); }
    }
}
