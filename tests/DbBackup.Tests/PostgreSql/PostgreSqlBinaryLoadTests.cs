using System.Buffers;
using DbBackup.Engine;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using Kind = DbBackup.Engine.Providers.PostgreSql.PostgreSqlTextToBinary.Kind;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Tables with a bytea column load by COPY binary, the stored COPY text converted on the way: the
/// restored values must equal the source's byte for byte, and what the server's text input would refuse is refused.</summary>
public sealed class PostgreSqlBinaryLoadTests
{
    private const string Schema = """
        CREATE DOMAIN blob AS bytea CHECK (length(VALUE) < 1000);
        CREATE TABLE files (id int PRIMARY KEY, s smallint, l bigint, name text, content bytea);
        INSERT INTO files VALUES
         (1, 32767, 9223372036854775807, E'tab\there\nnew\\line \u00e9 \U0001F600 \\N', (SELECT decode(string_agg(lpad(to_hex(i), 2, '0'), '' ORDER BY i), 'hex') FROM generate_series(0, 255) i)),
         (2, -32768, -9223372036854775808, '', ''),
         (3, NULL, NULL, NULL, NULL),
         (4, 0, 0, '\N', '\x5c4e'),
         (-2147483648, 1, -1, E'\r\b\f\v', decode(repeat('00ff5c0a09', 30000), 'hex'));
        CREATE TABLE typed (id int PRIMARY KEY, b blob);
        INSERT INTO typed VALUES (1, '\x0102'), (2, NULL);
        CREATE TABLE mixed (id int PRIMARY KEY, at timestamptz, b bytea);
        INSERT INTO mixed VALUES (1, '2024-01-01 00:00:00+00', '\x00');
        CREATE TYPE mood AS ENUM ('ok');
        CREATE TABLE other (id int, m mood, a int[], at timestamptz);
        """;

    [PostgresFact]
    public async Task Bytea_tables_restore_byte_for_byte_through_the_binary_load()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgbin_src", Schema);
        var restoredName = TestServers.UniqueName("pgbin_dst");
        var provider = new PostgreSqlProvider();
        try
        {
            using var payload = await DumpedPayload.DumpAsync(provider, new DumpRequest(source.Target, null, null, null, Jobs: 2));
            var target = TestServers.Postgres(restoredName);
            await provider.RestoreAsync(new RestoreRequest(target, new BackupRecord(), Jobs: 2), payload.Reader(), new DumpedPayload.SyncProgress([]), default);

            await PostgresComparison.AssertSameAsync(source.Name, restoredName);
            const string Rows = "SELECT id, s, l, convert_to(name, 'UTF8'), content FROM files ORDER BY id";
            Assert.Equal(await PostgresTestDatabase.RowsAsync(source.Name, Rows), await PostgresTestDatabase.RowsAsync(restoredName, Rows));
            Assert.Equal(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(),
                (byte[]?)(await PostgresTestDatabase.ScalarAsync(restoredName, "SELECT content FROM files WHERE id = 1"))!);
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restoredName);
        }
    }

    [PostgresFact]
    public async Task Only_tables_of_the_converted_types_with_a_column_costly_as_text_load_by_copy_binary()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgbin_kinds", Schema);
        await using var conn = await PostgreSqlConnector.OpenAsync(source.Target, default);
        Assert.Equal([Kind.Int4, Kind.Int2, Kind.Int8, Kind.Text, Kind.Bytea],
            await PostgreSqlBinaryLoad.KindsAsync(conn, "public", "files", ["id", "s", "l", "name", "content"], default));
        Assert.Equal([Kind.Bytea, Kind.Int4], await PostgreSqlBinaryLoad.KindsAsync(conn, "public", "files", ["content", "id"], default));
        Assert.Null(await PostgreSqlBinaryLoad.KindsAsync(conn, "public", "typed", ["id", "b"], default));    // a domain over bytea
        Assert.Equal([Kind.Int4, Kind.TimestampTz], await PostgreSqlBinaryLoad.KindsAsync(conn, "public", "mixed", ["id", "at"], default));
        Assert.Null(await PostgreSqlBinaryLoad.KindsAsync(conn, "public", "files", ["id", "name"], default));  // integers and text only: as cheap as text
        Assert.Null(await PostgreSqlBinaryLoad.KindsAsync(conn, "public", "other", ["id", "m", "at"], default)); // an enum
        Assert.Null(await PostgreSqlBinaryLoad.KindsAsync(conn, "public", "other", ["id", "a", "at"], default)); // an array
    }

    [Fact]
    public void Conversion_undoes_copy_text_escapes_as_the_server_does()
    {
        var rows = Convert([Kind.Text, Kind.Bytea],
            "a\\tb\\nc\\\\d\\101\\x41\\xg\\q\\N\t\\\\x00ff\n" +         // escapes; \xg is x then g; \q is q; \N inside a value is N
            "\\N\t\\N\n" +                                             // NULLs
            "\t\\\\x 01\\tff\n" +                                       // empty text; hex bytea with white space
            "x\tab\\\\\\\\c\\\\001\n");                                // bytea escape form: a b \ c 0x01
        Assert.Equal(4, rows.Count);
        Assert.Equal("a\tb\nc\\dAAxgqN"u8.ToArray(), rows[0][0]);
        Assert.Equal(new byte[] { 0x00, 0xff }, rows[0][1]);
        Assert.Null(rows[1][0]);
        Assert.Null(rows[1][1]);
        Assert.Equal([], rows[2][0]!);
        Assert.Equal(new byte[] { 0x01, 0xff }, rows[2][1]);
        Assert.Equal("ab\\c\u0001"u8.ToArray(), rows[3][1]!);
    }

    [Fact]
    public void Conversion_reads_integers_as_the_server_does()
    {
        var rows = Convert([Kind.Int2, Kind.Int4, Kind.Int8], " -32768 \t+2147483647\t-9223372036854775808\n7\t0\t\\N\n");
        Assert.Equal(new byte[] { 0x80, 0x00 }, rows[0][0]);
        Assert.Equal(new byte[] { 0x7f, 0xff, 0xff, 0xff }, rows[0][1]);
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0 }, rows[0][2]);
        Assert.Equal(new byte[] { 0, 7 }, rows[1][0]);
        Assert.Null(rows[1][2]);
    }

    [Theory]
    [InlineData("32768\t1\n", "out of range")]
    [InlineData("1\t9223372036854775808\n", "out of range")]
    [InlineData("1x\t1\n", "not a 16-bit integer")]
    [InlineData("\t1\n", "not a 16-bit integer")]
    [InlineData("1\n", "has 1 columns")]
    [InlineData("1\t2\t3\n", "more than the 2 columns")]
    [InlineData("\\.\n", "end-of-data marker")]
    [InlineData("1\t2", "ends inside a row")]
    public void Conversion_refuses_what_the_server_would_refuse(string text, string expected)
    {
        var e = Assert.Throws<DbBackupException>(() => Convert([Kind.Int2, Kind.Int8], text));
        Assert.Equal("TableRestoreFailed", e.ErrorId);
        Assert.Contains(expected, e.Message);
        Assert.Contains("data/0001.copy", e.Message);
    }

    [Fact]
    public void The_shortest_texts_with_the_widest_binary_forms_fill_a_row_of_many_columns()
    {
        // Each line's output is reserved once, from its text length: one-character bigints (12 bytes each), numerics
        // (14 bytes) and booleans (5 bytes) are the widest growth; 300 columns of them must fit and read back.
        Kind[] unit = [Kind.Int8, Kind.Numeric, Kind.Bool];
        var kinds = Enumerable.Repeat(unit, 100).SelectMany(k => k).ToArray();
        var line = string.Join("\t", Enumerable.Repeat("7\t0\tt", 100)) + "\n";
        var rows = Convert(kinds, line + line);
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(300, row.Length);
            for (var i = 0; i < 300; i += 3)
            {
                Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 7 }, row[i]);
                Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 }, row[i + 1]); // numeric zero: no digits, weight 0, positive, dscale 0
                Assert.Equal(new byte[] { 1 }, row[i + 2]);
            }
        }
    }

    [Theory]
    [InlineData("\\\\x0g\n")]
    [InlineData("\\\\x012\n")]
    [InlineData("a\\\\b\n")]
    public void Conversion_refuses_invalid_bytea(string text)
        => Assert.Equal("TableRestoreFailed", Assert.Throws<DbBackupException>(() => Convert([Kind.Bytea], text)).ErrorId);

    /// <summary>Converts <paramref name="text"/> in two calls split mid-row and parses the binary rows back into fields.</summary>
    private static List<byte[]?[]> Convert(Kind[] kinds, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var converter = new PostgreSqlTextToBinary(kinds, "data/0001.copy");
        var output = new ArrayBufferWriter<byte>();
        var split = bytes.Length / 2;
        var used = converter.Convert(bytes.AsSpan(0, split), output);
        var rest = bytes.AsSpan(used).ToArray();
        used = converter.Convert(rest, output);
        converter.Finish(rest.AsSpan(used));
        var rows = new List<byte[]?[]>();
        var data = output.WrittenSpan;
        while (!data.IsEmpty)
        {
            var count = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(data);
            data = data[2..];
            var row = new byte[]?[count];
            for (var i = 0; i < count; i++)
            {
                var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data);
                data = data[4..];
                if (length < 0) continue;
                row[i] = data[..length].ToArray();
                data = data[length..];
            }
            rows.Add(row);
        }
        Assert.Equal(rows.Count, converter.Rows);
        return rows;
    }
}
