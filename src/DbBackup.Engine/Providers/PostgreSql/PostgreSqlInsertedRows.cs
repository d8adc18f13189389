using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The rows the server itself inserted into a table in the current transaction, read from its
/// statistics counters instead of a <c>count(*)</c> scan after each COPY.</summary>
/// <remarks><c>pg_stat_get_xact_tuples_inserted</c> counts what the executor inserted, so a row the server
/// dropped (a <c>\.</c> line ends COPY text early and the rest is silently ignored) or one inserted twice
/// shows, as it would in <c>count(*)</c>, at no scan. The figure also holds this session's earlier
/// transactions until the backend reports them (at most once a second, and only when idle outside a
/// transaction), so a COPY's rows are the difference of two readings inside its own transaction, where no
/// report can happen. Needs <c>track_counts</c> (on by default); without it the caller counts as before.</remarks>
internal static class PostgreSqlInsertedRows
{
    /// <summary>Whether the session's server keeps the counters (<c>track_counts</c>).</summary>
    public static async Task<bool> TrackedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT current_setting('track_counts')::boolean", conn);
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Rows inserted into the table (itself, not its partitions or children) so far in this session's pending counters.</summary>
    public static async Task<long> ReadAsync(NpgsqlConnection conn, string schema, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_catalog.pg_stat_get_xact_tuples_inserted($1::regclass)", conn)
        { Parameters = { new() { Value = PostgreSqlSyntax.Qualified(schema, name) } } };
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }
}
