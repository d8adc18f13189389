namespace DbBackup.Engine.Providers.MySql;

public sealed partial class MySqlProvider
{
    // The server's own schemas: never part of "every database" (mydumper and dbatools leave them out
    // of user backups the same way); naming one explicitly still backs it up.
    private const string SystemSchemas = "('mysql', 'sys', 'information_schema', 'performance_schema')";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListDatabasesAsync(ConnectionTarget server, CancellationToken cancellationToken)
    {
        var rows = await MySqlConnections.QueryAsync(server, null,
            $"SELECT HEX(schema_name) FROM information_schema.schemata WHERE schema_name NOT IN {SystemSchemas} ORDER BY schema_name;",
            cancellationToken).ConfigureAwait(false);
        return rows.Select(r => MySqlSyntax.FromHex(r[0])).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The comment of a database ("" for none), or null where the server has no database comments
    /// (MySQL; MariaDB before 10.5, which lack information_schema.SCHEMATA.SCHEMA_COMMENT).</summary>
    internal static async Task<string?> DatabaseCommentAsync(ConnectionTarget target, string database, CancellationToken cancellationToken)
    {
        var has = await MySqlConnections.QueryAsync(target, null,
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'information_schema' AND table_name = 'SCHEMATA' AND column_name = 'SCHEMA_COMMENT';",
            cancellationToken).ConfigureAwait(false);
        if (has[0][0] == "0") return null;
        var rows = await MySqlConnections.QueryAsync(target, null,
            "SELECT HEX(schema_comment) FROM information_schema.schemata WHERE schema_name = " + MySqlSyntax.StringLiteral(database) + ";", cancellationToken).ConfigureAwait(false);
        return rows.Count == 1 ? MySqlSyntax.FromHex(rows[0][0]) : null;
    }

    /// <summary>A database's options as CREATE and ALTER DATABASE take them: default character set and
    /// collation (checked words, see ValidateToc), and the comment when there is one to set. The comment is
    /// a quoted literal (COMMENT takes no hex literal), so the statement must run without NO_BACKSLASH_ESCAPES
    /// (see <see cref="WithBackslashEscapes"/>).</summary>
    internal static string DatabaseOptionsSql(string charset, string collation, string? comment)
        => $"CHARACTER SET {charset} COLLATE {collation}"
           + (comment == null ? "" : " COMMENT '" + comment.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'");

    /// <summary>Turns NO_BACKSLASH_ESCAPES off for the session, so <see cref="DatabaseOptionsSql"/>'s literal reads as written.</summary>
    internal const string WithBackslashEscapes = "SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '');";

    /// <summary>CREATE DATABASE for a restore: the backup's defaults and (MariaDB 10.5 and newer) comment.</summary>
    private static string CreateDatabaseSql(string database, MySqlToc toc)
        => $"{WithBackslashEscapes} CREATE DATABASE {MySqlSyntax.Identifier(database)} {DatabaseOptionsSql(toc.CharacterSet, toc.Collation, string.IsNullOrEmpty(toc.Comment) ? null : toc.Comment)};";
}
