using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Connections to a database opened ahead of their use, in parallel with other work (a restore opens
/// its data connections while pg_restore runs the pre-data section): each open is a TCP and TLS handshake and a
/// sign-in that would otherwise stand between the schema and the first COPY. <see cref="TakeAsync"/> hands them
/// out in order, then opens new ones; <see cref="DisposeAsync"/> waits for and closes every one not taken, so a
/// failure or cancellation leaves no session behind on the database the caller is about to drop.</summary>
internal sealed class PostgreSqlConnectionsAhead : IAsyncDisposable
{
    private readonly ConnectionTarget _target;
    private readonly Task<NpgsqlConnection>[] _opening;
    private int _next = -1;

    private PostgreSqlConnectionsAhead(ConnectionTarget target, Task<NpgsqlConnection>[] opening)
    {
        _target = target;
        _opening = opening;
    }

    /// <summary>Starts opening <paramref name="count"/> connections to the target's database.</summary>
    public static PostgreSqlConnectionsAhead Start(ConnectionTarget target, int count, CancellationToken ct)
        => new(target, [.. Enumerable.Range(0, Math.Max(0, count)).Select(_ => Task.Run(() => PostgreSqlConnector.OpenAsync(target, ct), CancellationToken.None))]);

    /// <summary>The next connection opened ahead (its open's error, if it failed), or a new one once all are taken.
    /// The caller owns and disposes it.</summary>
    public Task<NpgsqlConnection> TakeAsync(CancellationToken ct)
    {
        var i = Interlocked.Increment(ref _next);
        return i < _opening.Length ? _opening[i] : PostgreSqlConnector.OpenAsync(_target, ct);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        var taken = Math.Min(Interlocked.Exchange(ref _next, int.MaxValue - 1) + 1, _opening.Length);
        for (var i = taken; i < _opening.Length; i++)
        {
            try { await (await _opening[i].ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false); }
            catch (Exception) { } // its open failed or was cancelled: nothing to close, and the caller reports its own error
        }
    }
}
