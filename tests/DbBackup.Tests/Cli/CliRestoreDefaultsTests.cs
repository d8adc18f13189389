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

    [PostgresFact]
    public async Task A_restore_given_only_the_backup_id_goes_to_the_backups_engine_server_and_user_and_holds_its_rows()
    {
        var db = await TestSql.PgCreateAsync("rsdef", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 50) g;");
        _databases.Add(db);
        var pg = TestServers.Postgres();
        var env = new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _repo, ["PGPASSWORD"] = pg.Password };
        var backup = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName,
            "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var id = JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!;

        var copy = db + "_copy";
        _databases.Add(copy);
        var restore = await CliRunner.RunAsync(["restore", "--id", id, "--target-database", copy, "--wait", "--json"], env);
        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        var record = JsonDocument.Parse(restore.StdOut).RootElement;
        Assert.Equal("Succeeded", record.GetProperty("State").GetString());
        Assert.Equal(pg.Server, record.GetProperty("Server").GetString());
        Assert.Equal(pg.Port, record.GetProperty("Port").GetInt32());
        const string rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";
        Assert.Equal(await TestSql.PgColumnAsync(db, rows), await TestSql.PgColumnAsync(copy, rows));
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
        if (Directory.Exists(_repo)) Directory.Delete(_repo, true);
    }
}
