using System.Text;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.MySql;

namespace DbBackup.Tests.Corpus;

/// <summary>Everything a logical restore must bring back of one MariaDB database, keyed by object:
/// SHOW CREATE of every table, sequence, view, trigger, routine and event (with the session settings
/// SHOW CREATE reports, such as sql_mode and character sets, but not creation times), trigger order,
/// sequence state, and the rows of every table in an exact form (binary columns as hex, FLOAT widened
/// to DOUBLE so no digit is lost), sorted.</summary>
internal static class MySqlCorpusFingerprint
{
    /// <summary>Object key ("table `t`", "data `t`", "view `v`" …) to its normalised text.</summary>
    public static async Task<SortedDictionary<string, string>> TakeAsync(string database)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var target = TestServers.MySql(database);
        var db = MySqlSyntax.StringLiteral(database);
        string Normal(string text) => text.Replace(MySqlSyntax.Identifier(database), "`<db>`", StringComparison.Ordinal)
            .Replace(database, "<db>", StringComparison.Ordinal);

        var tables = await RowsAsync(target, $"SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = {db} ORDER BY table_name");
        foreach (var t in tables)
        {
            var name = MySqlSyntax.Identifier(t[0]);
            if (t[1] == "VIEW")
            {
                // View, Create View, character_set_client, collation_connection.
                result[$"view {name}"] = Normal(string.Join(" | ", (await RowsAsync(target, $"SHOW CREATE VIEW {name}"))[0]));
                continue;
            }
            var kind = t[1] == "SEQUENCE" ? "sequence" : "table";
            result[$"{kind} {name}"] = Normal((await RowsAsync(target, $"SHOW CREATE TABLE {name}"))[0][1]);
            result[$"data {name}"] = await DataAsync(target, database, t[0], "");
            // The history of a system-versioned table (its own columns; the row_start/row_end instants
            // are the restore's, in any restore).
            if (t[1] == "SYSTEM VERSIONED") result[$"history {name}"] = await DataAsync(target, database, t[0], " FOR SYSTEM_TIME ALL");
        }
        foreach (var r in await RowsAsync(target, $"SELECT routine_type, routine_name FROM information_schema.routines WHERE routine_schema = {db}"))
        {
            // Name, sql_mode, Create …, character_set_client, collation_connection, Database Collation.
            var show = (await RowsAsync(target, $"SHOW CREATE {r[0]} {MySqlSyntax.Identifier(r[1])}"))[0];
            result[$"{r[0].ToLowerInvariant()} {MySqlSyntax.Identifier(r[1])}"] = Normal(string.Join(" | ", show));
        }
        foreach (var r in await RowsAsync(target, $"SELECT trigger_name, event_object_table, action_timing, event_manipulation, action_order FROM information_schema.triggers WHERE trigger_schema = {db}"))
        {
            // Trigger, sql_mode, SQL Original Statement, character sets, Database Collation; not Created.
            var show = (await RowsAsync(target, $"SHOW CREATE TRIGGER {MySqlSyntax.Identifier(r[0])}"))[0];
            result[$"trigger {MySqlSyntax.Identifier(r[0])}"] = Normal(string.Join(" | ", show.Take(6)) + $" | on {r[1]} {r[2]} {r[3]} order {r[4]}");
        }
        foreach (var r in await RowsAsync(target, $"SELECT event_name FROM information_schema.events WHERE event_schema = {db}"))
        {
            // Event, sql_mode, time_zone, Create Event, character sets, Database Collation.
            var show = (await RowsAsync(target, $"SHOW CREATE EVENT {MySqlSyntax.Identifier(r[0])}"))[0];
            result[$"event {MySqlSyntax.Identifier(r[0])}"] = Normal(string.Join(" | ", show));
        }
        return result;
    }

    /// <summary>Rows of a table (sequences too: their state is their one row), exact and sorted.</summary>
    private static async Task<string> DataAsync(ConnectionTarget target, string database, string table, string systemTime)
    {
        var columns = await RowsAsync(target, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = " +
            MySqlSyntax.StringLiteral(database) + " AND table_name = " + MySqlSyntax.StringLiteral(table) +
            // A system-versioned table's own ROW START / ROW END columns hold the instants of the restore in
            // any restore (mariadb-dump's too), so they are left out like the implicit ones.
            " AND IFNULL(generation_expression, '') NOT IN ('ROW START', 'ROW END') ORDER BY ordinal_position");
        var exprs = columns.Select(c =>
        {
            var col = MySqlSyntax.Identifier(c[0]);
            // FLOAT's own text has 6 digits; as DOUBLE (exact widening) it prints every bit.
            var value = c[1] == "float" ? $"CAST({col} AS DOUBLE)" : col;
            return $"IFNULL(HEX(CAST({value} AS BINARY)), 'NULL')";
        });
        var rows = await RowsAsync(target, "SET time_zone = '+00:00'; SELECT CONCAT_WS(',', " + string.Join(", ", exprs) + ") FROM " + MySqlSyntax.Identifier(table) + systemTime);
        var sorted = rows.Select(r => r[0]).Order(StringComparer.Ordinal).ToList();
        return $"{sorted.Count} rows\n" + string.Join("\n", sorted);
    }

    /// <summary>Runs a query in batch mode without --raw, so newlines and tabs inside values come
    /// escaped and every row is one line; fields are unescaped.</summary>
    private static async Task<List<string[]>> RowsAsync(ConnectionTarget target, string sql)
    {
        var output = await MySqlClientTools.RunAsync(target, MySqlClientTools.Client,
            ["--batch", "--skip-column-names", "--default-character-set=utf8mb4", "--database=" + target.Database], sql, CancellationToken.None);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t').Select(Unescape).ToArray()).ToList();
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var sb = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length) { sb.Append(field[i]); continue; }
            sb.Append(field[++i] switch { 'n' => '\n', 't' => '\t', '0' => '\0', _ => field[i] });
        }
        return sb.ToString();
    }
}
