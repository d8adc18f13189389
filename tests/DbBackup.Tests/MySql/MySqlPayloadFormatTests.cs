using System.Text;
using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>The MySQL data-file forms: format 4 writes strings and blobs as escaped bytes, and a backup
/// made by an older build (format 2, hex) still restores exactly and still verifies. The old backup is
/// a real one, checked in: Fixtures/format2-hex, made by DbBackup 1afe47f of the database in its
/// source.sql, which the tests load with the mariadb client as the control.</summary>
public sealed class MySqlPayloadFormatTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "MySql", "Fixtures", "format2-hex");

    /// <summary>The fixture's manifest and a reader of its payload (file sizes and SHA-256 checked as read).</summary>
    private static (BackupRecord Record, PayloadReader Reader) OpenFixture()
    {
        var record = JsonSerializer.Deserialize<BackupRecord>(File.ReadAllText(Path.Combine(Fixture, "manifest.json")), Json.Records)!;
        var files = record.Files.Select(f => new BackupFile { Name = f.Name["payload/".Length..], Size = f.Size, Sha256 = f.Sha256 }).ToList();
        return (record, new PayloadReader(Path.Combine(Fixture, "payload"), files, CompressionKind.None));
    }

    private static async Task<MySqlTestDatabase> ControlAsync()
    {
        var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(await File.ReadAllTextAsync(Path.Combine(Fixture, "source.sql")));
        return db;
    }

    private static async Task AssertOldBackupRestoresAsync(bool localInfile)
    {
        await using var db = await ControlAsync();
        var (record, reader) = OpenFixture();
        Assert.Equal(2, record.FormatVersion);

        var restored = await db.RestoreAsync(reader, provider: new MySqlProvider { LocalInfile = localInfile });

        var control = await db.SnapshotAsync(db.Name);
        Assert.Equal(control, await db.SnapshotAsync(restored));
        Assert.Equal(4, control["kinds"].Count);
        // What verify does: the manifest's bare (hex-form) checksums recomputed from the restored tables.
        var stats = await new MySqlProvider().ComputeTableStatsAsync(TestServers.MySql(restored), record.TableStats, CancellationToken.None);
        Assert.Equal(record.TableStats.Select(s => (s.Name, s.Rows, s.ContentChecksum)), stats.Select(s => (s.Name, s.Rows, s.ContentChecksum)));
    }

    [MySqlFact]
    public Task A_format_2_backup_with_hex_values_restores_exactly_by_load_data_and_its_checksums_still_verify()
        => AssertOldBackupRestoresAsync(localInfile: true);

    [MySqlFact]
    public Task A_format_2_backup_with_hex_values_restores_exactly_by_insert_batches_where_local_infile_is_off()
        => AssertOldBackupRestoresAsync(localInfile: false);

    [Theory]
    [InlineData("", true)]
    [InlineData("\\\\ \\t \\n", true)]
    [InlineData("\0\r'\"\u00FF", true)]
    [InlineData("a\\x", false)]
    [InlineData("x\\N", false)]
    [InlineData("ends in \\", false)]
    [InlineData("raw\ttab", false)]
    public void An_escaped_value_is_accepted_only_when_every_backslash_starts_one_of_the_three_escapes(string field, bool valid)
        => Assert.Equal(valid, MySqlRowCodec.IsValid(Encoding.Latin1.GetBytes(field), MySqlValueEncoding.Escaped));

    [Fact]
    public void A_data_file_line_with_a_bad_escape_is_refused_naming_the_table_line_and_column()
    {
        List<MySqlColumn> columns = [new() { Name = "id", Encoding = MySqlValueEncoding.Integer }, new() { Name = "v", Encoding = MySqlValueEncoding.Escaped }];
        MySqlRowCodec.CheckLine("7\tok\\\\"u8, columns, "t", 1);
        MySqlRowCodec.CheckLine("7\t\\N"u8, columns, "t", 2);
        var e = Assert.Throws<DbBackupException>(() => MySqlRowCodec.CheckLine("7\tbad\\q"u8, columns, "t", 3));
        Assert.Equal("MySqlCorruptDataFile", e.ErrorId);
        Assert.Contains("'t'", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'v'", e.Message);
    }

    [MySqlFact]
    public async Task A_new_backup_writes_format_4_with_escaped_bytes_that_restore_exactly_and_verify_in_their_own_form()
    {
        await using var db = await ControlAsync();
        var (reader, result, _, _) = await db.DumpAsync();

        Assert.Equal(MySqlToc.RecordFormatVersion, result.FormatVersion);
        var toc = JsonSerializer.Deserialize<MySqlToc>(reader.Open("toc.json"), new JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } })!;
        Assert.Equal(MySqlToc.EscapedFormatVersion, toc.FormatVersion);
        var kinds = toc.Tables.Single(t => t.Name == "kinds");
        Assert.Equal(["Integer", "Escaped", "Escaped", "Escaped", "Escaped", "Escaped", "Escaped", "Escaped", "Bit", "Float", "Temporal", "Escaped"],
            kinds.Columns.Select(c => c.Encoding.ToString()));
        // Row 1's vb is the bytes '\' 'N' 0x00 '\' LF: escaped, never the NULL marker \N; row 3 is all NULL.
        string[] lines;
        using (var data = new StreamReader(reader.Open(kinds.File), Encoding.Latin1)) lines = (await data.ReadToEndAsync()).Split('\n');
        // Row 1's b is the bytes 00 5C 09 0A 0D 27 22 FF: only backslash, tab and newline escaped.
        Assert.Equal("\0\\\\\\t\\n\r'\"\u00FF", lines[0].Split('\t')[1]);
        Assert.Equal("\\\\N\0\\\\\\n", lines[0].Split('\t')[3]);
        Assert.Equal(string.Join("\t", Enumerable.Repeat("\\N", 11).Prepend("3")), lines[2]);
        Assert.StartsWith(MySqlChecksumForm.EscapedPrefix, result.TableStats.Single(t => t.Name == "kinds").ContentChecksum);

        var restored = await db.RestoreAsync(reader);
        Assert.Equal(await db.SnapshotAsync(db.Name), await db.SnapshotAsync(restored));
        var stats = await new MySqlProvider().ComputeTableStatsAsync(TestServers.MySql(restored), result.TableStats, CancellationToken.None);
        Assert.Equal(result.TableStats.Select(s => s.ContentChecksum), stats.Select(s => s.ContentChecksum));
        // The same data in the old form gives the old backup's checksum: the two forms differ only in how values are written.
        var (record, _) = OpenFixture();
        var hexForm = await new MySqlProvider().ComputeTableStatsAsync(TestServers.MySql(restored), record.TableStats, CancellationToken.None);
        Assert.Equal(record.TableStats.Select(s => s.ContentChecksum), hexForm.Select(s => s.ContentChecksum));
    }
}
