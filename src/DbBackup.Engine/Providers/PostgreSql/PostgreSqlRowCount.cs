using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>A table's row count taken by a query of its own, to check the COPY stream against.</summary>
/// <remarks>The per-table row counts and checksums are computed from the COPY stream they describe, so
/// a wrong COPY query (one that read an inheritance parent without ONLY, for example) would produce
/// matching figures. <c>count(*)</c> is cheap next to the COPY, and filtering on <c>tableoid</c> as
/// well as ONLY keeps it right even if one of the two were lost: only the table's own rows count.</remarks>
internal static class PostgreSqlRowCount
{
    /// <summary>SELECT count(*) of the table's own rows [with dateColumn &gt;= since].</summary>
    public static string Sql(string schema, string name, string? dateColumn, DateTimeOffset? since, bool wholeTree = false, PostgreSqlBlockRange? blocks = null)
    {
        var table = PostgreSqlSyntax.Qualified(schema, name);
        var sql = wholeTree
            ? $"SELECT count(*) FROM {table} WHERE true" // a partitioned table: the rows of all its partitions
            : $"SELECT count(*) FROM ONLY {table} WHERE tableoid = {PostgreSqlSyntax.Literal(table)}::regclass";
        if (since is { } s && dateColumn != null)
            sql += " AND " + PostgreSqlSyntax.Identifier(dateColumn) + " >= " + PostgreSqlSyntax.TimestampTz(s);
        if (blocks is { } b) sql += " AND " + b.Condition;
        return sql;
    }

    /// <summary>Counts in the connection's current transaction (so in the same snapshot as its COPY)
    /// and throws RowCountMismatch, naming the table, when the count differs from <paramref name="streamed"/>.</summary>
    public static async Task CheckAsync(NpgsqlConnection conn, string schema, string name, string? dateColumn, DateTimeOffset? since,
        long streamed, string what, CancellationToken ct, bool wholeTree = false, PostgreSqlBlockRange? blocks = null)
    {
        await using var cmd = new NpgsqlCommand(Sql(schema, name, dateColumn, since, wholeTree, blocks), conn);
        var counted = (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        if (counted != streamed)
            throw new DbBackupException(ErrorKind.InvalidData, "RowCountMismatch",
                $"Table {schema}.{name}{(blocks is { } b ? $" has {counted} rows in blocks {b.First} to {b.End?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "its end"}" : $" has {counted} rows")} by count(*), but {what} {streamed}.") { TargetObject = schema + "." + name };
    }
}
