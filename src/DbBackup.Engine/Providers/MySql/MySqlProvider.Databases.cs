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
}
