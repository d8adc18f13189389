using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>A legacy SQL_ASCII database holds whatever bytes its clients sent (Latin-1, Windows-1252, broken
/// UTF-8). pg_dump keeps them; DbBackup must too, instead of failing the backup on the first byte that is
/// not UTF-8.</summary>
public sealed class PostgreSqlSqlAsciiTests
{
    private readonly PostgreSqlProvider _provider = new();

    private const string Rows = """
        CREATE TABLE legacy (id int PRIMARY KEY, s text, c varchar(20));
        INSERT INTO legacy VALUES (1, E'caf\xe9 \xff\xfe \x80\x81', E'\xe4\xf6\xfc'), (2, 'utf8 é 😀', E'\xc3'), (3, E'tab\t\\ \x7f', NULL);
        """;

    private const string Bytes = "SELECT string_agg(id || ':' || coalesce(encode(convert_to(s, 'SQL_ASCII'), 'hex'), '-') || ':' || coalesce(encode(convert_to(c, 'SQL_ASCII'), 'hex'), '-'), ',' ORDER BY id) FROM legacy";

    [PostgresFact]
    public async Task A_sql_ascii_database_with_bytes_that_are_not_utf8_round_trips_byte_for_byte()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgascii_src", Rows, "TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'");
        await using var restored = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, 1), "pgascii_dst");

        var expected = await PostgresTestDatabase.ScalarAsync(source.Name, Bytes);
        Assert.Contains("636166e920fffe208081", (string)expected!);
        Assert.Equal(expected, await PostgresTestDatabase.ScalarAsync(restored.Name, Bytes));
        Assert.Equal("SQL_ASCII", await PostgresTestDatabase.ScalarAsync(restored.Name, "SELECT pg_encoding_to_char(encoding)::text FROM pg_database WHERE datname = current_database()"));
        var dumped = restored.Payload.Result.TableStats;
        var stats = await _provider.ComputeTableStatsAsync(restored.Target, dumped, default);
        Assert.Equal(dumped.Single().ContentChecksum, stats.Single().ContentChecksum);
        PostgresCorpusComparison.AssertSameLines("pg_dump --schema-only", await PostgresCorpusComparison.SchemaAsync(source.Name), await PostgresCorpusComparison.SchemaAsync(restored.Name));
    }
}
