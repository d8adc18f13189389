using System.Text;
using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>A restore checks the rows the server itself inserted from every data file (its statistics
/// counters, no count(*) scan) against the file's rows and the backup's figure, so rows lost or loaded twice
/// fail the restore, whose new database is dropped, even when every payload file's checksum is right.</summary>
public sealed class PostgreSqlRestoreRowCheckTests
{
    private const string Setup = """
        CREATE TABLE t (id int PRIMARY KEY, v text);
        INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 2000) g;
        """;

    [PostgresFact]
    public async Task Rows_the_server_drops_from_a_data_file_fail_the_restore_and_leave_no_database()
    {
        // A "\." line ends COPY text data and the server ignores the rest: the file's lines (and the backup's
        // figures, rewritten to match) say 2001 rows, the server inserts 1000.
        var e = await RestoreRewrittenAsync((toc, files) =>
        {
            var t = toc.Tables.Single();
            var lines = Encoding.UTF8.GetString(files[t.File]).Split('\n').ToList();
            lines.Insert(1000, "\\.");
            files[t.File] = Encoding.UTF8.GetBytes(string.Join('\n', lines));
            t.Rows += 1;
        });

        Assert.Equal("RowCountMismatch", e.ErrorId);
        Assert.Contains("inserted 1000 rows into public.t", e.Message);
    }

    [PostgresFact]
    public async Task A_data_file_loaded_twice_fails_the_restore_and_leaves_no_database()
    {
        // The table's file listed as both of its pieces: each COPY matches its own file, the table's sum does not.
        var e = await RestoreRewrittenAsync((toc, _) =>
        {
            var t = toc.Tables.Single();
            var piece = new PostgreSqlTocPiece { File = t.File, Rows = t.Rows, Bytes = t.Bytes };
            t.Pieces = [piece, piece];
            t.File = "";
            toc.FormatVersion = PostgreSqlToc.SplitTablesFormatVersion;
        });

        Assert.Equal("RowCountMismatch", e.ErrorId);
        Assert.Contains("inserted 4000 rows into public.t from its 2 data files, but the backup recorded 2000", e.Message);
    }

    /// <summary>Dumps <see cref="Setup"/>, lets <paramref name="change"/> alter the table of contents and the data
    /// files (uncompressed bytes by name), writes them as a new payload with matching checksums and restores it
    /// into a new database, which must fail and be gone afterwards.</summary>
    private static async Task<DbBackupException> RestoreRewrittenAsync(Action<PostgreSqlToc, Dictionary<string, byte[]>> change)
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgrowck", Setup);
        using var dumped = await DumpedPayload.DumpAsync(new PostgreSqlProvider(), new DumpRequest(source.Target, null, null, null, 1));
        var reader = dumped.Reader();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in reader.Names)
        {
            await using var input = reader.Open(name);
            using var bytes = new MemoryStream();
            await input.CopyToAsync(bytes);
            files[name] = bytes.ToArray();
        }
        var toc = await PostgreSqlToc.ReadAsync(new MemoryStream(files[PostgreSqlToc.FileName]), default);
        change(toc, files);
        using (var tocBytes = new MemoryStream())
        {
            await toc.WriteAsync(tocBytes, default);
            files[PostgreSqlToc.FileName] = tocBytes.ToArray();
        }

        var folder = Path.Combine(Path.GetTempPath(), "dbbackup-pgtest-" + Guid.NewGuid().ToString("N"));
        var writer = new PayloadWriter(folder, CompressionKind.Gzip);
        foreach (var (name, bytes) in files)
            await using (var output = writer.Create(name))
                await output.WriteAsync(bytes);
        using var rewritten = new DumpedPayload { Folder = folder, Files = writer.Files, Result = dumped.Result, Progress = [] };

        var target = TestServers.UniqueName("pgrowck_r");
        try
        {
            var e = await Assert.ThrowsAsync<DbBackupException>(() => new PostgreSqlProvider().RestoreAsync(
                new RestoreRequest(TestServers.Postgres(target), new BackupRecord(), 2), rewritten.Reader(), new DumpedPayload.SyncProgress([]), default));
            Assert.False(await TestSql.PgExistsAsync(target));
            return e;
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(target);
        }
    }
}
