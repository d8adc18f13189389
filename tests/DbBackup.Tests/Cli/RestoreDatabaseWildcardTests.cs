using System.Text.Json;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Cli;

/// <summary>A restore writes one database. Elsewhere --database takes wildcards, so a user who passes one
/// to restore (as `restore --help` once offered) is refused before anything is created, instead of getting
/// a database literally named 'shop_*'.</summary>
public sealed class RestoreDatabaseWildcardTests : IDisposable
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
            Assert.Contains("dbbackup: RestoreDatabaseWildcard:", restore.StdErr);
            Assert.Contains($"'{name}'", restore.StdErr);
            Assert.False(await TestSql.PgExistsAsync(name), $"no database named {name}");
        }
        var restores = await CliRunner.RunAsync(["restores", "--json"], env);
        Assert.Equal(0, JsonDocument.Parse(restores.StdOut).RootElement.GetProperty("TotalCount").GetInt32());
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        if (Directory.Exists(_repo)) Directory.Delete(_repo, recursive: true);
    }
}
