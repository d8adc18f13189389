using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

public sealed partial class PostgreSqlProvider
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListDatabasesAsync(ConnectionTarget server, CancellationToken cancellationToken)
    {
        await using var admin = await OpenAdminAsync(server, [], cancellationToken).ConfigureAwait(false);
        return await Guard(server, "listing databases", async () =>
        {
            // Templates are not data; a database that refuses connections cannot be dumped (pg_dumpall
            // skips both the same way).
            await using var cmd = new NpgsqlCommand(
                "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname COLLATE \"C\"", admin);
            var names = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) names.Add(reader.GetString(0));
            return (IReadOnlyList<string>)names;
        }).ConfigureAwait(false);
    }
}
