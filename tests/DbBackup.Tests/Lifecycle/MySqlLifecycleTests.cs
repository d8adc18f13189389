using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Lifecycle;

/// <summary>The whole lifecycle through the engine and real workers against MariaDB: backup, verify by
/// test restore, bundle round trip, and restore over the live database with a safety backup.</summary>
public sealed class MySqlLifecycleTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    private const string Schema = """
        CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, created_at DATETIME(6) NOT NULL, name VARCHAR(100), price FLOAT, data LONGBLOB);
        INSERT INTO items (created_at, name, price, data) VALUES
          ('2026-01-01 00:00:00', 'tea ☕', 0.1, X'00FF10'), ('2026-03-01 12:00:00.123456', '', 16777217, NULL), ('2026-05-01 00:00:00', NULL, 3.4028234663852886e38, X'');
        CREATE TABLE audit (n INT);
        CREATE TRIGGER items_ai AFTER INSERT ON items FOR EACH ROW INSERT INTO audit VALUES (NEW.id);
        """;

    private const string Rows = "SELECT CONCAT_WS('|', id, created_at, HEX(name), HEX(CAST(price AS DOUBLE)), price = CAST(price AS DOUBLE), HEX(data)) FROM items ORDER BY id";

    [MySqlFact]
    public async Task Backup_verify_and_restore_over_the_live_database_with_a_safety_backup()
    {
        var db = await TestSql.MyCreateAsync("mylife", Schema);
        _databases.Add(db);
        var original = await TestSql.MyExecAsync(db, Rows);

        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.MySql(db), Jobs = 2 }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        Assert.Contains("MariaDB", backup.ServerVersion);
        Assert.Contains(backup.TableStats, t => t.Name == "items" && t.Rows == 3);

        var verify = await _repo.Engine.VerifyAsync(backup.Id, TestServers.MySql(), CancellationToken.None);
        Assert.True(verify.Passed, string.Join("; ", verify.Problems));
        Assert.Equal(2, verify.TablesMatched);
        Assert.False(await TestSql.MyExistsAsync(verify.ScratchDatabase!));

        await TestSql.MyExecAsync(db, "DELETE FROM items WHERE id = 1; INSERT INTO items (created_at, name) VALUES (NOW(), 'after')");
        var changed = await TestSql.MyExecAsync(db, Rows);
        Assert.NotEqual(original, changed);

        var restore = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.MySql(db), Force = true }, CancellationToken.None);
        var done = await _repo.WaitAsync<RestoreRecord>(restore.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.Equal(original, await TestSql.MyExecAsync(db, Rows));
        // The trigger (created after the seed rows, so the source's audit is empty) did not fire during
        // the load, came back, and fires now.
        Assert.Equal("0", (await TestSql.MyExecAsync(db, "SELECT COUNT(*) FROM audit")).Trim());
        await TestSql.MyExecAsync(db, "INSERT INTO items (created_at, name) VALUES (NOW(), 'x')");
        Assert.Equal("1", (await TestSql.MyExecAsync(db, "SELECT COUNT(*) FROM audit")).Trim());

        var safety = _repo.Engine.GetBackup(done.SafetyBackupId!);
        Assert.Equal(BackupKind.SafetyBeforeRestore, safety.Kind);
        var aside = TestServers.UniqueName("mylife_safety");
        _databases.Add(aside);
        var r2 = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = safety.Id, Target = TestServers.MySql(db), TargetDatabase = aside }, CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<RestoreRecord>(r2.Id)).State);
        Assert.Equal(changed, await TestSql.MyExecAsync(aside, Rows));
        Assert.Empty((await TestSql.MyExecAsync(null, $"SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '{db}\\_\\_restore%'")).Trim());
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.MyDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
