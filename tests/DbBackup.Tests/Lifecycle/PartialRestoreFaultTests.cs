using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Lifecycle;

/// <summary>A per-table replacement that fails or is cancelled between any two of its steps leaves the
/// old tables (and everything else) exactly as they were.</summary>
public sealed class PartialRestoreFaultTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _pg = [];
    private readonly List<string> _my = [];

    private async Task<BackupRecord> BackupAsync(ConnectionTarget target, string[] tables)
    {
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = target, Tables = tables }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        return backup;
    }

    private PayloadReader Reader(BackupRecord b) => new(Path.Combine(_repo.Engine.Repository.BackupFolder(b.Id), "payload"),
        b.Files.Select(f => new BackupFile { Name = f.Name["payload/".Length..], Size = f.Size, Sha256 = f.Sha256 }).ToList(), b.Compression);

    [PostgresFact]
    public async Task PostgreSql_a_failure_or_cancellation_at_any_step_leaves_the_old_tables()
    {
        var db = await TestSql.PgCreateAsync("pgfault", """
            CREATE TABLE orders (id serial PRIMARY KEY, amount numeric, created_at timestamptz DEFAULT now());
            CREATE INDEX orders_amount ON orders (amount);
            CREATE TABLE keep (id int PRIMARY KEY, order_id int REFERENCES orders(id));
            INSERT INTO orders (amount) SELECT i FROM generate_series(1, 50) i; INSERT INTO keep VALUES (1, 3);
            """);
        _pg.Add(db);
        var backup = await BackupAsync(TestServers.Postgres(db), ["orders"]);
        await TestSql.PgExecAsync(db, "UPDATE orders SET amount = -amount; INSERT INTO orders (amount) VALUES (999);");
        var control = TestServers.UniqueName("pgfault_ctl");
        _pg.Add(control);
        await PostgresTestDatabase.AdminAsync($"CREATE DATABASE \"{control}\" TEMPLATE \"{db}\"");
        var tables = backup.TableStats;

        foreach (var step in new[] { "after-drop", "after-pre-data", "after-table public.orders", "before-commit" })
        {
            var provider = new PostgreSqlProvider { TableReplaceFaultInjection = s => { if (s == step) throw new IOException("injected at " + s); } };
            var e = await Assert.ThrowsAnyAsync<Exception>(() => provider.ReplaceTablesAsync(
                new TableReplaceRequest(TestServers.Postgres(db), backup, tables, false, "unused", 1), Reader(backup), new Progress<OperationProgress>(), CancellationToken.None));
            Assert.Contains("injected at " + step, e.Message);
            await PostgresComparison.AssertSameAsync(control, db);
        }
        using var cts = new CancellationTokenSource();
        var cancelling = new PostgreSqlProvider { TableReplaceFaultInjection = s => { if (s == "after-drop") cts.Cancel(); } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelling.ReplaceTablesAsync(
            new TableReplaceRequest(TestServers.Postgres(db), backup, tables, false, "unused", 1), Reader(backup), new Progress<OperationProgress>(), cts.Token));
        await PostgresComparison.AssertSameAsync(control, db);

        // And without a fault the same call replaces the table (so the steps above were real).
        await new PostgreSqlProvider().ReplaceTablesAsync(new TableReplaceRequest(TestServers.Postgres(db), backup, tables, false, "unused", 1),
            Reader(backup), new Progress<OperationProgress>(), CancellationToken.None);
        Assert.Equal(["1"], await TestSql.PgColumnAsync(db, "SELECT amount::text FROM orders WHERE id = 1"));
    }

    [PostgresFact]
    public async Task PostgreSql_kill_9_of_the_worker_with_the_replaced_table_loaded_but_not_committed_leaves_the_old_table()
    {
        var db = await TestSql.PgCreateAsync("pgkill", """
            CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, 30000) i;
            CREATE TABLE keep (id int); INSERT INTO keep VALUES (1);
            """);
        _pg.Add(db);
        // Workers of this repository pause with every row loaded into the replacement, just before the commit.
        using var pausing = new DbBackup.Tests.Hostile.PausingWorkers("restore:replace-before-commit");
        var started = await pausing.Plain.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db), Tables = ["t"] }, CancellationToken.None);
        var backup = (BackupRecord)await pausing.Plain.WaitAsync(started.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'after the backup' WHERE id = 7; DELETE FROM t WHERE id > 29990;");
        const string State = "SELECT count(*)::text || ' ' || sum(length(v))::text || ' ' || (SELECT v FROM t WHERE id = 7) FROM t";
        var before = await TestSql.PgColumnAsync(db, State);

        var restore = await pausing.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true }, CancellationToken.None);
        var pid = await pausing.ReachedAsync("restore:replace-before-commit");
        await DbBackup.Tests.Hostile.PausingWorkers.KillAsync(pid);

        var after = (RestoreRecord)await pausing.Plain.WaitAsync(restore.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);
        Assert.Equal(OperationState.Failed, after.State);
        Assert.Equal(before, await TestSql.PgColumnAsync(db, State));
        Assert.Equal(["keep", "t"], await TestSql.PgColumnAsync(db, "SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1"));
    }

    [MySqlFact]
    public async Task MySql_a_failure_at_any_step_of_the_table_swap_leaves_the_old_tables()
    {
        var db = await TestSql.MyCreateAsync("myfault", """
            CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, amount INT);
            CREATE TABLE audit (n INT);
            CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit VALUES (NEW.id);
            INSERT INTO orders (amount) VALUES (1), (2), (3);
            CREATE VIEW v AS SELECT SUM(amount) AS s FROM orders;
            """);
        _my.Add(db);
        var backup = await BackupAsync(TestServers.MySql(db), ["orders"]);
        await TestSql.MyExecAsync(db, "UPDATE orders SET amount = amount * 10; INSERT INTO orders (amount) VALUES (40);");
        const string State = "SELECT CONCAT_WS(',', id, amount) FROM orders ORDER BY id; SELECT COUNT(*) FROM audit; SELECT s FROM v; " +
            "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE(); SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1;";
        var before = await TestSql.MyExecAsync(db, State);

        foreach (var step in new[] { "before-rename", "after-rename", "after-triggers" })
        {
            var scratch = TestServers.UniqueName("myfault_s");
            _my.Add(scratch);
            var provider = new MySqlProvider { TableReplaceFaultInjection = s => { if (s == step) throw new IOException("injected at " + s); } };
            var e = await Assert.ThrowsAnyAsync<Exception>(() => provider.ReplaceTablesAsync(
                new TableReplaceRequest(TestServers.MySql(db), backup, backup.TableStats, false, scratch, 1), Reader(backup), new Progress<OperationProgress>(), CancellationToken.None));
            Assert.Contains("injected at " + step, e.Message);
            Assert.Equal(before, await TestSql.MyExecAsync(db, State));
            Assert.False(await TestSql.MyExistsAsync(scratch));
        }

        var last = TestServers.UniqueName("myfault_s");
        _my.Add(last);
        await new MySqlProvider().ReplaceTablesAsync(new TableReplaceRequest(TestServers.MySql(db), backup, backup.TableStats, false, last, 1),
            Reader(backup), new Progress<OperationProgress>(), CancellationToken.None);
        Assert.Equal("1,1\n2,2\n3,3\n", await TestSql.MyExecAsync(db, "SELECT CONCAT_WS(',', id, amount) FROM orders ORDER BY id"));
        Assert.Equal("6\n", await TestSql.MyExecAsync(db, "SELECT s FROM v"));
        await TestSql.MyExecAsync(db, "INSERT INTO orders (amount) VALUES (5)");
        Assert.Equal("5\n", await TestSql.MyExecAsync(db, "SELECT COUNT(*) FROM audit"));
    }

    public void Dispose()
    {
        foreach (var d in _pg) TestSql.PgDropAsync(d).GetAwaiter().GetResult();
        foreach (var d in _my) TestSql.MyDropAsync(d).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
