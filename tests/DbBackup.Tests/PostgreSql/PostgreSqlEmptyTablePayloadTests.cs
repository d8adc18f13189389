using System.Security.Cryptography;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>An empty table's data file in a gzip backup is a gzip stream of nothing, which gunzip (the
/// stock-tools recipe) accepts; backups written before, with a 0-byte file there, still restore.</summary>
public sealed class PostgreSqlEmptyTablePayloadTests
{
    private readonly PostgreSqlProvider _provider = new();

    [PostgresFact]
    public async Task An_empty_tables_gzip_data_file_is_an_empty_gzip_stream_and_an_old_0_byte_one_still_restores()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgempty_src", "CREATE TABLE nothing (id int PRIMARY KEY, note text); CREATE TABLE one (id int); INSERT INTO one VALUES (1);");
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, Jobs: 1));
        var empty = payload.Files.Where(f => f.Name.StartsWith("data/", StringComparison.Ordinal)).MinBy(f => f.Size)!;
        var path = Path.Combine(payload.Folder, empty.Name);
        Assert.True(empty.Size > 0, $"{empty.Name} is stored as {empty.Size} bytes");
        await ToolRunner.RunAsync("gunzip", ["-t", path], null, null, default); // throws on a file gunzip refuses

        // The same backup as an older DbBackup wrote it: that file 0 bytes, its manifest entry to match.
        await File.WriteAllBytesAsync(path, []);
        var files = payload.Files.Select(f => f != empty ? f
            : new BackupFile { Name = f.Name, Size = 0, Sha256 = Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty)) }).ToList();
        var restored = TestServers.UniqueName("pgempty_dst");
        try
        {
            await _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1),
                new Engine.Artifacts.PayloadReader(payload.Folder, files, CompressionKind.Gzip), new DumpedPayload.SyncProgress([]), default);
            Assert.Equal(0L, await PostgresTestDatabase.ScalarAsync(restored, "SELECT count(*) FROM nothing"));
            Assert.Equal(1L, await PostgresTestDatabase.ScalarAsync(restored, "SELECT count(*) FROM one"));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }
}
