using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>A table big enough to be split (the threshold lowered to a few pages) is dumped in block-range
/// pieces by all jobs under one snapshot, and restores (pieces loaded in parallel, and as a per-table
/// replacement) exactly as pg_dump | pg_restore restores it, with the same per-table figures as an unsplit dump.</summary>
public sealed class PostgreSqlTableSplitTests
{
    private const string Setup = """
        CREATE TABLE big (id int PRIMARY KEY, label text, amount numeric(12,3), payload bytea, doc jsonb, note text);
        INSERT INTO big SELECT g, 'row ' || g, g * 1.125, decode(md5(g::text), 'hex'),
            jsonb_build_object('g', g, 'odd', g % 2 = 1), CASE WHEN g % 7 = 0 THEN NULL WHEN g % 11 = 0 THEN '' ELSE repeat('x', g % 50) END
        FROM generate_series(1, 20000) g;
        -- Dead tuples and moved rows: pieces follow the heap, and the snapshot decides what each sees.
        UPDATE big SET note = 'updated' WHERE id % 5 = 0;
        DELETE FROM big WHERE id % 13 = 0;
        CREATE TABLE child (id int PRIMARY KEY, big_id int REFERENCES big(id), v text);
        INSERT INTO child SELECT g, g, 'c' || g FROM generate_series(1, 500) g WHERE g % 13 <> 0;
        CREATE TABLE small (k text PRIMARY KEY);
        INSERT INTO small VALUES ('a'), ('b');
        """;

    [PostgresFact]
    public async Task A_table_split_across_jobs_restores_as_pg_restore_restores_it_with_the_same_table_figures()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgsplit", Setup);
        var control = TestServers.UniqueName("pgsplit_ctl");
        var subject = TestServers.UniqueName("pgsplit_dbb");
        var splitting = new PostgreSqlProvider { SplitTableBytes = 128 * 1024 };
        try
        {
            await PostgresCorpusComparison.RestoreControlAsync(source.Name, control);
            using var split = await DumpedPayload.DumpAsync(splitting, new DumpRequest(source.Target, null, null, null, 3));
            using var whole = await DumpedPayload.DumpAsync(new PostgreSqlProvider(), new DumpRequest(source.Target, null, null, null, 1));

            PostgreSqlToc toc;
            await using (var s = split.Reader().Open(PostgreSqlToc.FileName)) toc = await PostgreSqlToc.ReadAsync(s, default);
            var big = toc.Tables.Single(t => t.Name == "big");
            Assert.NotNull(big.Pieces);
            Assert.True(big.Pieces.Count > 2, $"{big.Pieces.Count} pieces");
            Assert.Null(toc.Tables.Single(t => t.Name == "small").Pieces);
            Assert.Equal(PostgreSqlToc.SplitTablesFormatVersion, split.Result.FormatVersion);
            // Rows and content checksums per table equal an unsplit dump's: the pieces are exactly the table.
            Assert.Equal(Figures(whole.Result), Figures(split.Result));

            await splitting.RestoreAsync(new RestoreRequest(TestServers.Postgres(subject), new BackupRecord(), 3), split.Reader(), new DumpedPayload.SyncProgress([]), default);
            await PostgresCorpusComparison.AssertSameAsync(control, subject);

            // A per-table replacement loads every piece in its one transaction.
            await TestSql.PgExecAsync(subject, "DELETE FROM child; DELETE FROM big WHERE id > 100; UPDATE big SET label = 'changed'");
            await splitting.ReplaceTablesAsync(new TableReplaceRequest(TestServers.Postgres(subject), new BackupRecord(), [new TableStat { Schema = "public", Name = "big" }], false, "unused", 2),
                split.Reader(), new DumpedPayload.SyncProgress([]), default);
            await TestSql.PgExecAsync(subject, "INSERT INTO child SELECT g, g, 'c' || g FROM generate_series(1, 500) g WHERE g % 13 <> 0");
            await PostgresCorpusComparison.AssertSameAsync(control, subject);
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(control);
            await PostgresTestDatabase.DropAsync(subject);
        }
    }

    private static List<string> Figures(DumpResult result)
        => result.TableStats.Select(s => $"{s.Schema}.{s.Name}:{s.Rows}:{s.ContentChecksum}").Order(StringComparer.Ordinal).ToList();
}
