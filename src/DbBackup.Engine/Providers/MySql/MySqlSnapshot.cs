using System.Diagnostics;
using System.Globalization;
using MySqlConnector;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Sessions that all read one consistent snapshot, the way mydumper makes them: FLUSH TABLES
/// WITH READ LOCK on one session (writes stop, for milliseconds), START TRANSACTION WITH CONSISTENT
/// SNAPSHOT on every session, UNLOCK TABLES. The lock needs the RELOAD privilege; without it (or when the
/// lock cannot be had within <see cref="LockWaitSeconds"/>, because a long statement holds tables) the
/// dump falls back to one session, whose own snapshot is consistent without any lock.
/// <see cref="Consistency"/> says which happened, for the backup record.</summary>
internal sealed class MySqlSnapshot : IAsyncDisposable
{
    /// <summary>How long FLUSH TABLES WITH READ LOCK may wait for running statements before the dump
    /// gives up on it and reads through one session: while it waits, every writer waits too.</summary>
    internal const int LockWaitSeconds = 5;

    // sql_mode '' so no mode changes how values print (PAD_CHAR_TO_FULL_LENGTH, ANSI_QUOTES…); UTC so
    // TIMESTAMP values print as instants.
    private const string SessionSetup = "SET SESSION sql_mode = '', time_zone = '+00:00'; SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ";
    private const string StartSnapshot = "START TRANSACTION WITH CONSISTENT SNAPSHOT";

    private MySqlSnapshot(List<MySqlConnection> sessions, string consistency)
    {
        Sessions = sessions;
        Consistency = consistency;
    }

    /// <summary>Open sessions, each inside the same snapshot.</summary>
    public IReadOnlyList<MySqlConnection> Sessions { get; }

    /// <summary>How the snapshot was made, in words for the record (sessions, lock time or why one session).</summary>
    public string Consistency { get; }

    /// <summary>Opens up to <paramref name="sessions"/> sessions in one snapshot.</summary>
    public static async Task<MySqlSnapshot> OpenAsync(ConnectionTarget target, int sessions, CancellationToken cancellationToken)
    {
        var opened = new List<MySqlConnection>();
        try
        {
            for (var i = 0; i < Math.Max(1, sessions); i++)
            {
                var session = await MySqlConnections.OpenAsync(target, null, cancellationToken).ConfigureAwait(false);
                opened.Add(session);
                await MySqlConnections.ExecuteAsync(session, target, SessionSetup, cancellationToken).ConfigureAwait(false);
            }
            if (opened.Count == 1)
            {
                await MySqlConnections.ExecuteAsync(opened[0], target, StartSnapshot, cancellationToken).ConfigureAwait(false);
                return new MySqlSnapshot(opened, "one session, one consistent snapshot (no global lock)");
            }
            var leader = opened[0];
            var watch = Stopwatch.StartNew();
            TimeSpan waited;
            try
            {
                await using var command = new MySqlCommand(
                    $"SET SESSION lock_wait_timeout = {LockWaitSeconds}; FLUSH TABLES WITH READ LOCK; SET SESSION lock_wait_timeout = DEFAULT", leader);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                waited = watch.Elapsed;
            }
            catch (MySqlException e) when (e.Number is 1227 or 1205)
            {
                // 1227: no RELOAD privilege; 1205: the lock could not be had in time.
                var why = e.Number == 1205
                    ? $"FLUSH TABLES WITH READ LOCK waited more than {LockWaitSeconds} s for running statements"
                    : $"the account lacks the RELOAD privilege that FLUSH TABLES WITH READ LOCK needs";
                foreach (var extra in opened.Skip(1)) await extra.DisposeAsync().ConfigureAwait(false);
                opened.RemoveRange(1, opened.Count - 1);
                await MySqlConnections.ExecuteAsync(leader, target, "SET SESSION lock_wait_timeout = DEFAULT; " + StartSnapshot, cancellationToken).ConfigureAwait(false);
                return new MySqlSnapshot(opened, $"one session, one consistent snapshot: {why} (server said: {e.Message}), so the tables were read serially");
            }
            catch (Exception e) when (MySqlErrors.FromDriver(target, e) is { } mapped) { throw mapped; }
            try
            {
                foreach (var session in opened)
                    await MySqlConnections.ExecuteAsync(session, target, StartSnapshot, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Released whatever happened: a held global read lock stops every writer on the server.
                await MySqlConnections.ExecuteAsync(leader, target, "UNLOCK TABLES", CancellationToken.None).ConfigureAwait(false);
            }
            var held = (watch.Elapsed - waited).TotalMilliseconds;
            return new MySqlSnapshot(opened, string.Create(CultureInfo.InvariantCulture,
                $"{opened.Count} sessions in one consistent snapshot; FLUSH TABLES WITH READ LOCK held {held:0.#} ms (taken in {waited.TotalMilliseconds:0.#} ms)"));
        }
        catch
        {
            foreach (var session in opened) await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Ends the transactions (read-only, nothing to commit) and closes the sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var session in Sessions) await session.DisposeAsync().ConfigureAwait(false);
    }
}
