using System.Text;
using System.Text.RegularExpressions;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Corpus;

/// <summary>The control restore (pg_dump -Fc | pg_restore) and the comparison of a restored database with
/// it: the schema as pg_dump prints it, every table's rows, materialized views, sequences, large objects.</summary>
internal static partial class PostgresCorpusComparison
{
    private const string UserSchema = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'";

    /// <summary>Restores <paramref name="source"/> into the new database <paramref name="control"/> with the standard tools,
    /// then gives it the source's ALTER DATABASE … SET settings, as pg_restore --create (and a DbBackup restore) does.</summary>
    public static async Task RestoreControlAsync(string source, string control)
    {
        var tools = await new PostgreSqlToolLocator().LocateAsync(15, default);
        var archive = Path.Combine(Path.GetTempPath(), "dbbackup-corpus-" + Guid.NewGuid().ToString("N") + ".dump");
        try
        {
            await ToolRunner.RunAsync(tools.PgDump, ["-Fc", "--no-password", "-f", archive, "-d", source], Environment(), null, default);
            await PostgresTestDatabase.AdminAsync($"CREATE DATABASE \"{control}\" TEMPLATE template0");
            await ToolRunner.RunAsync(tools.PgRestore, ["--exit-on-error", "--no-password", "-d", control, archive], Environment(), null, default);
            await CopyDatabaseSettingsAsync(source, control);
        }
        finally
        {
            File.Delete(archive);
        }
    }

    private static async Task CopyDatabaseSettingsAsync(string source, string control)
    {
        PostgreSqlTocDatabase properties;
        await using (var conn = await PostgreSqlConnector.OpenAsync(TestServers.Postgres(source), default))
            properties = await PostgreSqlDatabaseProperties.ReadAsync(conn, default);
        foreach (var s in properties.Settings.Where(s => s.Role == null))
            await PostgresTestDatabase.AdminAsync($"ALTER DATABASE \"{control}\" SET {PostgreSqlSyntax.Identifier(s.Name)} TO {PostgreSqlDatabaseProperties.Value(s.Name, s.Value)}");
    }

    /// <summary>Fails with the first differing lines when <paramref name="subject"/> differs from <paramref name="control"/>.</summary>
    public static async Task AssertSameAsync(string control, string subject)
    {
        AssertSameLines("pg_dump --schema-only", await SchemaAsync(control), await SchemaAsync(subject));
        AssertSameLines("contents", await ContentsAsync(control), await ContentsAsync(subject));
    }

    /// <summary>pg_dump's schema text, without what legitimately differs: the database name and the
    /// random keys of \restrict / \unrestrict. With <paramref name="create"/>, pg_dump --create: the
    /// database's own properties (locale, owner, privileges, comment, settings) too.</summary>
    public static async Task<List<string>> SchemaAsync(string database, bool create = false)
    {
        var tools = await new PostgreSqlToolLocator().LocateAsync(15, default);
        string[] args = create ? ["--schema-only", "--create", "--no-password", "-d", database] : ["--schema-only", "--no-password", "-d", database];
        var text = await ToolRunner.RunAsync(tools.PgDump, args, Environment(), null, default);
        return text.Split('\n')
            .Where(l => !RestrictKey().IsMatch(l))
            .Select(l => l.Replace(database, "<database>", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>One line per table (md5 of its own rows, in order), materialized view (populated, rows),
    /// sequence (position) and large object (owner, privileges, comment, content md5).</summary>
    public static async Task<List<string>> ContentsAsync(string database)
    {
        var lines = new List<string>();
        // Partitions of a tree hash-partitioned on an enum are compared as their whole tree: the enum's
        // OIDs, and so the partition each row hashes to, differ in every database (pg_restore's too).
        var relations = await PostgresTestDatabase.RowsAsync(database, $"""
            SELECT DISTINCT coalesce(v.root::regclass::text, format('%I.%I', n.nspname, c.relname)),
                   CASE WHEN v.root IS NULL THEN c.relkind::text ELSE 'p' END, c.relispopulated
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL (SELECT CASE WHEN c.relispartition AND EXISTS (
                SELECT 1 FROM pg_partition_ancestors(c.oid) a JOIN pg_partitioned_table pt ON pt.partrelid = a.relid
                WHERE pt.partstrat = 'h' AND EXISTS (SELECT 1 FROM unnest(pt.partattrs::int2[]) k JOIN pg_attribute ka ON ka.attrelid = pt.partrelid AND ka.attnum = k
                                                     JOIN pg_type kt ON kt.oid = ka.atttypid WHERE kt.typtype = 'e'))
                THEN pg_partition_root(c.oid) END AS root) v
            WHERE c.relkind IN ('r', 'm', 'S') AND {UserSchema} ORDER BY 1
            """);
        foreach (var row in relations)
        {
            var (name, kind, populated) = ((string)row[0]!, (string)row[1]!, (bool)row[2]!);
            string value;
            if (kind == "p")
                value = await DigestAsync(database, name);
            else if (kind == "S")
                value = (string)(await PostgresTestDatabase.ScalarAsync(database, $"SELECT last_value || ' called ' || is_called FROM {name}"))!;
            else if (kind == "m" && !populated)
                value = "not populated";
            else
                value = await DigestAsync(database, "ONLY " + name);
            lines.Add($"{(kind == "S" ? "sequence" : kind == "m" ? "materialized view" : kind == "p" ? "partition tree" : "table")} {name}: {value}");
        }
        lines.AddRange((await PostgresTestDatabase.ColumnAsync(database, PostgresComparison.LargeObjectsSql)).Select(l => "large object " + l));
        return lines;
    }

    /// <summary>Row count and the md5 of the rows' text in order, of a FROM item.</summary>
    private static async Task<string> DigestAsync(string database, string from)
        => (await PostgresTestDatabase.ScalarAsync(database,
            $"SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '-') FROM {from} x"))!.ToString()!;

    /// <summary>Equal lists, or a failure showing where they part, with a few lines of context.</summary>
    public static void AssertSameLines(string what, IReadOnlyList<string> control, IReadOnlyList<string> subject)
    {
        var first = Enumerable.Range(0, Math.Min(control.Count, subject.Count)).FirstOrDefault(i => control[i] != subject[i], -1);
        if (first < 0 && control.Count == subject.Count) return;
        if (first < 0) first = Math.Min(control.Count, subject.Count);
        var sb = new StringBuilder($"{what} differs from the pg_dump/pg_restore control at line {first + 1} ({control.Count} lines in the control, {subject.Count} in the DbBackup restore):\n");
        foreach (var (label, lines) in new[] { ("control", control), ("dbbackup", subject) })
            for (var i = Math.Max(0, first - 3); i < Math.Min(lines.Count, first + 6); i++)
                sb.Append(label).Append(i == first ? " > " : "   ").Append(i + 1).Append(": ").Append(lines[i]).Append('\n');
        Assert.Fail(sb.ToString());
    }

    private static Dictionary<string, string> Environment()
    {
        var t = TestServers.Postgres();
        return new Dictionary<string, string>
        {
            ["PGHOST"] = t.Server, ["PGPORT"] = t.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = t.UserName, ["PGPASSWORD"] = t.Password ?? "",
        };
    }

    [GeneratedRegex(@"^\\(un)?restrict ")]
    private static partial Regex RestrictKey();
}
