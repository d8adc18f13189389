using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Lifecycle;

/// <summary>Payload codecs: zstd by default, gzip and none selectable; a backup records its codec and the
/// reader picks the decoder by that record, so backups written with any codec (older gzip ones included) restore.</summary>
public sealed class CompressionTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    [Theory]
    [InlineData(CompressionKind.Zstd, ".zst")]
    [InlineData(CompressionKind.Gzip, ".gz")]
    [InlineData(CompressionKind.None, "")]
    public async Task Each_codec_round_trips_the_bytes_and_names_its_files_by_suffix(CompressionKind codec, string suffix)
    {
        var folder = Path.Combine(_repo.Path, "payload-" + codec);
        var content = new byte[3_000_000];
        new Random(7).NextBytes(content.AsSpan(0, 1_000_000)); // incompressible, then compressible text
        for (var i = 1_000_000; i < content.Length; i++) content[i] = (byte)("row\t" + i % 977 + "\n")[i % 5];
        var writer = new PayloadWriter(folder, codec);
        await using (var s = writer.Create("data/0001.copy"))
            for (var o = 0; o < content.Length; o += 100_000) await s.WriteAsync(content.AsMemory(o, 100_000));

        Assert.Equal("data/0001.copy" + suffix, writer.Files.Single().Name);
        var read = new MemoryStream();
        await using (var s = new PayloadReader(folder, writer.Files, codec).Open("data/0001.copy")) await s.CopyToAsync(read);
        Assert.True(content.AsSpan().SequenceEqual(read.ToArray()));
    }

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Gzip)]
    public async Task A_byte_altered_in_a_compressed_file_is_reported_as_a_checksum_mismatch_not_a_decoder_error(CompressionKind codec)
    {
        var folder = Path.Combine(_repo.Path, "damaged-" + codec);
        var writer = new PayloadWriter(folder, codec);
        await using (var s = writer.Create("data/0001.copy"))
            for (var i = 0; i < 50_000; i++) await s.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{i}\tvalue {i * 31 % 1000}\n"));
        var file = Path.Combine(folder, writer.Files.Single().Name);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x55;
        await File.WriteAllBytesAsync(file, bytes);

        var e = await Assert.ThrowsAsync<DbBackupException>(async () =>
        {
            await using var s = new PayloadReader(folder, writer.Files, codec).Open("data/0001.copy");
            await s.CopyToAsync(Stream.Null);
        });
        Assert.Equal("ChecksumMismatch", e.ErrorId);
        Assert.Contains(writer.Files.Single().Name, e.Message);
    }

    [PostgresFact]
    public async Task A_default_zstd_backup_and_a_gzip_backup_both_restore_exactly()
    {
        var db = await TestSql.PgCreateAsync("codecs", """
            CREATE TABLE t (id int PRIMARY KEY, v text, b bytea, n numeric);
            INSERT INTO t SELECT g, repeat(md5(g::text), g % 5), decode(md5(g::text), 'hex'), g / 7.0 FROM generate_series(1, 5000) g;
            """);
        _databases.Add(db);
        foreach (var (codec, suffix) in new[] { ((CompressionKind?)null, ".zst"), (CompressionKind.Gzip, ".gz") })
        {
            var options = new BackupOptions { Target = TestServers.Postgres(db) };
            if (codec is { } c) options = new BackupOptions { Target = TestServers.Postgres(db), Compression = c };
            var started = await _repo.Engine.StartBackupAsync(options, CancellationToken.None);
            var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
            Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
            Assert.Equal(codec ?? CompressionKind.Zstd, backup.Compression);
            Assert.All(backup.Files, f => Assert.EndsWith(suffix, f.Name));

            var copy = TestServers.UniqueName("codecs_copy");
            _databases.Add(copy);
            var restore = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = copy }, CancellationToken.None);
            var done = await _repo.WaitAsync<RestoreRecord>(restore.Id);
            Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
            await PostgresComparison.AssertSameAsync(db, copy);
        }
    }

    [Fact]
    public async Task The_CLI_refuses_an_unknown_codec_naming_it_and_the_accepted_ones()
    {
        var r = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", "127.0.0.1", "--database", "d", "--user", "u",
            "--compression", "brotli", "--repository", _repo.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("InvalidCompression", r.StdErr);
        Assert.Contains("'brotli'", r.StdErr);
        Assert.Contains("zstd", r.StdErr);
        Assert.Contains("gzip", r.StdErr);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
