using System.Diagnostics;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.MySql;

namespace DbBackup.Tests.Lifecycle;

/// <summary>MariaDB: a partial backup (table subset, since filter, or -Table) never wipes the rest of a
/// database. The control is a copy made with mariadb-dump | mariadb at the point the database should
/// end up at; data, table shapes (columns, indexes, foreign keys) and views/triggers are compared.</summary>
public sealed class MySqlPartialRestoreTests : IAsyncLifetime
{
    private readonly TestRepository _repo = new();
    private MySqlTestDatabase _db = null!;

    private const string Shop = """
        CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50), created_at DATETIME NOT NULL DEFAULT '2025-01-01');
        CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT, created_at DATETIME NOT NULL, amount DECIMAL(12,2),
          KEY orders_created (created_at), CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
        CREATE TABLE audit (n INT);
        SET NAMES latin1;
        CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit VALUES (NEW.id);
        SET NAMES utf8mb4;
        CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(50));
        CREATE VIEW cheap_products AS SELECT id, name FROM products WHERE id < 100;
        CREATE VIEW order_total AS SELECT SUM(amount) AS total FROM orders;
        INSERT INTO customers (id, name) VALUES (1, 'ann'), (2, 'bob');
        INSERT INTO orders (customer_id, created_at, amount) SELECT 1 + seq % 2, '2025-01-01' + INTERVAL seq DAY, seq * 1.5 FROM seq_1_to_120;
        INSERT INTO products VALUES (1, 'tea'), (2, 'cake');
        """;

    // No INSERT: the trigger would add to audit, a kept table, and the control would have to follow.
    private const string ChangeOrders = "DELETE FROM orders WHERE id % 3 = 0; UPDATE orders SET amount = 0, customer_id = 2 WHERE id < 10;";
    private const string ChangeProducts = "INSERT INTO products VALUES (3, 'jam'); UPDATE products SET name = 'green tea' WHERE id = 1;";

    public async Task InitializeAsync()
    {
        if (TestServers.MySqlUnavailable != null) return;
        _db = await MySqlTestDatabase.CreateAsync("mypart");
        await _db.ExecAsync(Shop);
    }

    private async Task<BackupRecord> BackupAsync(string[]? tables = null, DateTimeOffset? since = null)
    {
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = _db.Target, Tables = tables ?? [], Since = since }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        return backup;
    }

    private async Task<RestoreRecord> RestoreAsync(RestoreOptions options)
    {
        var started = await _repo.Engine.StartRestoreAsync(options, CancellationToken.None);
        return await _repo.WaitAsync<RestoreRecord>(started.Id);
    }

    /// <summary>A copy of the test database made with the standard tools.</summary>
    private async Task<string> ControlCopyAsync()
    {
        var control = _db.NewName("myctl");
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{control}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
        var t = TestServers.MySql();
        var psi = new ProcessStartInfo("bash", ["-c", $"mariadb-dump -h {t.Server} -P {t.Port} -u {t.UserName} --routines --triggers --events {_db.Name} | mariadb -h {t.Server} -P {t.Port} -u {t.UserName} {control}"])
        { RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["MYSQL_PWD"] = t.Password;
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, err);
        return control;
    }

    /// <summary>Columns, indexes and foreign keys of every table (the database's own name left out).</summary>
    private async Task<List<string>> ShapeAsync(string database)
    {
        var rows = await _db.QueryAsync(
            $"SELECT CONCAT_WS(' ', 'col', table_name, column_name, column_type, is_nullable, IFNULL(column_default, '-'), extra) FROM information_schema.columns WHERE table_schema = '{database}' " +
            $"UNION ALL SELECT CONCAT_WS(' ', 'idx', table_name, index_name, non_unique, seq_in_index, column_name) FROM information_schema.statistics WHERE table_schema = '{database}' " +
            $"UNION ALL SELECT CONCAT_WS(' ', 'fk', table_name, constraint_name, referenced_table_name, unique_constraint_schema = constraint_schema, update_rule, delete_rule) FROM information_schema.referential_constraints WHERE constraint_schema = '{database}'",
            database);
        return rows.Select(r => r[0]).Order(StringComparer.Ordinal).ToList();
    }

    private async Task AssertSameAsync(string control)
    {
        Assert.Equal(await _db.SnapshotAsync(control), await _db.SnapshotAsync(_db.Name));
        Assert.Equal(await ShapeAsync(control), await ShapeAsync(_db.Name));
        Assert.Equal(await _db.InventoryAsync(control), await _db.InventoryAsync(_db.Name));
    }

    [MySqlFact]
    public async Task The_new_users_case_a_subset_and_since_backup_over_the_existing_database_is_refused_and_nothing_changes()
    {
        var backup = await BackupAsync(["orders", "customers"], DateTimeOffset.Parse("2025-03-01T00:00:00Z"));
        var control = await ControlCopyAsync();

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = _db.Target with { Database = "" }, Force = true, SkipSafetyBackup = true }, CancellationToken.None));

        Assert.Equal("PartialRowsOverExistingDatabase", e.ErrorId);
        Assert.Contains("only the rows of orders, customers with created_at since 2025-03-01 00:00:00Z", e.Message);
        Assert.Contains("-TargetDatabase / --target-database", e.Message);
        await AssertSameAsync(control);
        Assert.Empty(_repo.Engine.Repository.ReadAllRestores());
    }

    [MySqlFact]
    public async Task A_table_subset_backup_over_an_existing_database_replaces_only_its_tables_and_keeps_everything_else()
    {
        var backup = await BackupAsync(["orders"]);
        await _db.ExecAsync(ChangeProducts);
        var control = await ControlCopyAsync();
        await _db.ExecAsync(ChangeOrders);

        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = _db.Target, Force = true });

        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.True(done.ReplacesTables);
        Assert.Equal(["orders"], done.Tables);
        Assert.NotNull(done.SafetyBackupId);
        await AssertSameAsync(control);
        // The trigger is made again as its creator made it (a latin1 client), as in the control.
        Assert.Equal("latin1 latin1_swedish_ci", (await TestSql.MyExecAsync(_db.Name,
            "SELECT CONCAT_WS(' ', character_set_client, collation_connection) FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name = 'orders_ai'")).Trim());
        // The restored table keeps its key into the kept customers table, and its trigger fires.
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestSql.MyExecAsync(_db.Name, "INSERT INTO orders (customer_id, created_at) VALUES (99, NOW())"));
        Assert.Contains("foreign key constraint fails", e.Message);
        var audit = (await TestSql.MyExecAsync(_db.Name, "SELECT COUNT(*) FROM audit")).Trim();
        await TestSql.MyExecAsync(_db.Name, "INSERT INTO orders (customer_id, created_at) VALUES (1, NOW())");
        Assert.Equal((int.Parse(audit) + 1).ToString(), (await TestSql.MyExecAsync(_db.Name, "SELECT COUNT(*) FROM audit")).Trim());
        Assert.Empty((await TestSql.MyExecAsync(null, $"SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '{_db.Name}\\_\\_restore%'")).Trim());
    }

    [MySqlFact]
    public async Task Table_restores_chosen_tables_of_a_full_backup_over_an_existing_database()
    {
        var backup = await BackupAsync();
        await _db.ExecAsync(ChangeProducts);
        var control = await ControlCopyAsync();
        await _db.ExecAsync(ChangeOrders);

        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = _db.Target, Tables = ["orders"], Force = true, SkipSafetyBackup = true });

        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        await AssertSameAsync(control);
    }

    [MySqlFact]
    public async Task Table_into_a_new_database_restores_only_those_tables_with_their_triggers()
    {
        var backup = await BackupAsync();
        var fresh = _db.NewName("mytblnew");

        var done = await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = _db.Target, TargetDatabase = fresh, Tables = ["orders", "audit"] });

        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        Assert.Equal(["audit", "orders"], (await _db.QueryAsync($"SELECT table_name FROM information_schema.tables WHERE table_schema = '{fresh}' ORDER BY 1", fresh)).Select(r => r[0]));
        var source = await _db.SnapshotAsync(_db.Name);
        var restored = await _db.SnapshotAsync(fresh);
        Assert.Equal(source["orders"], restored["orders"]);
        Assert.Equal(source["audit"], restored["audit"]);
        // The key to customers (not restored) is left out; the trigger on orders came along.
        Assert.Empty(await _db.QueryAsync($"SELECT constraint_name FROM information_schema.referential_constraints WHERE constraint_schema = '{fresh}'", fresh));
        Assert.Equal("orders_ai", (await _db.QueryAsync($"SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = '{fresh}'", fresh)).Single()[0]);
    }

    [MySqlFact]
    public async Task A_foreign_key_of_another_table_into_a_replaced_table_refuses_the_restore_naming_it()
    {
        await _db.ExecAsync("CREATE TABLE shipments (id INT PRIMARY KEY, order_id INT, CONSTRAINT ship_order FOREIGN KEY (order_id) REFERENCES orders (id)); INSERT INTO shipments VALUES (1, 5);");
        var backup = await BackupAsync(["orders"]);
        await _db.ExecAsync(ChangeProducts);
        var control = await ControlCopyAsync();

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = _db.Target, Force = true }, CancellationToken.None));

        Assert.Equal("DependentObjectsOutsideRestore", e.ErrorId);
        Assert.Contains($"foreign key ship_order of table {_db.Name}.shipments (references orders)", e.Message);
        Assert.Contains("-TargetDatabase / --target-database", e.Message);
        await AssertSameAsync(control);
    }

    public async Task DisposeAsync()
    {
        if (_db != null) await _db.DisposeAsync();
        _repo.Dispose();
    }
}
