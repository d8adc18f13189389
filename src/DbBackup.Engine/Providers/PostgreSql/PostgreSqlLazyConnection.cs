using DbBackup.Model;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>A session opened the first time it is needed (each costs a TLS handshake and a sign-in), closed on dispose.</summary>
internal sealed class PostgreSqlLazyConnection(ConnectionTarget target) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
        => _connection ??= await PostgreSqlConnector.OpenAsync(target, ct).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_connection != null) await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
