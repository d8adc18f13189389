using System.Text.Json;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Cli;

/// <summary>--database takes wildcards in most commands, and `restore --help` and `status --help` offered
/// them too: a restore now refuses one before anything is created (it used to create a database literally
/// named 'shop_*'), and status reports every database a wildcard matches (it used to report a target named
/// 'shop_*' with no backup).</summary>
public sealed class CliDatabaseWildcardTests : IDisposable
{
    private readonly string _repo = Path.Combine(Path.GetTempPath(), "dbbackup-rswild-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _databases = [];

    [PostgresFact]
    public async Task A_wildcard_in_database_or_target_database_is_refused_and_creates_no_database()
    {
        var db = await TestSql.PgCreateAsync("rswild", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);");
        _databases.Add(db);
        var pg = TestServers.Postgres();
        var env = new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _repo, ["PGPASSWORD"] = pg.Password };
        string[] server = ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];
        var backup = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var id = JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!;

        foreach (var (option, name) in new[] { ("--database", db + "_*"), ("--target-database", db + "_?") })
        {
            _databases.Add(name);
            var restore = await CliRunner.RunAsync(["restore", "--id", id, .. server, option, name, "--force", "--wait"], env);
            Assert.Equal(2, restore.ExitCode);
            Assert.Contains("dbbackup: DatabaseWildcardNotAllowed:", restore.StdErr);
            Assert.Contains($"'{name}'", restore.StdErr);
            Assert.False(await TestSql.PgExistsAsync(name), $"no database named {name}");
        }
        var restores = await CliRunner.RunAsync(["restores", "--json"], env);
        Assert.Equal(0, JsonDocument.Parse(restores.StdOut).RootElement.GetProperty("TotalCount").GetInt32());
    }

    [PostgresFact]
    public async Task Status_with_a_wildcard_reports_each_matching_database_of_the_repository()
    {
        var db = await TestSql.PgCreateAsync("stwild", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);");
        _databases.Add(db);
        var pg = TestServers.Postgres();
        var env = new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _repo, ["PGPASSWORD"] = pg.Password };
        string[] server = ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString()];
        var backup = await CliRunner.RunAsync(["backup", .. server, "--user", pg.UserName, "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var id = JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!;

        var status = await CliRunner.RunAsync(["status", .. server, "--database", db[..^3] + "*", "--json"], env);
        Assert.True(status.ExitCode == 0, status.StdErr);
        var reports = JsonDocument.Parse(status.StdOut).RootElement;
        Assert.Equal(1, reports.GetArrayLength());
        Assert.Equal(db, reports[0].GetProperty("Database").GetString());
        Assert.Equal(id, reports[0].GetProperty("Backup").GetProperty("Id").GetString());

        var none = await CliRunner.RunAsync(["status", .. server, "--database", db + "_nothing*"], env);
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("matching '" + db + "_nothing*'", none.StdErr);
        Assert.Equal("", none.StdOut.Trim());
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        if (Directory.Exists(_repo)) Directory.Delete(_repo, recursive: true);
    }
}
