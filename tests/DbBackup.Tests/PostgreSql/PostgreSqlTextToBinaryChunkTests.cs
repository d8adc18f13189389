using System.Buffers;
using System.Text;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Tests.Infrastructure;
using Kind = DbBackup.Engine.Providers.PostgreSql.PostgreSqlTextToBinary.Kind;

namespace DbBackup.Tests.PostgreSql;

/// <summary>The converter's output does not depend on where the input is cut (escapes, NULLs and lines split across
/// reads), rows with many short fields fit the per-line output bound, and a line longer than the read buffer loads.</summary>
public sealed class PostgreSqlTextToBinaryChunkTests
{
    private static readonly Kind[] Kinds = [Kind.Int2, Kind.Text, Kind.Numeric, Kind.Bytea, Kind.Bool, Kind.Jsonb];
    private const string Rows = "1\ta\\tb\\\\c\\101\\x41\t-0.5\t\\\\x00ff\tt\t{\"a\": \"\\\\n\"}\n"
        + "2\t\\N\t0\t\\\\000\\\\\\\\x\tf\t[]\n" + "-3\t\t1\t\\N\t\\N\t\\N\n";

    [Fact]
    public void Output_is_the_same_whichever_byte_the_input_is_cut_at()
    {
        var input = Encoding.UTF8.GetBytes(Rows);
        var whole = Convert(input, input.Length);
        for (var cut = 1; cut < input.Length; cut++) Assert.Equal(whole, Convert(input, cut));
    }

    [Fact]
    public void A_row_of_many_short_fields_converts_to_their_exact_binary_form()
    {
        // The shortest texts with the longest binary forms: "1" as int8 (12 bytes), "0" as numeric (12), "t" as bool (5).
        var kinds = Enumerable.Range(0, 600).Select(i => (i % 3) switch { 0 => Kind.Int8, 1 => Kind.Numeric, _ => Kind.Bool }).ToArray();
        var line = string.Join('\t', kinds.Select(k => k switch { Kind.Int8 => "1", Kind.Numeric => "0", _ => "t" })) + "\n";
        var output = new ArrayBufferWriter<byte>(1);
        new PostgreSqlTextToBinary(kinds, "data/0001.copy").Convert(Encoding.ASCII.GetBytes(line), output);
        Assert.Equal(2 + 200 * (12 + 12 + 5), output.WrittenCount);
        Assert.Equal(new byte[] { 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1 }, output.WrittenSpan[2..14].ToArray());
    }

    [PostgresFact]
    public async Task A_line_longer_than_the_read_buffer_loads_as_text_copy_does()
    {
        await using var db = await PostgresTestDatabase.CreateAsync("pgbinlong");
        await using var conn = await PostgreSqlConnector.OpenAsync(db.Target, default);
        await using (var create = new Npgsql.NpgsqlCommand("CREATE TABLE a (id int, t text, b bytea); CREATE TABLE b (id int, t text, b bytea)", conn))
            await create.ExecuteNonQueryAsync();
        var text = $"1\t{string.Concat(Enumerable.Repeat("x\\ty\\\\", 150_000))}\t\\\\x{string.Concat(Enumerable.Repeat("0aFf", 100_000))}\n2\tz\t\\N\n";
        await PostgreSqlCopy.CopyInAsync(conn, PostgreSqlCopy.CopyInSql("public", "a", ["id", "t", "b"]), new MemoryStream(Encoding.UTF8.GetBytes(text)), _ => { }, default);
        var rows = await PostgreSqlCopy.CopyInBinaryAsync(conn, PostgreSqlCopy.CopyInBinarySql("public", "b", ["id", "t", "b"]),
            new MemoryStream(Encoding.UTF8.GetBytes(text)), new PostgreSqlTextToBinary([Kind.Int4, Kind.Text, Kind.Bytea], "data/0001.copy"), _ => { }, default);
        Assert.Equal(2, rows);
        await using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM a FULL JOIN b USING (id) WHERE a.t IS DISTINCT FROM b.t OR a.b IS DISTINCT FROM b.b OR a.id IS NULL OR b.id IS NULL", conn);
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    private static byte[] Convert(byte[] input, int chunk)
    {
        var converter = new PostgreSqlTextToBinary(Kinds, "data/0001.copy");
        var output = new ArrayBufferWriter<byte>();
        var pending = new List<byte>();
        for (var at = 0; at < input.Length; at += chunk)
        {
            pending.AddRange(input.AsSpan(at, Math.Min(chunk, input.Length - at)).ToArray());
            var used = converter.Convert(pending.ToArray(), output);
            pending.RemoveRange(0, used);
        }
        converter.Finish(pending.ToArray());
        Assert.Equal(3, converter.Rows);
        return output.WrittenSpan.ToArray();
    }
}
