namespace DbBackup.Engine.Providers.MySql;

/// <summary>Applies a SQL script (ours or mariadb-dump's) through the driver, statement by statement in
/// one session, stopping at the first error as the client does without --force.</summary>
internal static class MySqlScriptRunner
{
    /// <summary>Runs <paramref name="script"/> connected to <paramref name="database"/>.</summary>
    public static async Task ApplyAsync(ConnectionTarget target, string database, string script, CancellationToken cancellationToken)
    {
        await using var connection = await MySqlConnections.OpenAsync(target, database, cancellationToken).ConfigureAwait(false);
        foreach (var statement in MySqlScriptSplitter.Split(script))
            await MySqlConnections.ExecuteAsync(connection, target.WithDatabase(database), statement, cancellationToken).ConfigureAwait(false);
    }
}
