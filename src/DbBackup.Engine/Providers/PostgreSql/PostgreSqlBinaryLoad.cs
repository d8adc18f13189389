using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Decides which tables a restore loads by COPY binary, converting the stored COPY text on the way
/// (<see cref="PostgreSqlTextToBinary"/>): those whose columns are all of the types the
/// converter handles, at least one of them not an integer or text. Measured (bench/README.md): the server's COPY
/// CPU fell to a third for the attachments table (bytea) and to 0.5–0.66 for tables of timestamps, numeric,
/// jsonb and floats, the client's conversion costing a fraction of that; tables of only integers and text gain
/// little (both parse cheaply) and keep COPY text.</summary>
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
                    1043 or 1042 => PostgreSqlTextToBinary.Kind.Text,     // varchar, bpchar
                    16 => PostgreSqlTextToBinary.Kind.Bool,
                    700 => PostgreSqlTextToBinary.Kind.Float4,
                    701 => PostgreSqlTextToBinary.Kind.Float8,
                    1700 => PostgreSqlTextToBinary.Kind.Numeric,
                    1082 => PostgreSqlTextToBinary.Kind.Date,
                    1083 => PostgreSqlTextToBinary.Kind.Time,
                    1114 => PostgreSqlTextToBinary.Kind.Timestamp,
                    1184 => PostgreSqlTextToBinary.Kind.TimestampTz,
                    2950 => PostgreSqlTextToBinary.Kind.Uuid,
                    114 => PostgreSqlTextToBinary.Kind.Json,
                    3802 => PostgreSqlTextToBinary.Kind.Jsonb,
                    _ => null,
                };
                if (kind is not { } k) return null;
                kinds.Add(k);
            }
        }
        // A table of only integers and text gains little (both parse cheaply on the server) and keeps COPY text.
        return kinds.Count == columns.Count && kinds.Any(k => k is not (PostgreSqlTextToBinary.Kind.Int2 or PostgreSqlTextToBinary.Kind.Int4
            or PostgreSqlTextToBinary.Kind.Int8 or PostgreSqlTextToBinary.Kind.Text)) ? [.. kinds] : null;
    }
}
