using System.Text;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>Objects come back in an order their dependencies allow: views that call stored functions,
/// views over views (whatever the names' order), routines that read views, triggers that call
/// routines; and backups written in payload format 1 (views before routines) still restore.</summary>
public sealed class MySqlObjectOrderTests
{
    private const string Schema = """
        CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (5);
        CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;
        CREATE VIEW v AS SELECT f(a) AS b FROM t;
        CREATE VIEW a_over_v AS SELECT b, f(b) AS c FROM v;
        CREATE FUNCTION g() RETURNS INT READS SQL DATA RETURN (SELECT SUM(c) FROM a_over_v);
        CREATE TABLE log_t (n INT);
        CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW INSERT INTO log_t VALUES (g());
        CREATE DEFINER = CURRENT_USER SQL SECURITY INVOKER VIEW z_invoker AS SELECT g() AS total;
        """;

    private static async Task AssertWorksAsync(MySqlTestDatabase db, string restored)
    {
        Assert.Equal(await db.InventoryAsync(db.Name), await db.InventoryAsync(restored));
        Assert.Equal([["2"], ["6"]], (await db.QueryAsync("SELECT b FROM v ORDER BY b", restored)).Select(r => r.ToList()));
        Assert.Equal("10", (await db.QueryAsync("SELECT total FROM z_invoker", restored))[0][0]);
        foreach (var view in new[] { "v", "a_over_v", "z_invoker" })
        {
            var create = (await db.QueryAsync($"SHOW CREATE VIEW {view}", db.Name))[0][1];
            Assert.Equal(create, (await db.QueryAsync($"SHOW CREATE VIEW {view}", restored))[0][1]);
        }
        await db.ExecAsync($"INSERT INTO `{restored}`.t VALUES (2);");
        Assert.Equal("14", (await db.QueryAsync("SELECT n FROM log_t", restored))[0][0]);
    }

    [MySqlFact]
    public async Task A_view_calling_a_stored_function_and_views_over_it_restore_and_work()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(Schema);
        var (reader, _, _, _) = await db.DumpAsync();
        var restored = await db.RestoreAsync(reader);
        await AssertWorksAsync(db, restored);
    }

    [MySqlFact]
    public async Task A_view_with_check_option_over_a_view_named_after_it_restores()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        // In name order a_checked would be made over z_base's placeholder, which is not updatable (ERROR 1368).
        await db.ExecAsync("""
            CREATE TABLE t (id INT PRIMARY KEY, ok INT);
            CREATE VIEW z_base AS SELECT id, ok FROM t;
            CREATE ALGORITHM = MERGE VIEW a_checked AS SELECT id, ok FROM z_base WHERE ok = 1 WITH CASCADED CHECK OPTION;
            """);
        var (reader, _, _, _) = await db.DumpAsync();
        var restored = await db.RestoreAsync(reader);
        Assert.Equal(await db.InventoryAsync(db.Name), await db.InventoryAsync(restored));
        Assert.Equal((await db.QueryAsync("SHOW CREATE VIEW a_checked"))[0][1], (await db.QueryAsync("SHOW CREATE VIEW a_checked", restored))[0][1]);
    }

    [MySqlFact]
    public async Task A_format_1_backup_with_a_view_calling_a_function_still_restores()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(Schema);
        var (reader, _, _, _) = await db.DumpAsync();
        // Format 1 as DbBackup wrote it: tables and views in schema.sql; triggers, routines and events in post.sql.
        string[] common = ["--no-data", "--single-transaction", "--skip-dump-date", "--no-create-db", "--no-tablespaces"];
        var schema = await MySqlClientTools.RunAsync(db.Target, MySqlClientTools.Dump, [.. common, "--skip-triggers", "--", db.Name], null, CancellationToken.None);
        var post = await MySqlClientTools.RunAsync(db.Target, MySqlClientTools.Dump, [.. common, "--no-create-info", "--triggers", "--routines", "--events", "--", db.Name], null, CancellationToken.None);
        string toc;
        using (var r = new StreamReader(reader.Open("toc.json"))) toc = await r.ReadToEndAsync();
        // The tables hold integers only, written the same in every format, so only the version differs.
        var current = $"\"FormatVersion\": {MySqlToc.CurrentFormatVersion}";
        Assert.Contains(current, toc);
        var format1 = new Format1Source(reader, new()
        {
            ["toc.json"] = toc.Replace(current, "\"FormatVersion\": 1"),
            ["schema.sql"] = schema,
            ["post.sql"] = post,
        });
        var restored = await db.RestoreAsync(format1);
        await AssertWorksAsync(db, restored);
    }

    [Fact]
    public void A_format_1_schema_splits_into_tables_with_placeholders_and_the_final_views_with_the_session_header()
    {
        const string dump = "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n\n--\n-- Table structure for table `t`\n--\nCREATE TABLE t (a int);\n" +
            "\n--\n-- Temporary table structure for view `v`\n--\nCREATE VIEW v AS SELECT NULL AS b;\n" +
            "\n--\n-- Final view structure for view `v`\n--\nCREATE VIEW v AS SELECT f(a) AS b FROM t;\n/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n";
        var (tables, views) = MySqlSchemaScripts.SplitFormat1(dump);
        Assert.Contains("CREATE TABLE t", tables);
        Assert.Contains("SELECT NULL AS b", tables);
        Assert.DoesNotContain("f(a)", tables);
        Assert.StartsWith("/*!40101 SET @OLD_SQL_MODE", views);
        Assert.Contains("f(a)", views);
        Assert.DoesNotContain("CREATE TABLE", views);
        Assert.Null(MySqlSchemaScripts.SplitFormat1("CREATE TABLE t (a int);\n").Views);
    }

    /// <summary>A payload with some files replaced by texts and the format-2-only files removed.</summary>
    private sealed class Format1Source(IPayloadSource inner, Dictionary<string, string> replaced) : IPayloadSource
    {
        public IReadOnlyList<string> Names => inner.Names.Where(n => n is not "routines.sql" and not "views.sql").ToList();

        public Stream Open(string name)
            => replaced.TryGetValue(name, out var text) ? new MemoryStream(Encoding.UTF8.GetBytes(text)) : inner.Open(name);
    }
}
