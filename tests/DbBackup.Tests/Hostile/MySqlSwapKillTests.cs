using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.MySql;

namespace DbBackup.Tests.Hostile;

/// <summary>kill -9 of a MariaDB restore worker at each instant of its swap: before the RENAME TABLE
/// commit point the original is untouched (tables, views, triggers, routines byte for byte); after it,
/// the next operation on the target finishes the swap from its journal, so the database ends up
/// exactly the backup's content. Either way nothing is left beside it.</summary>
public sealed class MySqlSwapKillTests
{
    [MySqlFact]
    public Task Killed_before_the_swap_keeps_the_original() => KillDuringSwapAsync("restore:before-swap", swappedIn: false);

    [MySqlFact]
    public Task Killed_just_before_the_rename_keeps_the_original_untouched() => KillDuringSwapAsync("restore:mid-swap", swappedIn: false);

    [MySqlFact]
    public Task Killed_right_after_the_rename_is_finished_by_the_next_operation() => KillDuringSwapAsync("restore:swap-committed", swappedIn: true);

    [MySqlFact]
    public Task Killed_while_switching_views_and_triggers_is_finished_by_the_next_operation() => KillDuringSwapAsync("restore:objects-dropped", swappedIn: true);

    [MySqlFact]
    public Task Killed_after_the_swap_is_recorded_as_swapped_in() => KillDuringSwapAsync("restore:after-swap", swappedIn: true);

    // A foreign key name the schema chose moves the original's tables to a retired database of their
    // own, so its triggers are dropped just before the RENAME: a kill there leaves them missing until
    // the next operation on the target undoes the uncommitted swap and recreates them.
    [MySqlFact]
    public Task Killed_after_dropping_the_originals_triggers_gets_them_back_from_the_next_operation() => KillDuringSwapAsync("restore:mid-swap", swappedIn: false, namedKey: true);

    [MySqlFact]
    public Task Killed_right_after_the_rename_into_a_retired_database_is_finished_by_the_next_operation() => KillDuringSwapAsync("restore:swap-committed", swappedIn: true, namedKey: true);

    private static async Task KillDuringSwapAsync(string step, bool swappedIn, bool namedKey = false)
    {
        using var workers = new PausingWorkers(step);
        await using var db = await MySqlTestDatabase.CreateAsync("dbb_hmysw");
        await db.ExecAsync($$"""
            CREATE TABLE parent (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL);
            CREATE TABLE child (id INT PRIMARY KEY, p INT NOT NULL, {{(namedKey ? "CONSTRAINT child_parent_fk" : "")}} FOREIGN KEY (p) REFERENCES parent(id));
            INSERT INTO parent SELECT seq, MD5(seq) FROM seq_1_to_500; INSERT INTO child SELECT seq, seq FROM seq_1_to_500;
            CREATE VIEW pv AS SELECT p.v, c.id FROM parent p JOIN child c ON c.p = p.id;
            CREATE TRIGGER tr BEFORE INSERT ON parent FOR EACH ROW SET NEW.v = CONCAT(NEW.v, '-trig');
            CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;
            CREATE PROCEDURE pr() SELECT 1;
            """);
        var backedUp = (await db.SnapshotAsync(db.Name), await db.InventoryAsync(db.Name));
        var started = await workers.Plain.StartBackupAsync(new BackupOptions { Target = db.Target }, CancellationToken.None);
        var backup = (BackupRecord)await workers.Plain.WaitAsync(started.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        // The original moves on after the backup: data, a view and a trigger differ from the backup's.
        await db.ExecAsync("""
            UPDATE parent SET v = 'after the backup' WHERE id = 7; DELETE FROM child WHERE id > 400;
            CREATE OR REPLACE VIEW pv AS SELECT p.v FROM parent p; DROP TRIGGER tr;
            CREATE TRIGGER tr2 BEFORE UPDATE ON parent FOR EACH ROW SET NEW.v = UPPER(NEW.v);
            """);
        var before = (await db.SnapshotAsync(db.Name), await db.InventoryAsync(db.Name));

        var restore = await workers.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = db.Target, Force = true, SkipSafetyBackup = true }, CancellationToken.None);
        var aside = BackupEngine.AsideName(db.Name, restore.Id);
        db.NewName(); // keeps the disposer's list honest; the aside itself is dropped below
        try
        {
            await PausingWorkers.KillAsync(await workers.ReachedAsync(step));
            var dead = workers.Plain.GetRestore(restore.Id);
            Assert.Equal(OperationState.Failed, dead.State);
            Assert.True(dead.LeftoversPending);
            if (!swappedIn)
            {
                // Before the commit point nothing of the original changed (but for the dropped triggers
                // of a retired-database swap).
                Assert.Equal(before.Item1, await db.SnapshotAsync(db.Name));
                if (!namedKey) Assert.Equal(before.Item2, await db.InventoryAsync(db.Name));
            }

            var next = await workers.Plain.StartBackupAsync(new BackupOptions { Target = db.Target }, CancellationToken.None);
            var nextDone = (BackupRecord)await workers.Plain.WaitAsync(next.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);
            Assert.True(nextDone.State == OperationState.Succeeded, nextDone.StatusMessage);

            var expected = swappedIn ? backedUp : before;
            Assert.Equal(expected.Item1, await db.SnapshotAsync(db.Name));
            Assert.Equal(expected.Item2, await db.InventoryAsync(db.Name));
            var settled = workers.Plain.GetRestore(restore.Id);
            Assert.False(settled.LeftoversPending);
            Assert.Contains(swappedIn ? $"holds the restored copy of backup {backup.Id}" : "holds its contents from before this restore", settled.StatusMessage);
            Assert.Contains(workers.Plain.ReadActivity(new ActivityQuery { Id = restore.Id }).Items, e => e.Action == "RestoreLeftoversSettled");
            Assert.False(await db.ExistsAsync(aside));
            Assert.Equal("0", (await db.QueryAsync($"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{db.Name}' AND table_name LIKE '\\_\\_dbbackup%'"))[0][0]);
            // The trigger that belongs to the final version fires.
            await db.ExecAsync("INSERT INTO parent VALUES (9999, 'x');");
            Assert.Equal(swappedIn ? "x-trig" : "x", (await db.QueryAsync("SELECT v FROM parent WHERE id = 9999"))[0][0]);
        }
        finally
        {
            await TestSql.MyDropAsync(aside);
        }
    }
}
