using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Decides which tables a restore loads by COPY binary, converting the stored COPY text on the way
/// (<see cref="PostgreSqlTextToBinary"/>): those with a bytea column whose columns are all of the types the
/// converter handles. Measured on the benchmark's attachments table (bench/README.md): the server's COPY
/// CPU fell to a third, the client's conversion costing a fraction of that; tables without bytea gain little
/// (their integers and text parse cheaply) and keep COPY text.</summary>
internal static class PostgreSqlBinaryLoad
{
    /// <summary>The converter's kinds for the table's <paramref name="columns"/>, in order, or null when the table keeps COPY text.</summary>
    public static async Task<PostgreSqlTextToBinary.Kind[]?> KindsAsync(NpgsqlConnection conn, string schema, string name, IReadOnlyList<string> columns, CancellationToken ct)
    {
        if (columns.Count == 0) return null;
        await using var cmd = new NpgsqlCommand(
            "SELECT a.atttypid::int FROM unnest($2::text[]) WITH ORDINALITY AS c(name, n) " +
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = $1::regclass AND a.attname = c.name AND NOT a.attisdropped ORDER BY c.n", conn)
        {
            Parameters = { new() { Value = PostgreSqlSyntax.Qualified(schema, name) }, new() { Value = columns.ToArray() } },
        };
        var kinds = new List<PostgreSqlTextToBinary.Kind>(columns.Count);
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                // Exactly these built-in types (pg_type OIDs are fixed): a domain or array over them keeps COPY text.
                PostgreSqlTextToBinary.Kind? kind = reader.GetInt32(0) switch
                {
                    21 => PostgreSqlTextToBinary.Kind.Int2,
                    23 => PostgreSqlTextToBinary.Kind.Int4,
                    20 => PostgreSqlTextToBinary.Kind.Int8,
                    25 => PostgreSqlTextToBinary.Kind.Text,
                    17 => PostgreSqlTextToBinary.Kind.Bytea,
                    _ => null,
                };
                if (kind is not { } k) return null;
                kinds.Add(k);
            }
        }
        return kinds.Count == columns.Count && kinds.Contains(PostgreSqlTextToBinary.Kind.Bytea) ? [.. kinds] : null;
    }
}
