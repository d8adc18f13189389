using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Lifecycle;

/// <summary>PostgreSQL: a partial backup (table subset, since filter, or -Table) never wipes the rest of a
/// database. Each test keeps a control copy made with CREATE DATABASE … TEMPLATE and compares the whole
/// database (objects and every row) with it.</summary>
public sealed class PartialRestoreTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    private const string Shop = """
        CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT '2025-04-01');
        CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), created_at timestamptz NOT NULL, amount numeric(12,2), note text);
        CREATE INDEX orders_created ON orders (created_at);
        COMMENT ON TABLE orders IS 'the orders';
        CREATE TABLE products (id int PRIMARY KEY, name text, created_at timestamptz DEFAULT now());
        CREATE VIEW cheap_products AS SELECT id, name FROM products WHERE id < 100;
        INSERT INTO customers (name) VALUES ('ann'), ('bob');
        INSERT INTO orders (customer_id, created_at, amount) SELECT 1 + i % 2, timestamptz '2025-01-01' + i * interval '1 day', i * 1.5 FROM generate_series(1, 120) i;
        INSERT INTO products VALUES (1, 'tea'), (2, 'cake');
        """;

    // A subset backup refuses a trigger calling a function outside it, so only whole-database backups have one.
    private const string Trigger = """
        CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'stamped'); RETURN NEW; END $$;
        CREATE TRIGGER orders_stamp BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION stamp();
        """;

    private async Task<string> CreateAsync(string prefix, string sql = Shop)
    {
        var db = await TestSql.PgCreateAsync(prefix, sql);
        _databases.Add(db);
        return db;
    }

    private async Task<string> CopyAsync(string db)
    {
        var copy = TestServers.UniqueName("pgctl");
        _databases.Add(copy);
        await PostgresTestDatabase.AdminAsync($"CREATE DATABASE \"{copy}\" TEMPLATE \"{db}\"");
        return copy;
    }

    private async Task<BackupRecord> BackupAsync(string db, string[]? tables = null, DateTimeOffset? since = null)
    {
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db), Tables = tables ?? [], Since = since }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        return backup;
    }

    private async Task<RestoreRecord> RestoreAsync(RestoreOptions options)
    {
        var started = await _repo.Engine.StartRestoreAsync(options, CancellationToken.None);
        return await _repo.WaitAsync<RestoreRecord>(started.Id);
    }

    private const string ChangeOrders = "DELETE FROM orders WHERE id % 3 = 0; UPDATE orders SET amount = 0 WHERE id < 10; INSERT INTO orders (customer_id, created_at) VALUES (2, now());";
    private const string ChangeProducts = "INSERT INTO products VALUES (3, 'jam'); UPDATE products SET name = 'green tea' WHERE id = 1;";

    [PostgresFact]
    public async Task A_table_subset_backup_over_an_existing_database_replaces_only_its_tables_and_keeps_everything_else()
    {
        var db = await CreateAsync("pgpart");
        var backup = await BackupAsync(db, ["orders", "customers"]);
        // The control: the database as it should end up (orders as backed up, products changed later).
        await TestSql.PgExecAsync(db, ChangeProducts);
        var control = await CopyAsync(db);
        await TestSql.PgExecAsync(db, ChangeOrders);
        await TestSql.PgExecAsync(db, "CREATE TABLE added_later (x int); INSERT INTO added_later VALUES (7);");
        await TestSql.PgExecAsync(control, "CREATE TABLE added_later (x int); INSERT INTO added_later VALUES (7);");

        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true });

        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.True(done.ReplacesTables);
        Assert.False(done.Swap);
        Assert.Equal(["public.customers", "public.orders"], done.Tables.Order());
        Assert.NotNull(done.SafetyBackupId);
        await PostgresComparison.AssertSameAsync(control, db);
        // The sequence is back where the backup left it.
        Assert.Equal(await TestSql.PgColumnAsync(control, "SELECT last_value::text FROM orders_id_seq"), await TestSql.PgColumnAsync(db, "SELECT last_value::text FROM orders_id_seq"));
        Assert.Equal(["the orders"], await TestSql.PgColumnAsync(db, "SELECT obj_description('orders'::regclass)"));
    }

    [PostgresFact]
    public async Task A_since_filtered_backup_over_an_existing_database_is_refused_and_changes_nothing_but_restores_into_a_new_one()
    {
        var db = await CreateAsync("pgsince");
        var backup = await BackupAsync(db, ["orders", "customers"], DateTimeOffset.Parse("2025-03-01T00:00:00Z"));
        await TestSql.PgExecAsync(db, ChangeProducts);
        var control = await CopyAsync(db);

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true }, CancellationToken.None));
        Assert.Equal("PartialRowsOverExistingDatabase", e.ErrorId);
        Assert.Contains("since 2025-03-01", e.Message);
        Assert.Contains("-TargetDatabase / --target-database", e.Message);
        await PostgresComparison.AssertSameAsync(control, db);
        Assert.Empty(_repo.Engine.Repository.ReadAllRestores());

        var fresh = TestServers.UniqueName("pgsince_new");
        _databases.Add(fresh);
        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = fresh });
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.Equal(await TestSql.PgColumnAsync(db, "SELECT id::text FROM orders WHERE created_at >= '2025-03-01' ORDER BY id"), await TestSql.PgColumnAsync(fresh, "SELECT id::text FROM orders ORDER BY id"));
    }

    [PostgresFact]
    public async Task Table_restores_chosen_tables_of_a_full_backup_over_an_existing_database()
    {
        var db = await CreateAsync("pgtbl", Shop + Trigger);
        var backup = await BackupAsync(db);
        await TestSql.PgExecAsync(db, ChangeProducts);
        var control = await CopyAsync(db);
        await TestSql.PgExecAsync(db, ChangeOrders);

        var plan = await _repo.Engine.PlanRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Tables = ["orders"], Force = true }, CancellationToken.None);
        Assert.Equal(RestoreAction.ReplaceTables, plan.Action);
        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Tables = ["orders"], Force = true, SkipSafetyBackup = true });

        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.Equal(["public.orders"], done.Tables);
        await PostgresComparison.AssertSameAsync(control, db);
        // The restored table's trigger (its function kept in the database) fires again.
        await TestSql.PgExecAsync(db, "INSERT INTO orders (customer_id, created_at) VALUES (1, now())");
        Assert.Equal(["stamped"], await TestSql.PgColumnAsync(db, "SELECT note FROM orders ORDER BY id DESC LIMIT 1"));
    }

    [PostgresFact]
    public async Task Table_into_a_new_database_restores_only_those_tables()
    {
        var db = await CreateAsync("pgtblnew", "CREATE TABLE b (id int PRIMARY KEY); CREATE TABLE a (id int PRIMARY KEY, v text, b_id int REFERENCES b(id)); INSERT INTO b VALUES (5); INSERT INTO a VALUES (1, 'x', 5), (2, NULL, NULL);");
        var backup = await BackupAsync(db);
        var fresh = TestServers.UniqueName("pgtblnew_c");
        _databases.Add(fresh);

        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = fresh, Tables = ["public.a"] });

        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.Equal(["a"], await TestSql.PgColumnAsync(fresh, "SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"));
        Assert.Equal(["1|x", "2|"], await TestSql.PgColumnAsync(fresh, "SELECT id || '|' || coalesce(v, '') FROM a ORDER BY id"));
        // Its key to b, which is not restored, is left out (as pg_restore -t leaves it).
        Assert.Equal(["a_pkey"], await TestSql.PgColumnAsync(fresh, "SELECT conname::text FROM pg_constraint WHERE conrelid = 'a'::regclass"));
    }

    [PostgresFact]
    public async Task A_table_the_backup_does_not_hold_is_refused_listing_the_tables_it_has()
    {
        var db = await CreateAsync("pgtblbad");
        var backup = await BackupAsync(db, ["orders", "customers"]);
        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.PlanRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Tables = ["products"], Force = true }, CancellationToken.None));
        Assert.Equal("TableNotInBackup", e.ErrorId);
        Assert.Contains("products", e.Message);
        Assert.Contains("public.customers, public.orders", e.Message);
    }

    [PostgresFact]
    public async Task Views_over_a_replaced_table_refuse_the_restore_before_anything_changes_naming_them()
    {
        var db = await CreateAsync("pgview", Shop + "CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100; CREATE MATERIALIZED VIEW order_totals AS SELECT sum(amount) FROM orders;");
        var backup = await BackupAsync(db, ["orders", "customers"]);
        await TestSql.PgExecAsync(db, ChangeOrders);
        var control = await CopyAsync(db);

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true }, CancellationToken.None));
        Assert.Equal("DependentObjectsOutsideRestore", e.ErrorId);
        Assert.Contains("view public.big_orders", e.Message);
        Assert.Contains("materialized view public.order_totals", e.Message);
        Assert.Contains("-TargetDatabase / --target-database", e.Message);
        Assert.Contains("Nothing was changed", e.Message);
        Assert.DoesNotContain("cheap_products", e.Message);
        await PostgresComparison.AssertSameAsync(control, db);
        Assert.Empty(_repo.Engine.Repository.ReadAllRestores());
    }

    [PostgresFact]
    public async Task A_foreign_key_of_another_table_into_a_replaced_table_is_kept_and_checked_against_the_restored_rows()
    {
        var db = await CreateAsync("pgfk", Shop + "CREATE TABLE shipments (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders(id) ON DELETE CASCADE); INSERT INTO shipments VALUES (1, 5), (2, 7);");
        var backup = await BackupAsync(db, ["orders", "customers"]);
        var control = await CopyAsync(db);
        await TestSql.PgExecAsync(db, "DELETE FROM orders WHERE id > 100; UPDATE orders SET amount = 1;");

        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true });
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        await PostgresComparison.AssertSameAsync(control, db);

        // A shipment of an order the backup does not hold: re-adding the key fails, so nothing changes.
        await TestSql.PgExecAsync(db, "INSERT INTO orders (id, customer_id, created_at) VALUES (500, 1, now()); INSERT INTO shipments VALUES (3, 500);");
        var control2 = await CopyAsync(db);
        var failed = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true });
        Assert.Equal(OperationState.Failed, failed.State);
        Assert.Contains("shipments", failed.StatusMessage);
        Assert.Contains("No table of", failed.StatusMessage);
        await PostgresComparison.AssertSameAsync(control2, db);
    }

    [PostgresFact]
    public async Task The_plan_names_engine_server_port_database_and_tables_and_changes_nothing()
    {
        var db = await CreateAsync("pgplan");
        var sub = await BackupAsync(db, ["orders", "customers"]);
        var full = await BackupAsync(db);
        var target = TestServers.Postgres(db);

        var partial = await _repo.Engine.PlanRestoreAsync(new RestoreOptions { BackupId = sub.Id, Target = target, Force = true }, CancellationToken.None);
        Assert.Equal(RestoreAction.ReplaceTables, partial.Action);
        Assert.Contains($"PostgreSql database '{db}' on {target.Server}:{target.Port}", partial.Description);
        Assert.Contains("public.customers, public.orders", partial.Description);
        Assert.Contains("Every other object", partial.Description);

        var whole = await _repo.Engine.PlanRestoreAsync(new RestoreOptions { BackupId = full.Id, Target = target, Force = true }, CancellationToken.None);
        Assert.Equal(RestoreAction.ReplaceDatabase, whole.Action);
        Assert.Contains("Replace the whole PostgreSql database", whole.Description);

        // Without -Force the refusal says the same thing.
        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.PlanRestoreAsync(new RestoreOptions { BackupId = sub.Id, Target = target }, CancellationToken.None));
        Assert.Equal("DatabaseExists", e.ErrorId);
        Assert.Contains("public.customers, public.orders", e.Message);
        Assert.Empty(_repo.Engine.Repository.ReadAllRestores());
    }

    [PostgresFact]
    public async Task An_existing_target_database_is_refused_without_suggesting_to_overwrite_the_source()
    {
        var db = await CreateAsync("pgtgt");
        var copy = await CreateAsync("pgtgt_copy", "CREATE TABLE keep (x int)");
        var backup = await BackupAsync(db);
        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = copy }, CancellationToken.None));
        Assert.Equal("TargetDatabaseExists", e.ErrorId);
        Assert.DoesNotContain($"'{db}'", e.Message);
        Assert.Contains($"-Database / --database '{copy}'", e.Message);
        Assert.Contains("Pick a name that does not exist", e.Message);
    }

    [PostgresFact]
    public async Task Status_reports_a_restore_under_the_database_it_wrote_not_its_source()
    {
        var db = await CreateAsync("pgstat");
        var backup = await BackupAsync(db);
        var copy = TestServers.UniqueName("pgstat_copy");
        _databases.Add(copy);
        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = copy });
        Assert.Equal(OperationState.Succeeded, done.State);
        Assert.Equal(copy, done.Database);
        Assert.Equal(db, done.SourceDatabase);

        var t = TestServers.Postgres(db);
        Assert.Equal(done.Id, _repo.Engine.GetStatus(t.Engine, t.Server, t.Port, copy).Restore?.Id);
        Assert.Null(_repo.Engine.GetStatus(t.Engine, t.Server, t.Port, db).Restore);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
