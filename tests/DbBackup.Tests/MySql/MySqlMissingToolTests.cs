using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>Changes PATH for the process, so it runs alone (not in parallel with other tests).</summary>
[CollectionDefinition(nameof(MySqlMissingToolTests), DisableParallelization = true)]
public sealed class MySqlMissingToolCollection;

/// <summary>A host with no MySQL client tools (a Windows runbook host with only pwsh): the provider
/// needs none.</summary>
[Collection(nameof(MySqlMissingToolTests))]
public sealed class MySqlMissingToolTests
{
    private const string Schema = """
        CREATE TABLE parent (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) CHARACTER SET latin1 NOT NULL DEFAULT 'x', note TEXT, created DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3),
          CONSTRAINT name_not_empty CHECK (name <> '')) ENGINE=InnoDB COMMENT 'the parents';
        CREATE TABLE child (id BIGINT UNSIGNED PRIMARY KEY, parent_id INT NOT NULL, total DECIMAL(12,2) AS (id * 2) STORED, flags BIT(3), KEY (parent_id),
          CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE);
        CREATE TABLE part (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d)) (PARTITION p1 VALUES LESS THAN (2025), PARTITION pmax VALUES LESS THAN MAXVALUE);
        CREATE TABLE versioned (id INT PRIMARY KEY, v VARCHAR(10)) WITH SYSTEM VERSIONING;
        CREATE SEQUENCE seq_orders START WITH 100 INCREMENT BY 5 MINVALUE 1 MAXVALUE 100000 CACHE 10;
        INSERT INTO parent (name, note) VALUES ('a', 'é😀'), ('b', NULL), ('c', '');
        INSERT INTO child (id, parent_id, flags) VALUES (1, 1, b'101'), (2, 3, NULL);
        INSERT INTO part VALUES (1, '2024-01-01'), (2, '2026-01-01');
        INSERT INTO versioned VALUES (1, 'one');
        DO NEXTVAL(seq_orders); DO NEXTVAL(seq_orders);
        CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
        DELIMITER ;;
        CREATE PROCEDURE count_parents(OUT n INT) COMMENT 'counts ; parents' BEGIN
          /* a comment in the body; the mariadb client keeps this kind */
          SELECT COUNT(*) INTO n FROM parent;
        END;;
        DELIMITER ;
        CREATE VIEW b_view AS SELECT id, twice(id) AS doubled, name FROM parent;
        CREATE VIEW a_view_of_view AS SELECT id FROM b_view WHERE doubled > 2;
        CREATE TRIGGER parent_bi BEFORE INSERT ON parent FOR EACH ROW SET NEW.note = CONCAT(IFNULL(NEW.note, ''), ';trg');
        CREATE TRIGGER parent_bi2 BEFORE INSERT ON parent FOR EACH ROW FOLLOWS parent_bi SET NEW.note = CONCAT(NEW.note, '2');
        CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE COMMENT 'off' DO DELETE FROM child WHERE id > 1000;
        """;

    /// <summary>SHOW CREATE TABLE of every table and sequence (AUTO_INCREMENT kept: it must match too).</summary>
    private static async Task<List<string>> TableDefinitionsAsync(MySqlTestDatabase db, string database)
    {
        var names = await db.QueryAsync($"SELECT HEX(table_name) FROM information_schema.tables WHERE table_schema = '{database}' AND table_type <> 'VIEW' ORDER BY table_name", database);
        var result = new List<string>();
        foreach (var n in names)
            result.Add((await db.QueryAsync("SHOW CREATE TABLE " + MySqlSyntax.Identifier(MySqlSyntax.FromHex(n[0])), database))[0][1]);
        return result;
    }

    [MySqlFact]
    public async Task Backup_restore_and_swap_run_without_mariadb_tools_on_PATH_and_match_the_mariadb_dump_control()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(Schema);
        var restored = db.NewName();
        var swapped = db.NewName();
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{db.Name}_sw`;");
        var path = Environment.GetEnvironmentVariable("PATH");
        var extra = Environment.GetEnvironmentVariable("DBBACKUP_TOOL_PATH");
        var empty = Directory.CreateTempSubdirectory("dbb-no-tools-");
        try
        {
            Environment.SetEnvironmentVariable("PATH", empty.FullName);
            Environment.SetEnvironmentVariable("DBBACKUP_TOOL_PATH", null);
            var probe = await new MySqlProvider().ProbeAsync(db.Target, CancellationToken.None);
            Assert.StartsWith("MySqlConnector", probe.ToolVersion);
            var (reader, _, _, _) = await db.DumpAsync();
            await db.RestoreAsync(reader, restored);
            // A whole-database restore swaps its copy in: views, routines, triggers and events move too.
            await db.RestoreAsync(reader, swapped);
            await new MySqlProvider().SwapAsync(TestServers.MySql(), db.Name + "_sw", swapped, CancellationToken.None);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
            Environment.SetEnvironmentVariable("DBBACKUP_TOOL_PATH", extra);
            empty.Delete();
        }
        try
        {
            // The control: mariadb-dump piped into mariadb.
            var control = db.NewName();
            var script = await MySqlClientTools.RunAsync(db.Target, MySqlClientTools.Dump, ["--routines", "--events", "--triggers", "--skip-dump-date", "--", db.Name], null, CancellationToken.None);
            await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{control}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
            await MySqlClientTools.RunAsync(db.Target, MySqlClientTools.Client, MySqlClientTools.ScriptArgs(control), script, CancellationToken.None);

            foreach (var copy in new[] { restored, db.Name + "_sw" })
            {
                Assert.Equal(await TableDefinitionsAsync(db, control), await TableDefinitionsAsync(db, copy));
                Assert.Equal(await db.InventoryAsync(control), await db.InventoryAsync(copy));
                Assert.Equal(await db.InventoryAsync(db.Name), await db.InventoryAsync(copy));
                Assert.Equal(await db.SnapshotAsync(control), await db.SnapshotAsync(copy));
                Assert.Equal(await db.SnapshotAsync(db.Name), await db.SnapshotAsync(copy));
                // The objects work: views over a function, triggers in their order, the sequence where it was.
                Assert.Equal("2", (await db.QueryAsync("SELECT COUNT(*) FROM a_view_of_view", copy))[0][0]);
                await MySqlTestDatabase.ExecAsync(copy, "INSERT INTO parent (name) VALUES ('d')");
                Assert.Equal(";trg2", (await db.QueryAsync("SELECT note FROM parent WHERE name = 'd'", copy))[0][0]);
                const string position = "SELECT next_not_cached_value, cycle_count FROM seq_orders";
                Assert.Equal((await db.QueryAsync(position, control))[0], (await db.QueryAsync(position, copy))[0]);
                Assert.Equal("150", (await db.QueryAsync("SELECT NEXTVAL(seq_orders)", copy))[0][0]);
            }
        }
        finally
        {
            await MySqlTestDatabase.ExecAsync(null, $"DROP DATABASE IF EXISTS `{db.Name}_sw`;");
        }
    }
}
