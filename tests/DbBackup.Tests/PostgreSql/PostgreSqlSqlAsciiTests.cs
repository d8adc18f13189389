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
        var restored = TestServers.UniqueName("pgascii_dst");
        try
        {
            using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
            await _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1), payload.Reader(), new DumpedPayload.SyncProgress([]), default);

            var expected = await PostgresTestDatabase.ScalarAsync(source.Name, Bytes);
            Assert.Contains("636166e920fffe208081", (string)expected!);
            Assert.Equal(expected, await PostgresTestDatabase.ScalarAsync(restored, Bytes));
            Assert.Equal("SQL_ASCII", await PostgresTestDatabase.ScalarAsync(restored, "SELECT pg_encoding_to_char(encoding)::text FROM pg_database WHERE datname = current_database()"));
            var stats = await _provider.ComputeTableStatsAsync(TestServers.Postgres(restored), payload.Result.TableStats, default);
            Assert.Equal(payload.Result.TableStats.Single().ContentChecksum, stats.Single().ContentChecksum);
            PostgresCorpusComparison.AssertSameLines("pg_dump --schema-only", await PostgresCorpusComparison.SchemaAsync(source.Name), await PostgresCorpusComparison.SchemaAsync(restored));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }
}
