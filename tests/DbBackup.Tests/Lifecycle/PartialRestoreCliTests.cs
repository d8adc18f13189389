using System.Text.Json;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Lifecycle;

/// <summary>The new user's case through the CLI, as automation sees it: a subset + since backup restored
/// over the live database with --force is refused, saying why, and the database is unchanged.</summary>
public sealed class PartialRestoreCliTests : IDisposable
{
    private readonly string _repo = Path.Combine(Path.GetTempPath(), "dbbackup-partcli-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _databases = [];

    private Dictionary<string, string?> Env => new() { ["MYSQL_PWD"] = TestServers.MySql().Password, ["DBBACKUP_REPOSITORY"] = _repo };

    private static List<string> Target(string verb) { var t = TestServers.MySql(); return [verb, "--engine", "mysql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName]; }

    [MySqlFact]
    public async Task A_subset_and_since_backup_restored_with_force_over_the_live_database_is_refused_and_nothing_changes()
    {
        var db = await TestSql.MyCreateAsync("mycli", """
            CREATE TABLE customers (id INT PRIMARY KEY, created_at DATETIME NOT NULL);
            CREATE TABLE orders (id INT PRIMARY KEY, created_at DATETIME NOT NULL);
            CREATE TABLE products (id INT PRIMARY KEY);
            CREATE VIEW pv AS SELECT id FROM products;
            INSERT INTO customers SELECT seq, '2025-01-01' + INTERVAL seq DAY FROM seq_1_to_100;
            INSERT INTO orders SELECT seq, '2025-01-01' + INTERVAL (seq % 200) DAY FROM seq_1_to_500;
            INSERT INTO products VALUES (1), (2);
            """);
        _databases.Add(db);
        const string State = "SELECT COUNT(*), SUM(id) FROM orders; SELECT COUNT(*) FROM customers; SELECT COUNT(*) FROM pv; SHOW FULL TABLES;";
        var before = await TestSql.MyExecAsync(db, State);

        var backup = await CliRunner.RunAsync([.. Target("backup"), "--database", db, "--table", "orders", "--table", "customers", "--since", "2025-03-01", "--wait", "--json"], Env);
        Assert.True(backup.ExitCode == 0, backup.StdErr);
        var id = JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!;

        var restore = await CliRunner.RunAsync([.. Target("restore"), "--id", id, "--force", "--wait"], Env);
        Assert.Equal(4, restore.ExitCode);
        Assert.Contains("PartialRowsOverExistingDatabase", restore.StdErr);
        Assert.Contains("since 2025-03-01", restore.StdErr);
        Assert.Contains("--target-database", restore.StdErr);
        Assert.Equal(before, await TestSql.MyExecAsync(db, State));

        var bad = await CliRunner.RunAsync([.. Target("restore"), "--id", id, "--table", "products", "--target-database", db + "_x"], Env);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("TableNotInBackup", bad.StdErr);
        Assert.Contains("It holds: customers, orders", bad.StdErr);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.MyDropAsync(db).GetAwaiter().GetResult();
        try { Directory.Delete(_repo, recursive: true); } catch (IOException) { }
    }
}
