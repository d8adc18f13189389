using System.Text;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Tables of timestamps, numerics, floats, json and the rest restore through COPY binary exactly as
/// pg_dump | pg_restore restores them (row by row through record_send, so every value's binary form is compared),
/// and a data file holding a value the converter cannot prove it reads exactly is loaded by COPY text instead.</summary>
public sealed class PostgreSqlBinaryRestoreTests
{
    private const string Schema = """
        SET TimeZone = 'Europe/Berlin';
        CREATE TABLE typed (id int PRIMARY KEY, tz timestamptz, ts timestamp(3), d date, t time, n numeric, n2 numeric(12,2),
            f8 float8, f4 real, b bool, u uuid, vc varchar(10), c char(4), j json, jb jsonb);
        INSERT INTO typed VALUES
         (1, '2024-03-31 02:30:00.5 Europe/Berlin', '2024-02-29 23:59:59.999', '0001-02-29 BC', '24:00:00', 'NaN', -0.5, '-0', '1e-45',
          true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'é\t\\N', 'a', '{"a":1,"a":2}', '{"z":1.500,"a":[]}'),
         (2, '4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59.999', 'infinity', '00:00:00', '1e-300', 9999999999.99, '5e-324', 'NaN',
          false, '00000000-0000-0000-0000-000000000000', '', '', '[]', 'null'),
         (3, 'infinity', '-infinity', '-infinity', '23:59:59.999999', '123456789012345678901234567890.000000', 0, '1.7976931348623157e308', '-Infinity',
          NULL, NULL, NULL, NULL, NULL, NULL),
         (4, NULL, NULL, NULL, NULL, 'Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        CREATE TABLE stamps (id int PRIMARY KEY, at timestamptz);
        INSERT INTO stamps VALUES (1, '2024-01-01 00:00:00+00'), (2, '1900-01-01 00:00:00+00');
        """;

    [PostgresFact]
    public async Task Typed_tables_restore_through_copy_binary_like_pg_restore()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgbinrt", Schema);
        var restored = TestServers.UniqueName("pgbinrt_r");
        var control = TestServers.UniqueName("pgbinrt_c");
        try
        {
            await using (var conn = await PostgreSqlConnector.OpenAsync(source.Target, default))
                Assert.NotNull(await PostgreSqlBinaryLoad.KindsAsync(conn, "public", "typed", ["id", "tz", "ts", "d", "t", "n", "n2", "f8", "f4", "b", "u", "vc", "c", "j", "jb"], default));
            var provider = new PostgreSqlProvider();
            using var payload = await DumpedPayload.DumpAsync(provider, new DumpRequest(source.Target, null, null, null, Jobs: 2));
            await provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), Jobs: 2), payload.Reader(), new DumpedPayload.SyncProgress([]), default);
            await PostgresCorpusComparison.RestoreControlAsync(source.Name, control);

            await PostgresComparison.AssertSameAsync(control, restored);
            foreach (var table in new[] { "typed", "stamps" })
            {
                var sql = $"SELECT encode(record_send(r), 'hex') FROM {table} r ORDER BY id";
                Assert.Equal(await PostgresTestDatabase.ColumnAsync(control, sql), await PostgresTestDatabase.ColumnAsync(restored, sql));
            }
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
            await PostgresTestDatabase.DropAsync(control);
        }
    }

    [PostgresFact]
    public async Task A_value_the_converter_cannot_prove_loads_the_piece_by_copy_text_and_restores_exactly()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgbinfb", Schema);
        using var rewritten = await WithAnIsoTimestampAsync(source);
        var restored = TestServers.UniqueName("pgbinfb_r");
        try
        {
            await new PostgreSqlProvider().RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), Jobs: 1), rewritten.Reader(), new DumpedPayload.SyncProgress([]), default);
            await PostgresComparison.AssertSameAsync(source.Name, restored);
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }

    [PostgresFact]
    public async Task A_piece_reloaded_by_copy_text_counts_its_bytes_once_in_the_restore_progress()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgbinpr", Schema);
        using var rewritten = await WithAnIsoTimestampAsync(source);
        var reader = rewritten.Reader();
        long dataBytes = 0;
        foreach (var name in reader.Names.Where(n => n.StartsWith("data/", StringComparison.Ordinal)))
        {
            await using var input = reader.Open(name);
            dataBytes += await CountAsync(input);
        }
        var restored = TestServers.UniqueName("pgbinpr_r");
        var progress = new List<OperationProgress>();
        try
        {
            await new PostgreSqlProvider().RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), Jobs: 1), rewritten.Reader(), new DumpedPayload.SyncProgress(progress), default);
            Assert.True(dataBytes > 0);
            Assert.Equal(dataBytes, progress[^1].BytesDone);
            Assert.Equal(100, progress[^1].Percent);
            Assert.All(progress, p => Assert.True(p.BytesDone <= dataBytes, $"{p.Phase}: {p.BytesDone} of {dataBytes} bytes"));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }

    /// <summary>A dump of <paramref name="source"/> whose stamps file holds one ISO 8601 timestamp ('T' for the space):
    /// the server reads it as it reads the space (same length, so the recorded sizes still hold); the converter does not,
    /// so that piece's binary load is abandoned and it loads by COPY text.</summary>
    private static async Task<DumpedPayload> WithAnIsoTimestampAsync(PostgresTestDatabase source)
    {
        using var dumped = await DumpedPayload.DumpAsync(new PostgreSqlProvider(), new DumpRequest(source.Target, null, null, null, 1));
        var reader = dumped.Reader();
        var folder = Path.Combine(Path.GetTempPath(), "dbbackup-pgtest-" + Guid.NewGuid().ToString("N"));
        var writer = new PayloadWriter(folder, CompressionKind.Gzip);
        var rewrote = false;
        foreach (var name in reader.Names)
        {
            using var bytes = new MemoryStream();
            await using (var input = reader.Open(name)) await input.CopyToAsync(bytes);
            var data = bytes.ToArray();
            var text = Encoding.UTF8.GetString(data);
            if (text.StartsWith("1\t2024-01-01 00:00:00+00\n", StringComparison.Ordinal))
            {
                text = text.Replace("1\t2024-01-01 00:00:00+00\n", "1\t2024-01-01T00:00:00+00\n", StringComparison.Ordinal);
                data = Encoding.UTF8.GetBytes(text);
                rewrote = true;
            }
            await using var output = writer.Create(name);
            await output.WriteAsync(data);
        }
        Assert.True(rewrote);
        return new DumpedPayload { Folder = folder, Files = writer.Files, Result = dumped.Result, Progress = [] };
    }

    private static async Task<long> CountAsync(Stream input)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await input.ReadAsync(buffer)) > 0) total += n;
        return total;
    }
}
