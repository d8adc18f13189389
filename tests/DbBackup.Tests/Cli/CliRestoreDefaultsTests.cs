using System.Text.Json;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Cli;

/// <summary>`dbbackup restore` takes what its options leave out from the backup, as Restore-DbBackup does: the engine
/// (a backup restores only into its own), and the server, port and user when --host is not given. Without --id or
/// --path there is nothing to take them from, and the missing option is named before anything is written.</summary>
public sealed class CliRestoreDefaultsTests : IDisposable
{
    private readonly string _repo = Path.Combine(Path.GetTempPath(), "dbbackup-rsdef-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _databases = [];

    private const string Rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";

    [PostgresFact]
    public async Task A_restore_given_only_the_backup_id_goes_to_the_backups_engine_server_and_user_and_holds_its_rows()
    {
        var (db, id, env) = await BackupAsync();
        var pg = TestServers.Postgres();
        var copy = Copy(db);
        var restore = await CliRunner.RunAsync(["restore", "--id", id, "--target-database", copy, "--wait", "--json"], env);
        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        var record = JsonDocument.Parse(restore.StdOut).RootElement;
        Assert.Equal("Succeeded", record.GetProperty("State").GetString());
        Assert.Equal(pg.Server, record.GetProperty("Server").GetString());
        Assert.Equal(pg.Port, record.GetProperty("Port").GetInt32());
        Assert.Equal(await TestSql.PgColumnAsync(db, Rows), await TestSql.PgColumnAsync(copy, Rows));
    }

    [PostgresFact]
    public async Task A_restore_of_a_bundle_path_takes_the_engine_server_port_and_user_from_its_manifest()
    {
        var (db, id, env) = await BackupAsync();
        var pg = TestServers.Postgres();
        var bundle = Path.Combine(_repo + "-bundle", db + ".dbbackup");
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!);
        var save = await CliRunner.RunAsync(["save", "--id", id, "--path", bundle], env);
        Assert.True(save.ExitCode == 0, save.StdErr + save.StdOut);

        // Another repository, which has never seen the backup: only the bundle's manifest can name the server.
        var copy = Copy(db);
        var fresh = new Dictionary<string, string?>(env) { ["DBBACKUP_REPOSITORY"] = _repo + "-fresh" };
        var restore = await CliRunner.RunAsync(["restore", "--path", bundle, "--target-database", copy, "--wait", "--json"], fresh);
        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        var record = JsonDocument.Parse(restore.StdOut).RootElement;
        Assert.Equal("Succeeded", record.GetProperty("State").GetString());
        Assert.Equal("PostgreSql", record.GetProperty("Engine").GetString());
        Assert.Equal(pg.Server, record.GetProperty("Server").GetString());
        Assert.Equal(pg.Port, record.GetProperty("Port").GetInt32());
        Assert.Equal(pg.UserName, record.GetProperty("UserName").GetString());
        Assert.Equal(await TestSql.PgColumnAsync(db, Rows), await TestSql.PgColumnAsync(copy, Rows));
    }

    [PostgresFact]
    public async Task Options_given_win_over_the_backups_and_another_engine_gets_its_own_default_port()
    {
        var (db, id, env) = await BackupAsync();
        // The backup was taken from 127.0.0.1 (or the test server's address); "localhost" is the same server by another name.
        var copy = Copy(db);
        var restore = await CliRunner.RunAsync(["restore", "--id", id, "--host", "localhost", "--target-database", copy, "--wait", "--json"], env);
        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        var record = JsonDocument.Parse(restore.StdOut).RootElement;
        Assert.Equal("localhost", record.GetProperty("Server").GetString());
        Assert.Equal(5432, record.GetProperty("Port").GetInt32());
        Assert.Equal(await TestSql.PgColumnAsync(db, Rows), await TestSql.PgColumnAsync(copy, Rows));

        // --engine mysql reaches MariaDB on its own port (3306, not the backup's), which then refuses a PostgreSQL backup.
        var mysql = TestServers.MySql();
        var other = await CliRunner.RunAsync(["restore", "--id", id, "--engine", "mysql", "--user", mysql.UserName, "--target-database", Copy(db), "--wait"],
            new Dictionary<string, string?>(env) { ["MYSQL_PWD"] = mysql.Password });
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("dbbackup: EngineMismatch:", other.StdErr);
    }

    /// <summary>A small PostgreSQL database backed up through the CLI into this test's repository.</summary>
    private async Task<(string Db, string Id, Dictionary<string, string?> Env)> BackupAsync()
    {
        var db = await TestSql.PgCreateAsync("rsdef", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 50) g;");
        _databases.Add(db);
        var pg = TestServers.Postgres();
        var env = new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _repo, ["PGPASSWORD"] = pg.Password };
        var backup = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName,
            "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        return (db, JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!, env);
    }

    private string Copy(string db)
    {
        var copy = db + "_copy" + _databases.Count;
        _databases.Add(copy);
        return copy;
    }

    [Fact]
    public async Task A_restore_without_id_or_path_names_the_missing_engine_and_writes_nothing()
    {
        var restore = await CliRunner.RunAsync(["restore", "--host", "127.0.0.1", "--user", "u", "--target-database", "rsdef_none", "--wait"],
            new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _repo });
        Assert.Equal(2, restore.ExitCode);
        Assert.Contains("dbbackup: MissingArgument: --engine is required when neither --id nor --path", restore.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_repo, "restores")) && Directory.EnumerateFileSystemEntries(Path.Combine(_repo, "restores")).Any(), "no restore record");
    }

    public void Dispose()
    {
        foreach (var d in _databases) TestSql.PgDropAsync(d).GetAwaiter().GetResult();
        foreach (var dir in new[] { _repo, _repo + "-bundle", _repo + "-fresh" })
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }
}
