using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using Xunit;

namespace DbBackup.Tests.MySql;

/// <summary>An account that may list a routine but not read its body (neither its definer nor allowed to read
/// mysql.proc) gets NULL from SHOW CREATE PROCEDURE: the backup fails naming the routine, the account and the
/// grant that helps, instead of an object called "NULL".</summary>
public sealed class MySqlRoutineRightsTests
{
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
