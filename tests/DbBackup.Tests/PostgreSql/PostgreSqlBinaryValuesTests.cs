using System.Buffers;
using System.Text;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Tests.Infrastructure;
using Kind = DbBackup.Engine.Providers.PostgreSql.PostgreSqlTextToBinary.Kind;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Every value the converter turns into COPY binary must be stored exactly as the server's own COPY text
/// input stores it: each hostile value is loaded both ways and compared by text and by the type's send function
/// (bits of floats, numeric's dscale, jsonb's form). What it cannot prove it reads exactly it refuses to convert.</summary>
public sealed class PostgreSqlBinaryValuesTests
{
    private static readonly (string Type, string Send, Kind Kind, string[] Values)[] Cases =
    [
        ("timestamptz", "timestamptz_send", Kind.TimestampTz, [
            "2024-02-29 23:59:59.999999+00", "0001-01-01 00:00:00+00 BC", "4714-11-24 00:00:00+00 BC", "294276-12-31 23:59:59.999999+00",
            "infinity", "-infinity", "2024-03-10 02:30:00.5-05", "2024-03-31 01:30:00+05:30", "1850-01-01 00:00:00+00:53:28",
            "2000-01-01 00:00:00-09:30:15", "12345-06-07 08:09:10.1+00", "1999-12-31 23:59:59.1234+00", "0005-02-29 12:00:00+01 BC"]),
        ("timestamp(6)", "timestamp_send", Kind.Timestamp, [
            "2024-02-29 00:00:00", "0001-12-31 23:59:59.000001 BC", "4714-11-24 00:00:00 BC", "294276-12-31 23:59:59.999999",
            "infinity", "-infinity", "1970-01-01 00:00:00.5", "2000-01-01 00:00:00"]),
        ("timestamp(2)", "timestamp_send", Kind.Timestamp, ["2024-01-01 00:00:00.12"]),
        ("date", "date_send", Kind.Date, [
            "2000-01-01", "0001-01-01 BC", "4714-11-24 BC", "5874897-12-31", "infinity", "-infinity", "2024-02-29", "0001-02-29 BC", "1900-02-28"]),
        ("time", "time_send", Kind.Time, ["00:00:00", "24:00:00", "23:59:59.999999", "12:00:00.5"]),
        ("numeric", "numeric_send", Kind.Numeric, [
            "0", "0.00", "-0.001", "123456789012345678901234567890.123456789", "NaN", "Infinity", "-Infinity", "10000", "0.0001",
            "99999999.99", "-1.10", "1" + new string('0', 1000), "0." + new string('0', 16382) + "1", "100000000.000000010000"]),
        ("numeric(12,2)", "numeric_send", Kind.Numeric, ["9999999999.99", "-0.50", "0.00"]),
        ("float8", "float8send", Kind.Float8, [
            "0", "-0", "1e-300", "5e-324", "2.2250738585072014e-308", "1.7976931348623157e+308", "NaN", "Infinity", "-Infinity",
            "0.1", "3.141592653589793", "-1.5e+100", "142.42857142857142"]),
        ("float4", "float4send", Kind.Float4, ["1e-45", "3.4028235e+38", "-0", "NaN", "0.1", "1e-40", "-Infinity", "16777217"]),
        ("bool", "boolsend", Kind.Bool, ["t", "f"]),
        ("uuid", "uuid_send", Kind.Uuid, ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"]),
        ("varchar(5)", "varcharsend", Kind.Text, ["ab", "", "é\\tü😀", "abc  "]),
        ("char(5)", "bpcharsend", Kind.Text, ["ab   ", "a", "", "\\\\x"]),
        ("json", "json_send", Kind.Json, ["{\"a\": [1, 2.50, \"\\\\u00e9\"], \"a\": null}", "[]", " 1 "]),
        ("jsonb", "jsonb_send", Kind.Jsonb, ["{\"b\": 1, \"a\": 1.50, \"c\": \"é\\\\n\"}", "[1e400]", "\"\"", "null"]),
    ];

    [PostgresFact]
    public async Task Each_type_stores_hostile_values_exactly_as_text_copy_does()
    {
        await using var db = await PostgresTestDatabase.CreateAsync("pgbinval");
        await using var conn = await PostgreSqlConnector.OpenAsync(db.Target, default);
        // A source session far from UTC: offsets in the text decide, never the session's zone.
        await using (var set = new Npgsql.NpgsqlCommand("SET TimeZone = 'America/New_York'", conn)) await set.ExecuteNonQueryAsync();
        foreach (var (type, send, kind, values) in Cases)
        {
            await Exec(conn, $"DROP TABLE IF EXISTS a, b; CREATE TABLE a (id int, v {type}); CREATE TABLE b (id int, v {type})");
            var text = string.Concat(values.Select((v, i) => $"{i}\t{v}\n")) + $"{values.Length}\t\\N\n";
            await PostgreSqlCopy.CopyInAsync(conn, PostgreSqlCopy.CopyInSql("public", "a", ["id", "v"]), new MemoryStream(Encoding.UTF8.GetBytes(text)), _ => { }, default);
            var rows = await PostgreSqlCopy.CopyInBinaryAsync(conn, PostgreSqlCopy.CopyInBinarySql("public", "b", ["id", "v"]),
                new MemoryStream(Encoding.UTF8.GetBytes(text)), new PostgreSqlTextToBinary([Kind.Int4, kind], "data/0001.copy"), _ => { }, default);
            Assert.Equal(values.Length + 1, rows);
            await using var cmd = new Npgsql.NpgsqlCommand(
                $"SELECT a.id, a.v::text, b.v::text FROM a FULL JOIN b USING (id) WHERE a.v::text IS DISTINCT FROM b.v::text OR {send}(a.v) IS DISTINCT FROM {send}(b.v) OR a.id IS NULL OR b.id IS NULL", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            var differing = new List<string>();
            while (await reader.ReadAsync()) differing.Add($"{type} row {reader.GetValue(0)}: text {reader.GetValue(1)} binary {reader.GetValue(2)}");
            Assert.Empty(differing);
        }
    }

    [Theory]
    [InlineData("TimestampTz", "2024-01-01 00:00:00")]           // no offset: the session's zone would decide
    [InlineData("TimestampTz", "2024-01-01T00:00:00+00")]
    [InlineData("TimestampTz", "now")]
    [InlineData("TimestampTz", "2024-01-01 00:00:00.1234567+00")]
    [InlineData("Timestamp", "2024-01-01 24:00:00")]
    [InlineData("Timestamp", "Jan 1 2024")]
    [InlineData("Date", "2024-1-1")]
    [InlineData("Date", "2024-02-30")]
    [InlineData("Date", "0000-01-01")]
    [InlineData("Time", "1:00")]
    [InlineData("Time", "24:00:00.1")]
    [InlineData("Numeric", "1e5")]
    [InlineData("Numeric", " 1")]
    [InlineData("Numeric", "1.")]
    [InlineData("Numeric", "+1")]
    [InlineData("Float8", "1e-400")]
    [InlineData("Float8", "1e400")]
    [InlineData("Float8", " 1")]
    [InlineData("Float8", "inf")]
    [InlineData("Float4", "1e39")]
    [InlineData("Bool", "true")]
    [InlineData("Uuid", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}")]
    public void Values_outside_the_output_grammar_are_left_to_copy_text(string kind, string value)
    {
        var converter = new PostgreSqlTextToBinary([Enum.Parse<Kind>(kind)], "data/0001.copy");
        var e = Assert.Throws<PostgreSqlBinaryNotProven>(() => converter.Convert(Encoding.UTF8.GetBytes(value + "\n"), new ArrayBufferWriter<byte>()));
        Assert.Contains("Row 1 of data/0001.copy", e.Message);
    }

    private static async Task Exec(Npgsql.NpgsqlConnection conn, string sql)
    {
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
