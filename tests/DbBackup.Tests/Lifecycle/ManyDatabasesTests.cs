using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Lifecycle;

/// <summary>Several databases per call, as Backup-DbaDatabase takes them: names, wildcards, every user
/// database, exclusions; one backup each, against the real servers.</summary>
public sealed class ManyDatabasesTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _pg = [];
    private readonly List<string> _my = [];

    [Theory]
    [InlineData("shop_*", "shop_eu", true)]
    [InlineData("shop_*", "SHOP_eu", true)]          // patterns ignore case, as in PowerShell
    [InlineData("shop_*", "shopeu", false)]
    [InlineData("shop_?u", "shop_eu", true)]
    [InlineData("shop_[ae]u", "shop_eu", true)]
    [InlineData("shop_[!e]u", "shop_eu", false)]
    [InlineData("Shop", "shop", false)]              // a plain name is exact: PostgreSQL names are case-sensitive
    [InlineData("a`*b", "a*b", true)]                // a backtick escapes a wildcard
    [InlineData("a`*b", "axb", false)]
    public void Database_patterns_follow_PowerShell_wildcards(string pattern, string name, bool matches)
        => Assert.Equal(matches, new DatabaseNamePattern(pattern).IsMatch(name));

    [PostgresFact]
    public async Task Wildcards_and_exclusions_resolve_against_the_servers_databases()
    {
        var prefix = "many" + Guid.NewGuid().ToString("N")[..8];
        foreach (var suffix in new[] { "a", "b", "tmp", "b__restore_abc123" })
        {
            var name = $"{prefix}_{suffix}";
            await TestSql.PgExecAsync("postgres", $"CREATE DATABASE {name}");
            _pg.Add(name);
        }
        var server = TestServers.Postgres();
        var all = await _repo.Engine.ResolveDatabasesAsync(server, new DatabaseSelection { Databases = [prefix + "_*"], Exclude = ["*_tmp"] }, CancellationToken.None);
        Assert.Equal([prefix + "_a", prefix + "_b"], all);     // not the restore's aside copy of _b

        var every = await _repo.Engine.ResolveDatabasesAsync(server, new DatabaseSelection { All = true }, CancellationToken.None);
        Assert.Contains(prefix + "_tmp", every);
        Assert.DoesNotContain(prefix + "_b__restore_abc123", every);
        Assert.Contains("postgres", every);
        Assert.DoesNotContain("template0", every);
        Assert.DoesNotContain("template1", every);

        var none = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.ResolveDatabasesAsync(server, new DatabaseSelection { Databases = [prefix + "_zz*"] }, CancellationToken.None));
        Assert.Equal("NoDatabaseMatches", none.ErrorId);
        Assert.Contains(prefix + "_zz*", none.Message);
        var emptied = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.ResolveDatabasesAsync(server, new DatabaseSelection { Databases = [prefix + "_a"], Exclude = [prefix + "_*"] }, CancellationToken.None));
        Assert.Equal("NoDatabaseSelected", emptied.ErrorId);
        var both = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.ResolveDatabasesAsync(server, new DatabaseSelection { All = true, Databases = ["x"] }, CancellationToken.None));
        Assert.Equal("DatabaseSelectionConflict", both.ErrorId);
    }

    [MySqlFact]
    public async Task All_databases_on_MariaDB_leave_out_the_system_schemas()
    {
        var db = await TestSql.MyCreateAsync("manymy");
        _my.Add(db);
        var every = await _repo.Engine.ResolveDatabasesAsync(TestServers.MySql(), new DatabaseSelection { All = true }, CancellationToken.None);
        Assert.Contains(db, every);
        foreach (var system in new[] { "mysql", "sys", "information_schema", "performance_schema" }) Assert.DoesNotContain(system, every);
    }

    [PostgresFact]
    public async Task The_CLI_backs_up_each_matching_database_once_and_lists_them_by_wildcard()
    {
        var prefix = "mcli" + Guid.NewGuid().ToString("N")[..8];
        var expected = new Dictionary<string, string>();
        foreach (var suffix in new[] { "one", "two", "three" })
        {
            var name = $"{prefix}_{suffix}";
            await TestSql.PgExecAsync("postgres", $"CREATE DATABASE {name}");
            _pg.Add(name);
            await TestSql.PgExecAsync(name, $"CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, '{suffix}');");
            expected[name] = suffix;
        }
        var pg = TestServers.Postgres();
        var env = new Dictionary<string, string?> { ["PGPASSWORD"] = pg.Password, ["DBBACKUP_REPOSITORY"] = _repo.Path };
        var run = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName,
            "--database", prefix + "_*", "--exclude-database", "*_three", "--throttle-limit", "1", "--wait", "--json"], env);
        Assert.True(run.ExitCode == 0, run.StdErr);
        var records = JsonSerializer.Deserialize<List<BackupRecord>>(run.StdOut, DbBackup.Engine.Repository.Json.Records)!;
        Assert.Equal([prefix + "_one", prefix + "_two"], records.Select(r => r.Database).Order(StringComparer.Ordinal));
        Assert.All(records, r => Assert.Equal(OperationState.Succeeded, r.State));
        Assert.Equal(2, records.Select(r => r.Id).Distinct().Count());

        // Each backup holds its own database's data.
        foreach (var r in records)
        {
            var copy = TestServers.UniqueName("mcopy");
            _pg.Add(copy);
            var restore = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = r.Id, Target = pg, TargetDatabase = copy }, CancellationToken.None);
            Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<RestoreRecord>(restore.Id)).State);
            Assert.Equal([expected[r.Database]], await TestSql.PgColumnAsync(copy, "SELECT v FROM t"));
        }

        var listed = await CliRunner.RunAsync(["list", "--database", prefix + "_t*", "--json"], env);
        Assert.True(listed.ExitCode == 0, listed.StdErr);
        Assert.Contains(prefix + "_two", listed.StdOut);
        Assert.DoesNotContain(prefix + "_one", listed.StdOut);

        var typo = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName,
            "--database", prefix + "_nothing*"], env);
        Assert.Equal(3, typo.ExitCode);
        Assert.Contains("NoDatabaseMatches", typo.StdErr);
        var missing = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", pg.Server, "--user", pg.UserName], env);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--all-databases", missing.StdErr);
        Assert.DoesNotContain("-AllDatabases", missing.StdErr);
    }

    public void Dispose()
    {
        foreach (var db in _pg.Where(d => d.Length > 0)) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        foreach (var db in _my) TestSql.MyDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
