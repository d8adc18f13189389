using System.Text.Json;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>Dumps over several sessions in one snapshot: big tables split into key ranges, and the
/// single-session fallback for an account without RELOAD.</summary>
public sealed class MySqlParallelDumpTests
{
    private const string Schema = """
        CREATE TABLE big (id BIGINT PRIMARY KEY, v VARCHAR(64), f FLOAT, b VARBINARY(16), t DATETIME(6) NULL);
        INSERT INTO big SELECT seq * 3, MD5(seq), seq / 7, UNHEX(MD5(seq)), IF(seq % 5 = 0, NULL, '2026-01-01' + INTERVAL seq SECOND) FROM seq_1_to_20000;
        CREATE TABLE edges (id BIGINT PRIMARY KEY, v VARCHAR(10));
        INSERT INTO edges VALUES (-9223372036854775808, 'min'), (-1, 'a'), (0, 'b'), (1, 'c'), (9223372036854775807, 'max');
        CREATE TABLE small (k VARCHAR(10) PRIMARY KEY, n INT);
        INSERT INTO small VALUES ('a', 1), ('b', NULL);
        """;

    private static async Task<MySqlToc> TocAsync(Engine.Artifacts.IPayloadSource source)
    {
        await using var toc = source.Open("toc.json");
        return (await JsonSerializer.DeserializeAsync<MySqlToc>(toc, new JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } }))!;
    }

    [MySqlFact]
    public async Task A_big_table_split_across_jobs_in_key_ranges_restores_identically_with_the_whole_tables_checksum()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(Schema);
        var whole = await db.DumpAsync(jobs: 1);
        var (reader, result, _, _) = await db.DumpAsync(provider: new MySqlProvider { SplitBytes = 1 }, jobs: 2);

        // Read in ranges by both sessions of one snapshot (the lock was taken and timed).
        Assert.StartsWith("2 sessions in one consistent snapshot; FLUSH TABLES WITH READ LOCK held ", result.Consistency);
        var toc = await TocAsync(reader);
        Assert.Equal(MySqlToc.CurrentFormatVersion, toc.FormatVersion);
        var big = toc.Tables.Single(t => t.Name == "big");
        Assert.NotNull(big.Parts);
        Assert.InRange(big.Parts!.Count + 1, 2, 8);
        Assert.Equal(20000, big.FileRows + big.Parts.Sum(p => p.Rows));
        Assert.All(big.Parts, p => Assert.True(p.Rows > 0, p.File));
        // Key ranges are open at both ends: the extreme keys are in the first and last files.
        var edges = toc.Tables.Single(t => t.Name == "edges");
        Assert.NotNull(edges.Parts);
        Assert.Equal(1, edges.FileRows);
        Assert.Equal(1, edges.Parts!.Last().Rows);
        // The same rows and checksums as the table read whole by one session.
        Assert.Equal(whole.Result.TableStats.Select(s => (s.Name, s.Rows, s.ContentChecksum)), result.TableStats.Select(s => (s.Name, s.Rows, s.ContentChecksum)));
        Assert.Equal(MySqlToc.CurrentFormatVersion, (await TocAsync(whole.Reader)).FormatVersion);
        Assert.Null((await TocAsync(whole.Reader)).Tables.Single(t => t.Name == "big").Parts);

        var restored = await db.RestoreAsync(reader);
        Assert.Equal(await db.SnapshotAsync(db.Name), await db.SnapshotAsync(restored));
        var stats = await new MySqlProvider().ComputeTableStatsAsync(TestServers.MySql(restored), result.TableStats, CancellationToken.None);
        Assert.Equal(result.TableStats.Select(s => s.ContentChecksum), stats.Select(s => s.ContentChecksum));
    }

    [MySqlFact]
    public async Task An_account_without_RELOAD_falls_back_to_one_session_and_the_record_says_so()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(Schema);
        var user = TestServers.UniqueName("dbb_norl");
        const string password = "no-reload-pw-5521";
        await MySqlTestDatabase.ExecAsync(null, $"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'; " +
            $"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON `{db.Name}`.* TO '{user}'@'%'; GRANT SELECT ON mysql.proc TO '{user}'@'%';");
        using var repo = new TestRepository();
        try
        {
            var target = TestServers.MySql(db.Name) with { UserName = user, Password = password };
            var started = await repo.Engine.StartBackupAsync(new BackupOptions { Target = target, Jobs = 2 }, CancellationToken.None);
            var backup = await repo.WaitAsync<BackupRecord>(started.Id);
            Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
            Assert.StartsWith("one session, one consistent snapshot: the account lacks the RELOAD privilege", backup.Consistency);
            Assert.Equal(20000, backup.TableStats.Single(t => t.Name == "big").Rows);

            // The same data as a dump through the full account's two sessions.
            var (_, full, _, _) = await db.DumpAsync(jobs: 2);
            Assert.Contains("2 sessions", full.Consistency);
            Assert.Equal(full.TableStats.Select(s => s.ContentChecksum), backup.TableStats.Select(s => s.ContentChecksum));
        }
        finally
        {
            await MySqlTestDatabase.ExecAsync(null, $"DROP USER IF EXISTS '{user}'@'%';");
        }
    }
}
