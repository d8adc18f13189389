namespace DbBackup.Engine.Providers.MySql;

/// <summary>Applies a SQL script (ours or mariadb-dump's) through the driver, statement by statement in
/// one session, stopping at the first error as the client does without --force.</summary>
internal static class MySqlScriptRunner
{
    /// <summary>Runs <paramref name="script"/> connected to <paramref name="database"/>.</summary>
    public static async Task ApplyAsync(ConnectionTarget target, string database, string script, CancellationToken cancellationToken)
    {
        await using var connection = await MySqlConnections.OpenAsync(target, database, cancellationToken).ConfigureAwait(false);
        var at = target.WithDatabase(database);
        var noBackslashEscapes = false;
        foreach (var statement in MySqlScriptSplitter.Split(script, () => noBackslashEscapes))
        {
            await MySqlConnections.ExecuteAsync(connection, at, statement, cancellationToken).ConfigureAwait(false);
            // A routine made under NO_BACKSLASH_ESCAPES is preceded by the SET that turns it on: the next
            // statement is then split by that rule, as the client does from the server's status flag.
            if (statement.Contains("sql_mode", StringComparison.OrdinalIgnoreCase))
                noBackslashEscapes = (await MySqlConnections.QueryAsync(connection, at, "SELECT @@sql_mode LIKE '%NO_BACKSLASH_ESCAPES%'", cancellationToken).ConfigureAwait(false))[0][0] == "1";
        }
    }
}
