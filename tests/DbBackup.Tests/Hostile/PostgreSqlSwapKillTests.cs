using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Hostile;

/// <summary>kill -9 of a PostgreSQL restore worker at each instant of its swap: the database is always
/// usable (connections allowed) and wholly old or wholly new, the record says which as far as it can,
/// and the next operation on the target settles the rest and records what it found.</summary>
public sealed class PostgreSqlSwapKillTests
{
    [PostgresFact]
    public Task Killed_before_the_swap_keeps_the_original() => KillDuringSwapAsync("restore:before-swap", swappedIn: false);

    [PostgresFact]
    public Task Killed_inside_the_rename_transaction_keeps_the_original_usable() => KillDuringSwapAsync("restore:mid-swap", swappedIn: false);

    [PostgresFact]
    public Task Killed_after_the_rename_committed_leaves_the_restored_copy_in_place() => KillDuringSwapAsync("restore:swap-committed", swappedIn: true);

    [PostgresFact]
    public Task Killed_after_the_swap_is_recorded_as_swapped_in() => KillDuringSwapAsync("restore:after-swap", swappedIn: true);

    private static async Task KillDuringSwapAsync(string step, bool swappedIn)
    {
        using var workers = new PausingWorkers(step);
        var db = await TestSql.PgCreateAsync("hpgswap", """
            CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);
            INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
            """);
        var restoreId = "";
        try
        {
            var started = await workers.Plain.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
            var backup = (BackupRecord)await workers.Plain.WaitAsync(started.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);
            Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
            await TestSql.PgExecAsync(db, "UPDATE t SET v = 'after the backup' WHERE id = 7");

            var restore = await workers.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true }, CancellationToken.None);
            restoreId = restore.Id;
            await PausingWorkers.KillAsync(await workers.ReachedAsync(step));

            var dead = workers.Plain.GetRestore(restore.Id);
            Assert.Equal(OperationState.Failed, dead.State);
            Assert.True(dead.LeftoversPending);
            Assert.Contains(step == "restore:after-swap" ? $"'{db}' holds backup {backup.Id}" : "all or nothing", dead.StatusMessage);
            Assert.DoesNotContain("check both", dead.StatusMessage);
            // Usable by anyone, and wholly one version.
            Assert.Equal(true, await PostgresTestDatabase.ScalarAsync("postgres", $"SELECT datallowconn FROM pg_database WHERE datname = '{db}'"));
            Assert.Empty(await TestSql.PgColumnAsync("postgres", "SELECT datname FROM pg_database WHERE NOT datallowconn AND datname <> 'template0'"));
            var expected = swappedIn ? (await TestSql.PgColumnAsync("postgres", "SELECT md5('7')")).Single() : "after the backup";
            Assert.Equal(expected, (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 7")).Single());
            Assert.Equal("2000", (await TestSql.PgColumnAsync(db, "SELECT count(*) FROM t")).Single());

            // The next operation on the target has the credentials: it drops what is left and says so.
            var next = await workers.Plain.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
            var nextDone = (BackupRecord)await workers.Plain.WaitAsync(next.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);
            Assert.True(nextDone.State == OperationState.Succeeded, nextDone.StatusMessage);
            var settled = workers.Plain.GetRestore(restore.Id);
            Assert.False(settled.LeftoversPending);
            Assert.Contains(swappedIn ? $"'{db}' holds the restored copy of backup {backup.Id}" : $"'{db}' holds its contents from before this restore", settled.StatusMessage);
            Assert.Contains(workers.Plain.ReadActivity(new ActivityQuery { Id = restore.Id }).Items, e => e.Action == "RestoreLeftoversSettled" && e.Message!.Contains(next.Id));
            Assert.Empty(await TestSql.PgColumnAsync("postgres", $"SELECT datname FROM pg_database WHERE datname LIKE '{db}\\_\\_re%'"));
            Assert.Equal(expected, (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 7")).Single());
        }
        finally
        {
            await TestSql.PgDropAsync(db);
            if (restoreId.Length > 0)
            {
                var aside = BackupEngine.AsideName(db, restoreId);
                await TestSql.PgDropAsync(aside);
                await TestSql.PgDropAsync(Engine.Providers.RestoreDatabaseNames.Retired(aside)!);
            }
        }
    }
}
