using System.Text;
using MySqlConnector;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Writes the schema scripts from the server's own SHOW CREATE statements, as mydumper does, so
/// no client tool is needed. One session whose default database is the source, because SHOW CREATE
/// VIEW and foreign keys then name objects of the same database without the database name (a restore
/// into another name must not point back at the source). Each routine, trigger and event is created
/// under the sql_mode (and events the time zone) it was created with, between DELIMITER lines so the
/// scripts also run through the mariadb client.</summary>
internal sealed partial class MySqlSchemaReader(MySqlConnection session, ConnectionTarget target)
{
    /// <summary>Session settings at the head of every script, and the ones its statements restore after
    /// changing them.</summary>
    private const string Header = "SET NAMES utf8mb4;\nSET SESSION FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0, time_zone = '+00:00', sql_mode = 'NO_AUTO_VALUE_ON_ZERO';\n";

    /// <summary>Opens the session.</summary>
    public static async Task<MySqlSchemaReader> OpenAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        var session = await MySqlConnections.OpenAsync(target, target.Database, cancellationToken).ConfigureAwait(false);
        // SHOW CREATE output depends on sql_mode (ANSI_QUOTES, NO_TABLE_OPTIONS…): the empty mode prints it plain.
        await MySqlConnections.ExecuteAsync(session, target, "SET SESSION sql_mode = '', SQL_QUOTE_SHOW_CREATE = 1", cancellationToken).ConfigureAwait(false);
        return new MySqlSchemaReader(session, target);
    }

    /// <summary>Closes the session.</summary>
    public ValueTask DisposeAsync() => session.DisposeAsync();

    private Task<List<string[]>> QueryAsync(string sql, CancellationToken cancellationToken) => MySqlConnections.QueryAsync(session, target, sql, cancellationToken);

    private string Db => MySqlSyntax.StringLiteral(target.Database);

    /// <summary>Base tables (or <paramref name="tables"/>) and sequences, by name.</summary>
    public async Task<string> TablesAsync(IReadOnlyList<string>? tables, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT HEX(table_name), table_type FROM information_schema.tables WHERE table_schema = {Db} " +
                                    "AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE') ORDER BY table_name", cancellationToken).ConfigureAwait(false);
        var sql = new StringBuilder(Header);
        // Sequences first: a table whose DEFAULT takes NEXT VALUE FOR a sequence cannot be created before it.
        foreach (var r in rows.OrderBy(r => r[1] == "SEQUENCE" ? 0 : 1))
        {
            var name = MySqlSyntax.FromHex(r[0]);
            if (tables != null && !tables.Contains(name, StringComparer.Ordinal)) continue;
            var id = MySqlSyntax.Identifier(name);
            if (r[1] == "SEQUENCE")
            {
                sql.Append(await ShowAsync($"SHOW CREATE SEQUENCE {id}", 1, cancellationToken).ConfigureAwait(false)).Append(";\n");
                // Its position: the next value not yet cached, and how often it has cycled.
                var state = await QueryAsync($"SELECT CAST(next_not_cached_value AS CHAR), CAST(cycle_count AS CHAR) FROM {id}", cancellationToken).ConfigureAwait(false);
                sql.Append($"DO SETVAL({id}, {state[0][0]}, 0, {state[0][1]});\n");
                continue;
            }
            sql.Append(SequencesInOwnDatabase(await ShowAsync($"SHOW CREATE TABLE {id}", 1, cancellationToken).ConfigureAwait(false))).Append(";\n");
        }
        return sql.ToString();
    }

    /// <summary>Functions and procedures.</summary>
    public async Task<string> RoutinesAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT HEX(routine_name), routine_type FROM information_schema.routines WHERE routine_schema = {Db} ORDER BY routine_type, routine_name",
            cancellationToken).ConfigureAwait(false);
        var sql = new StringBuilder(Header);
        foreach (var r in rows)
        {
            var kind = r[1] == "FUNCTION" ? "FUNCTION" : "PROCEDURE";
            var show = await ShowRowAsync($"SHOW CREATE {kind} {MySqlSyntax.Identifier(MySqlSyntax.FromHex(r[0]))}", cancellationToken).ConfigureAwait(false);
            if (show[2] == "NULL") throw RoutineHidden(kind, MySqlSyntax.FromHex(r[0]));
            AppendObject(sql, show[1], null, show[2], show[3], show[4], await OtherDatabaseCollationAsync(show[5], cancellationToken).ConfigureAwait(false));
        }
        return sql.ToString();
    }

    /// <summary>SHOW CREATE PROCEDURE/FUNCTION answers NULL to an account that is neither the routine's definer nor
    /// may read mysql.proc: name the routine, the account and the grant, as the other missing rights are named.</summary>
    private DbBackupException RoutineHidden(string kind, string name) => new(ErrorKind.AuthenticationError, "MySqlPermissionDenied",
        $"User '{target.UserName}' on {target.Server}:{target.Port} may not read the definition of {kind} {MySqlSyntax.Qualified(target.Database, name)}: " +
        "the server shows a routine's body only to its definer or to an account with the SELECT privilege on mysql.proc " +
        $"(GRANT SELECT ON mysql.proc TO the account; MySQL 8: the SHOW_ROUTINE privilege).");

    /// <summary>Placeholder views with the real column names first, then the real views, so a view may
    /// read another whatever the names' order (mariadb-dump's order).</summary>
    public async Task<string> ViewsAsync(IReadOnlyList<string> views, CancellationToken cancellationToken)
    {
        if (views.Count == 0) return "";
        var sql = new StringBuilder(Header);
        var columns = await QueryAsync($"SELECT HEX(table_name), HEX(column_name) FROM information_schema.columns WHERE table_schema = {Db} ORDER BY table_name, ordinal_position",
            cancellationToken).ConfigureAwait(false);
        var byView = columns.GroupBy(c => MySqlSyntax.FromHex(c[0])).ToDictionary(g => g.Key, g => g.Select(c => MySqlSyntax.FromHex(c[1])).ToList(), StringComparer.Ordinal);
        foreach (var view in views)
            sql.Append("CREATE VIEW ").Append(MySqlSyntax.Identifier(view)).Append(" AS SELECT ")
               .Append(string.Join(", ", byView.GetValueOrDefault(view, ["1"]).Select(c => "1 AS " + MySqlSyntax.Identifier(c)))).Append(";\n");
        var shows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var view in views)
        {
            var show = await ShowRowAsync($"SHOW CREATE VIEW {MySqlSyntax.Identifier(view)}", cancellationToken).ConfigureAwait(false);
            show[1] = MySqlViewText.WithoutOwnDatabase(show[1], target.Database);
            shows[view] = show;
        }
        foreach (var view in DependenciesFirst(shows))
        {
            var show = shows[view];
            sql.Append("DROP VIEW IF EXISTS ").Append(MySqlSyntax.Identifier(view)).Append(";\n");
            AppendObject(sql, null, null, show[1], show[2], show[3]);
        }
        return sql.ToString();
    }

    /// <summary>The views in name order, except that a view comes after the views its definition names:
    /// a view WITH CHECK OPTION cannot be made over a placeholder (not updatable), and a MERGE view
    /// reads its base view's real columns. A name that only looks like a reference (a column named as a
    /// view) just adds an order; in a cycle the name order stands.</summary>
    private static List<string> DependenciesFirst(Dictionary<string, string[]> shows)
    {
        var ordered = new List<string>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: being visited, true: done
        void Visit(string view)
        {
            if (state.ContainsKey(view)) return;
            state[view] = false;
            foreach (var other in shows.Keys.Order(StringComparer.Ordinal))
                if (other != view && shows[view][1].Contains(MySqlSyntax.Identifier(other), StringComparison.Ordinal)) Visit(other);
            state[view] = true;
            ordered.Add(view);
        }
        foreach (var view in shows.Keys.Order(StringComparer.Ordinal)) Visit(view);
        return ordered;
    }

    /// <summary>Triggers of the tables (all, or <paramref name="tables"/>) in their firing order, then events.</summary>
    public async Task<string> PostAsync(IReadOnlyList<string>? tables, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(Header);
        var triggers = await QueryAsync($"SELECT HEX(trigger_name), HEX(event_object_table) FROM information_schema.triggers WHERE trigger_schema = {Db} " +
                                        "ORDER BY event_object_table, action_timing, event_manipulation, action_order", cancellationToken).ConfigureAwait(false);
        foreach (var t in triggers)
        {
            if (tables != null && !tables.Contains(MySqlSyntax.FromHex(t[1]), StringComparer.Ordinal)) continue;
            var show = await ShowRowAsync($"SHOW CREATE TRIGGER {MySqlSyntax.Identifier(MySqlSyntax.FromHex(t[0]))}", cancellationToken).ConfigureAwait(false);
            AppendObject(sql, show[1], null, show[2], show[3], show[4], await OtherDatabaseCollationAsync(show[5], cancellationToken).ConfigureAwait(false));
        }
        var events = await QueryAsync($"SELECT HEX(event_name) FROM information_schema.events WHERE event_schema = {Db} ORDER BY event_name", cancellationToken).ConfigureAwait(false);
        foreach (var e in events)
        {
            var show = await ShowRowAsync($"SHOW CREATE EVENT {MySqlSyntax.Identifier(MySqlSyntax.FromHex(e[0]))}", cancellationToken).ConfigureAwait(false);
            AppendObject(sql, show[1], show[2], show[3], show[4], show[5], await OtherDatabaseCollationAsync(show[6], cancellationToken).ConfigureAwait(false));
        }
        return sql.ToString();
    }

    /// <summary>One object created under its own sql_mode, time zone, client character set and connection
    /// collation (string literals in its body take that collation; SHOW CREATE and information_schema
    /// report both, as a mariadb-dump round trip keeps them), the session put back afterwards.</summary>
    private static void AppendObject(StringBuilder sql, string? sqlMode, string? timeZone, string create, string clientCharset, string collation,
        (string Then, string Now)? databaseCollation = null)
    {
        if (create == "NULL")
            throw new DbBackupException(ErrorKind.AuthenticationError, "MySqlPermissionDenied",
                "The server did not show the definition of an object (a routine needs its definer or the SELECT privilege on mysql.proc to be shown): " + create);
        if (MySqlSyntax.ClientCharsetKeepsText(clientCharset, create))
            sql.Append("SET character_set_client = ").Append(MySqlSyntax.StringLiteral(clientCharset)).Append(";\n");
        sql.Append("SET collation_connection = ").Append(MySqlSyntax.StringLiteral(collation)).Append(";\n");
        if (sqlMode != null) sql.Append("SET SESSION sql_mode = ").Append(MySqlSyntax.StringLiteral(sqlMode)).Append(";\n");
        if (timeZone != null) sql.Append("SET SESSION time_zone = ").Append(MySqlSyntax.StringLiteral(timeZone)).Append(";\n");
        // Made while the database had another default collation (its undeclared routine parameters and
        // return values took that character set): made under it again, then the database's put back.
        if (databaseCollation is { } then) sql.Append("ALTER DATABASE COLLATE ").Append(then.Then).Append(";\n");
        sql.Append("DELIMITER ;;\n").Append(create).Append(";;\nDELIMITER ;\n");
        if (databaseCollation is { } now) sql.Append("ALTER DATABASE COLLATE ").Append(now.Now).Append(";\n");
        sql.Append("SET NAMES utf8mb4;\nSET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO', time_zone = '+00:00';\n");
    }

    /// <summary>ALTERs that point every NEXT VALUE FOR / PREVIOUS VALUE FOR default of the database's tables at
    /// the sequence of that name in the database the script runs in: a table moved by RENAME TABLE to
    /// another database keeps naming the sequence in the one it came from. One ALTER per table: the table
    /// cannot be altered while another of its defaults still names a sequence that is gone.</summary>
    /// <para>With <paramref name="tables"/>, only theirs; with <paramref name="into"/>, the sequences are
    /// named in that database (a table about to move there).</para>
    public async Task<string> SequenceDefaultsAsync(IReadOnlyList<string>? tables, string? into, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT HEX(table_name), HEX(column_name), HEX(column_default) FROM information_schema.columns WHERE table_schema = {Db} " +
                                    "AND (column_default LIKE '%nextval(%' OR column_default LIKE '%lastval(%') " +
                                    // A view's columns report their base column's default; views are not altered.
                                    $"AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = {Db} AND table_type <> 'VIEW') " +
                                    "ORDER BY table_name, ordinal_position", cancellationToken).ConfigureAwait(false);
        var sql = new StringBuilder();
        foreach (var table in rows.GroupBy(r => r[0]))
        {
            if (tables != null && !tables.Contains(MySqlSyntax.FromHex(table.Key), StringComparer.Ordinal)) continue;
            var clauses = new List<string>();
            foreach (var r in table)
            {
                var original = MySqlSyntax.FromHex(r[2]);
                var expression = SequencesInOwnDatabase(original, into);
                // A sequence of another database stays where it is.
                if (expression != original)
                    clauses.Add($"ALTER COLUMN {MySqlSyntax.Identifier(MySqlSyntax.FromHex(r[1]))} SET DEFAULT ({expression})");
            }
            if (clauses.Count == 0) continue;
            if (sql.Length == 0) sql.Append("SET SESSION system_versioning_alter_history = KEEP;\n");
            sql.Append("ALTER TABLE ").Append(MySqlSyntax.Identifier(MySqlSyntax.FromHex(table.Key))).Append(' ').Append(string.Join(", ", clauses)).Append(";\n");
        }
        return sql.ToString();
    }

    /// <summary>SHOW CREATE TABLE names a sequence of a NEXT VALUE FOR / PREVIOUS VALUE FOR default with its
    /// database (`src`.`seq`), even in the same database; unqualified, the restored table takes its values
    /// from the restored sequence, not from the source database's (which another server does not have).</summary>
    private string SequencesInOwnDatabase(string create, string? into = null)
    {
        var own = MySqlSyntax.Identifier(target.Database) + ".";
        var to = into == null ? "" : MySqlSyntax.Identifier(into) + ".";
        return create.Replace("nextval(" + own, "nextval(" + to, StringComparison.Ordinal).Replace("lastval(" + own, "lastval(" + to, StringComparison.Ordinal);
    }

    private string? _databaseCollation;

    /// <summary>(the object's, the database's) when an object's "Database Collation" is not the database's
    /// default collation now, else null.</summary>
    private async Task<(string Then, string Now)?> OtherDatabaseCollationAsync(string objectCollation, CancellationToken cancellationToken)
    {
        _databaseCollation ??= (await QueryAsync($"SELECT default_collation_name FROM information_schema.schemata WHERE schema_name = {Db}", cancellationToken).ConfigureAwait(false))[0][0];
        // Collation names are plain words (written unquoted: ALTER DATABASE takes no string literal there).
        return string.Equals(objectCollation, _databaseCollation, StringComparison.OrdinalIgnoreCase)
               || !CollationName().IsMatch(objectCollation) || !CollationName().IsMatch(_databaseCollation)
            ? null : (objectCollation, _databaseCollation);
    }

    private async Task<string> ShowAsync(string sql, int column, CancellationToken cancellationToken) => (await ShowRowAsync(sql, cancellationToken).ConfigureAwait(false))[column];

    private async Task<string[]> ShowRowAsync(string sql, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        if (rows.Count != 1)
            throw new DbBackupException(ErrorKind.ServerError, "MySqlUnexpectedAnswer", $"'{sql}' on {target.Server}:{target.Port} gave {rows.Count} rows; one was expected.");
        return rows[0];
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial System.Text.RegularExpressions.Regex CollationName();
}
