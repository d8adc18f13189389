using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using Xunit;

namespace DbBackup.Tests.MySql;

/// <summary>Backups by least-privileged accounts: objects the server hides from the account (triggers without
/// TRIGGER, events without EVENT, routines it may neither run nor read) fail the backup naming the rights instead
/// of being left out of a Succeeded backup; the README's backup grants back up and restore everything.</summary>
public sealed class MySqlObjectRightsTests
{
    private const string Objects = """
        CREATE TABLE t (id int PRIMARY KEY, v varchar(10), changed datetime NULL); INSERT INTO t VALUES (1, 'a', NULL), (2, 'b', NULL);
        CREATE TRIGGER t_changed BEFORE UPDATE ON t FOR EACH ROW SET NEW.changed = NOW();
        CREATE PROCEDURE p_count() SELECT COUNT(*) FROM t;
        CREATE EVENT e_purge ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM t WHERE id < 0;
        """;

    [MySqlFact]
    public async Task An_account_the_server_hides_triggers_events_and_routines_from_fails_naming_the_rights_and_the_README_grants_back_up_everything()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(Objects);
        var user = TestServers.UniqueName("dbb_hide");
        const string password = "hidden-objects-pw-4417";
        await MySqlTestDatabase.ExecAsync(null, $"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'; " +
            $"GRANT SELECT, SHOW VIEW, LOCK TABLES ON `{db.Name}`.* TO '{user}'@'%';");
        using var repo = new TestRepository();
        try
        {
            var target = TestServers.MySql(db.Name) with { UserName = user, Password = password };
            var started = await repo.Engine.StartBackupAsync(new BackupOptions { Target = target }, CancellationToken.None);
            var refused = await repo.WaitAsync<BackupRecord>(started.Id);
            Assert.Equal(OperationState.Failed, refused.State);
            Assert.Contains("TRIGGER (the triggers of t)", refused.StatusMessage);
            Assert.Contains("EVENT (the events)", refused.StatusMessage);
            Assert.Contains("SELECT on mysql.proc (the routines)", refused.StatusMessage);
            Assert.Contains($"GRANT TRIGGER, EVENT ON `{db.Name}`.* TO '{user}'@'%'; GRANT SELECT ON mysql.proc TO '{user}'@'%';", refused.StatusMessage);
            Assert.Empty(refused.Files);

            // The README's backup account: the same objects as the source after a restore.
            await MySqlTestDatabase.ExecAsync(null, $"GRANT TRIGGER, EVENT ON `{db.Name}`.* TO '{user}'@'%'; GRANT SELECT ON mysql.proc TO '{user}'@'%';");
            var again = await repo.Engine.StartBackupAsync(new BackupOptions { Target = target }, CancellationToken.None);
            var backup = await repo.WaitAsync<BackupRecord>(again.Id);
            Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
            var copy = db.NewName();
            var restore = await repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.MySql(db.Name), TargetDatabase = copy }, CancellationToken.None);
            var restored = await repo.WaitAsync<RestoreRecord>(restore.Id);
            Assert.True(restored.State == OperationState.Succeeded, restored.StatusMessage);
            var inventory = await db.InventoryAsync(db.Name);
            Assert.Equal(3, inventory.Count);
            Assert.Equal(inventory, await db.InventoryAsync(copy));
            Assert.Equal(await db.SnapshotAsync(db.Name), await db.SnapshotAsync(copy));
        }
        finally
        {
            await MySqlTestDatabase.ExecAsync(null, $"DROP USER IF EXISTS '{user}'@'%';");
        }
    }

    [MySqlFact]
    public async Task A_routine_the_account_may_not_read_fails_the_backup_naming_the_routine_and_the_grant()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1); CREATE PROCEDURE p_hidden() SELECT 1;");
        var user = TestServers.UniqueName("dbb_noproc");
        const string password = "no-proc-pw-7312";
        // EXECUTE makes the routine visible in information_schema; only its body stays hidden.
        await MySqlTestDatabase.ExecAsync(null, $"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'; " +
            $"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES, EXECUTE ON `{db.Name}`.* TO '{user}'@'%';");
        using var repo = new TestRepository();
        try
        {
            var target = TestServers.MySql(db.Name) with { UserName = user, Password = password };
            var started = await repo.Engine.StartBackupAsync(new BackupOptions { Target = target }, CancellationToken.None);
            var backup = await repo.WaitAsync<BackupRecord>(started.Id);
            Assert.Equal(OperationState.Failed, backup.State);
            Assert.Contains($"User '{user}'", backup.StatusMessage);
            Assert.Contains($"PROCEDURE `{db.Name}`.`p_hidden`", backup.StatusMessage);
            Assert.Contains("GRANT SELECT ON mysql.proc", backup.StatusMessage);
            Assert.DoesNotContain(password, backup.StatusMessage);

            // With that grant the same account backs the routine up.
            await MySqlTestDatabase.ExecAsync(null, $"GRANT SELECT ON mysql.proc TO '{user}'@'%';");
            var again = await repo.Engine.StartBackupAsync(new BackupOptions { Target = target }, CancellationToken.None);
            var ok = await repo.WaitAsync<BackupRecord>(again.Id);
            Assert.True(ok.State == OperationState.Succeeded, ok.StatusMessage);
        }
        finally
        {
            await MySqlTestDatabase.ExecAsync(null, $"DROP USER IF EXISTS '{user}'@'%';");
        }
    }
}
