using DbBackup.Engine;
using DbBackup.Engine.Providers;
using DbBackup.Model;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>Swapping a restored database into place on MariaDB (no RENAME DATABASE).</summary>
public sealed class MySqlSwapTests
{
    private static async Task<(MySqlTestDatabase Db, string Replacement)> BuildAsync()
    {
        var db = await MySqlTestDatabase.CreateAsync("dbb_mysw");
        await db.ExecAsync("""
            CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20));
            CREATE TABLE only_old (x INT);
            INSERT INTO t (v) VALUES ('old1'), ('old2'); INSERT INTO only_old VALUES (1);
            CREATE VIEW v_old AS SELECT v FROM t;
            CREATE TRIGGER t_old BEFORE INSERT ON t FOR EACH ROW SET NEW.v = CONCAT(NEW.v, '-old');
            CREATE FUNCTION which() RETURNS VARCHAR(3) DETERMINISTIC RETURN 'old';
            """);
        var replacement = db.NewName("dbb_myrep");
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{replacement}`;");
        await MySqlTestDatabase.ExecAsync(replacement, """
            CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20));
            CREATE TABLE `new one` (y INT, FOREIGN KEY (y) REFERENCES t(id));
            INSERT INTO t (v) VALUES ('new1'); INSERT INTO `new one` VALUES (1);
            CREATE VIEW v_new AS SELECT t.v, n.y FROM t JOIN `new one` n ON n.y = t.id;
            CREATE TRIGGER t_new BEFORE INSERT ON t FOR EACH ROW SET NEW.v = CONCAT(NEW.v, '-new');
            CREATE FUNCTION which() RETURNS VARCHAR(3) DETERMINISTIC RETURN 'new';
            CREATE PROCEDURE only_new() SELECT 1;
            """);
        return (db, replacement);
    }

    [MySqlFact]
    public async Task Swap_replaces_tables_views_triggers_and_routines_and_removes_the_replacement()
    {
        var (db, replacement) = await BuildAsync();
        await using var _ = db;
        var expectedData = await db.SnapshotAsync(replacement);
        var expectedObjects = (await db.InventoryAsync(replacement)).Select(s => s.Replace(replacement, db.Name, StringComparison.Ordinal)).ToList();

        await new MySqlProvider().SwapAsync(db.Target, db.Name, replacement, CancellationToken.None);

        Assert.Equal(expectedData, await db.SnapshotAsync(db.Name));
        Assert.Equal(expectedObjects, await db.InventoryAsync(db.Name));
        Assert.False(await db.ExistsAsync(replacement));
        Assert.Equal("new", (await db.QueryAsync("SELECT which()"))[0][0]);
        Assert.Equal("new1", (await db.QueryAsync("SELECT v FROM v_new"))[0][0]);
        await db.ExecAsync("INSERT INTO t (v) VALUES ('x');");
        Assert.Equal("x-new", (await db.QueryAsync("SELECT v FROM t WHERE id = 2"))[0][0]);
        var leftovers = await db.QueryAsync("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name LIKE 'dbbackup\\_aside\\_%'");
        Assert.Equal("0", leftovers[0][0]);
    }

    [MySqlFact]
    public async Task A_failure_at_any_step_of_the_swap_leaves_both_databases_as_they_were()
    {
        foreach (var step in new[] { "before-rename", "after-rename", "after-objects" })
        {
            var (db, replacement) = await BuildAsync();
            await using var _ = db;
            var originalData = await db.SnapshotAsync(db.Name);
            var originalObjects = await db.InventoryAsync(db.Name);
            var replacementData = await db.SnapshotAsync(replacement);
            var replacementObjects = await db.InventoryAsync(replacement);

            var provider = new MySqlProvider { SwapFaultInjection = s => { if (s == step) throw new IOException("injected at " + s); } };
            var e = await Assert.ThrowsAsync<DbBackupException>(() => provider.SwapAsync(db.Target, db.Name, replacement, CancellationToken.None));
            Assert.Contains("injected at " + step, e.Message, StringComparison.Ordinal);

            Assert.Equal(originalData, await db.SnapshotAsync(db.Name));
            Assert.Equal(originalObjects, await db.InventoryAsync(db.Name));
            Assert.Equal(replacementData, await db.SnapshotAsync(replacement));
            Assert.Equal(replacementObjects, await db.InventoryAsync(replacement));
            await db.ExecAsync("INSERT INTO t (v) VALUES ('y');");
            Assert.Equal("y-old", (await db.QueryAsync("SELECT v FROM t WHERE id = 3"))[0][0]);
        }
    }

    [MySqlFact]
    public async Task A_swapped_in_table_whose_default_takes_next_value_of_a_sequence_draws_from_the_swapped_in_sequence()
    {
        var (db, replacement) = await BuildAsync();
        await using var _ = db;
        await MySqlTestDatabase.ExecAsync(replacement, """
            CREATE SEQUENCE ids START WITH 500 NOCACHE;
            CREATE TABLE numbered (id INT NOT NULL DEFAULT (NEXT VALUE FOR ids) PRIMARY KEY, prev INT DEFAULT (PREVIOUS VALUE FOR ids), v CHAR(1));
            INSERT INTO numbered (v) VALUES ('a');
            """);

        await new MySqlProvider().SwapAsync(db.Target, db.Name, replacement, CancellationToken.None);

        // Moved by RENAME TABLE, the defaults still named the replacement's sequence, which is dropped.
        var create = (await db.QueryAsync("SHOW CREATE TABLE numbered"))[0][1];
        Assert.DoesNotContain(replacement, create, StringComparison.Ordinal);
        await db.ExecAsync("INSERT INTO numbered (v) VALUES ('b');");
        Assert.Equal(["500 500 a", "501 501 b"], (await db.QueryAsync("SELECT CONCAT_WS(' ', id, IFNULL(prev, 'NULL'), v) FROM numbered ORDER BY id")).Select(r => r[0]));
    }

    [MySqlFact]
    public async Task A_per_table_restore_of_a_table_whose_default_takes_next_value_of_a_sequence_draws_from_the_databases_sequence()
    {
        await using var db = await MySqlTestDatabase.CreateAsync("dbb_mysq");
        await db.ExecAsync("""
            CREATE SEQUENCE ids START WITH 500 NOCACHE;
            CREATE TABLE numbered (id INT NOT NULL DEFAULT (NEXT VALUE FOR ids) PRIMARY KEY, v CHAR(1));
            INSERT INTO numbered (v) VALUES ('a');
            """);
        var (reader, _, _, _) = await db.DumpAsync();
        await db.ExecAsync("INSERT INTO numbered (v) VALUES ('b');");

        // The table is restored in a scratch database first; its default must not stay on that one's sequence.
        await new MySqlProvider().ReplaceTablesAsync(new TableReplaceRequest(db.Target, new BackupRecord { Engine = DatabaseEngine.MySql },
            [new TableStat { Name = "numbered" }], false, db.NewName("dbb_mysqs"), 1), reader, new Progress<OperationProgress>(), CancellationToken.None);

        await db.ExecAsync("INSERT INTO numbered (v) VALUES ('c');");
        Assert.Equal(["500 a", "502 c"], (await db.QueryAsync("SELECT CONCAT_WS(' ', id, v) FROM numbered ORDER BY id")).Select(r => r[0]));
    }

    [MySqlFact]
    public async Task A_swap_brings_every_object_of_the_schema_oddities_corpus_over_an_existing_database_exactly()
    {
        await using var db = await MySqlTestDatabase.CreateAsync("dbb_mysx");
        await db.ExecAsync("CREATE TABLE orders (x INT); CREATE SEQUENCE order_no; CREATE VIEW v_union AS SELECT 1 AS k;");
        var replacement = db.NewName("dbb_mysxr");
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{replacement}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
        await MySqlTestDatabase.ExecAsync(replacement, Corpus.MySqlSchemaOddities.Script);
        var expected = await Corpus.MySqlCorpusFingerprint.TakeAsync(replacement);

        await new MySqlProvider().SwapAsync(db.Target, db.Name, replacement, CancellationToken.None);

        var actual = await Corpus.MySqlCorpusFingerprint.TakeAsync(db.Name);
        Assert.Equal(expected.Keys, actual.Keys);
        // History rows are current rows after a move too; everything else is exact (defaults re-pointed).
        foreach (var key in expected.Keys.Where(k => !k.StartsWith("history ", StringComparison.Ordinal)))
            Assert.True(expected[key] == actual[key], $"{key}:\n{expected[key]}\n---\n{actual[key]}");
    }
}
