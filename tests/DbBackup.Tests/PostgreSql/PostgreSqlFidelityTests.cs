using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Defects found by restoring real databases: inheritance, materialized views, parallel
/// post-data on multi-level partitions.</summary>
public sealed class PostgreSqlFidelityTests
{
    private readonly PostgreSqlProvider _provider = new();

    private Task<RestoredCopy> RoundTripAsync(PostgresTestDatabase source)
        => DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, 2), "pgfid_dst");

    /// <summary>The verify step: the restored tables' row counts and checksums equal the dump's.</summary>
    private async Task AssertSameTableStatsAsync(RestoredCopy restored)
    {
        var dumped = restored.Payload.Result.TableStats;
        var stats = await _provider.ComputeTableStatsAsync(restored.Target, dumped, default);
        Assert.Equal(dumped.Select(t => (t.Name, t.Rows, t.ContentChecksum)), stats.Select(t => (t.Name, t.Rows, t.ContentChecksum)));
    }

    [PostgresFact]
    public async Task Inheritance_children_rows_are_restored_once_in_their_own_table_and_verify_counts_them_once()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgfid_inh", """
            CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child () INHERITS (parent);
            CREATE TABLE grandchild (extra text) INHERITS (child);
            INSERT INTO parent VALUES (1); INSERT INTO child VALUES (2), (3); INSERT INTO grandchild VALUES (4, 'g');
            """);
        await using var restored = await RoundTripAsync(source);
        var dumped = restored.Payload.Result.TableStats;
        Assert.Equal(1, dumped.Single(t => t.Name == "parent").Rows);
        Assert.Equal(2, dumped.Single(t => t.Name == "child").Rows);

        const string sql = "SELECT tableoid::regclass::text || ':' || id FROM parent ORDER BY 1";
        Assert.Equal(["child:2", "child:3", "grandchild:4", "parent:1"], await PostgresTestDatabase.ColumnAsync(restored.Name, sql));
        await AssertSameTableStatsAsync(restored);
    }

    [PostgresFact]
    public async Task Materialized_views_come_back_populated_in_dependency_order_and_unpopulated_ones_stay_empty()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgfid_mv", """
            CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 10);
            CREATE MATERIALIZED VIEW z_base AS SELECT a FROM t;
            CREATE VIEW v_mid AS SELECT a * 2 AS b FROM z_base;
            CREATE MATERIALIZED VIEW a_top AS SELECT sum(b) AS s FROM v_mid;           -- over a matview through a view; sorts before it
            CREATE MATERIALIZED VIEW never AS SELECT a FROM t WITH NO DATA;
            CREATE MATERIALIZED VIEW emptied AS SELECT a FROM t;
            CREATE MATERIALIZED VIEW over_emptied AS SELECT count(*) AS n FROM emptied;
            REFRESH MATERIALIZED VIEW emptied WITH NO DATA;                              -- populated view over an unpopulated one
            INSERT INTO t VALUES (100);                                                  -- matviews hold the old contents
            """);
        await using var restored = await RoundTripAsync(source);
        const string state = "SELECT relname || ':' || relispopulated FROM pg_class WHERE relkind = 'm' ORDER BY 1";
        Assert.Equal(["a_top:true", "emptied:false", "never:false", "over_emptied:true", "z_base:true"], await PostgresTestDatabase.ColumnAsync(restored.Name, state));
        Assert.Equal(await PostgresTestDatabase.ColumnAsync(source.Name, state), await PostgresTestDatabase.ColumnAsync(restored.Name, state));
        // A refresh reads the restored tables, which hold the row added after the source's last refresh
        // (pg_restore does the same: an archive holds a materialized view's query, not its rows).
        // a_top is right only if z_base was refreshed before it.
        Assert.Equal(11L, await PostgresTestDatabase.ScalarAsync(restored.Name, "SELECT count(*) FROM z_base"));
        Assert.Equal(310L, await PostgresTestDatabase.ScalarAsync(restored.Name, "SELECT s FROM a_top"));
        Assert.Equal(11L, await PostgresTestDatabase.ScalarAsync(restored.Name, "SELECT n FROM over_emptied"));
    }

    [PostgresFact]
    public async Task Hash_partitions_keyed_on_an_enum_are_loaded_through_their_root_and_verified_per_root()
    {
        // The enum labels get new OIDs in the restored database, so their hashes and partitions change:
        // a COPY into the original partition failed ("violates partition constraint").
        await using var source = await PostgresTestDatabase.CreateAsync("pgfid_hash", """
            CREATE TYPE digit AS ENUM ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
            CREATE TABLE t0 (en digit, data int) PARTITION BY HASH (en);
            CREATE TABLE t0_p1 PARTITION OF t0 FOR VALUES WITH (MODULUS 3, REMAINDER 0);
            CREATE TABLE t0_p2 PARTITION OF t0 FOR VALUES WITH (MODULUS 3, REMAINDER 1);
            CREATE TABLE t0_p3 (data int, en digit);  -- another column order, attached later
            ALTER TABLE t0 ATTACH PARTITION t0_p3 FOR VALUES WITH (MODULUS 3, REMAINDER 2);
            INSERT INTO t0 SELECT (x % 10)::text::digit, x FROM generate_series(1, 1000) x;
            CREATE TABLE plain (id int); INSERT INTO plain VALUES (1);
            """);
        await using var restored = await RoundTripAsync(source);
        Assert.Equal(["public.plain:1", "public.t0:1000"], restored.Payload.Result.TableStats.Select(t => $"{t}:{t.Rows}").Order(StringComparer.Ordinal));
        const string rows = "SELECT en::text || ':' || data FROM t0 ORDER BY data";
        Assert.Equal(await PostgresTestDatabase.ColumnAsync(source.Name, rows), await PostgresTestDatabase.ColumnAsync(restored.Name, rows));
        await AssertSameTableStatsAsync(restored);
    }

    [PostgresFact]
    public async Task A_backup_written_before_materialized_view_states_were_recorded_restores_with_every_one_refreshed()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgfid_mvold", """
            CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 5);
            CREATE MATERIALIZED VIEW m1 AS SELECT a FROM t;
            CREATE MATERIALIZED VIEW m2 AS SELECT count(*) AS n FROM m1;
            """);
        var restored = TestServers.UniqueName("pgfid_dst");
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
        var old = Path.Combine(Path.GetTempPath(), "dbbackup-pgtest-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The same payload with the toc as the previous version wrote it: no materializedViews.
            var writer = new PayloadWriter(old, CompressionKind.Gzip);
            foreach (var name in payload.Reader().Names)
            {
                await using var input = payload.Reader().Open(name);
                await using var output = writer.Create(name);
                if (name != PostgreSqlToc.FileName) { await input.CopyToAsync(output); continue; }
                var toc = await PostgreSqlToc.ReadAsync(input, default);
                Assert.NotNull(toc.MaterializedViews);
                toc.MaterializedViews = null;
                await toc.WriteAsync(output, default);
            }
            await _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1),
                new PayloadReader(old, writer.Files, CompressionKind.Gzip), new DumpedPayload.SyncProgress([]), default);
            Assert.Equal(5L, await PostgresTestDatabase.ScalarAsync(restored, "SELECT n FROM m2"));
        }
        finally
        {
            Directory.Delete(old, recursive: true);
            await PostgresTestDatabase.DropAsync(restored);
        }
    }

    [Fact]
    public void Post_data_runs_attaches_and_triggers_serially_and_foreign_keys_comments_and_event_triggers_after_everything_they_may_need()
    {
        const string listing = """
            ;
            ; Archive created at 2026-11-26 03:59:30 UTC
            3261; 2606 18861 CONSTRAINT public pk pk_pkey dbbackup
            3257; 1259 19015 INDEX public pk_c_a_idx dbbackup
            3310; 0 0 INDEX ATTACH public pk111_c_a_idx dbbackup
            3246; 2606 17479 FK CONSTRAINT public ref1 ref1_a_b_fkey dbbackup
            3300; 0 0 COMMENT public CONSTRAINT ref1_a_b_fkey ON ref1 dbbackup
            3320; 2620 19100 TRIGGER public ref1 trg dbbackup
            3330; 3466 19200 EVENT TRIGGER - protect dbbackup
            3331; 0 0 COMMENT - EVENT TRIGGER protect dbbackup
            """;
        var (build, attach, last, eventTriggers) = PostgreSqlPostDataPhases.Split(listing);
        Assert.Equal(["3261", "3257"], build.Select(Id));
        Assert.Equal(["3310", "3320"], attach.Select(Id));
        Assert.Equal(["3246", "3300"], last.Select(Id));
        Assert.Equal(["3330", "3331"], eventTriggers.Select(Id));
        static string Id(string line) => line.Trim().Split(';')[0];
    }

    /// <summary>Before the fix, one parallel pg_restore of this post-data section failed about one run in
    /// two (12 of 25, measured) with "there is no unique constraint matching given keys for referenced
    /// table": concurrent INDEX ATTACH entries left the parent index invalid. Eight restores make a miss
    /// of the old defect about 1 in 250.</summary>
    [PostgresFact]
    public async Task Parallel_post_data_creates_foreign_keys_into_multi_level_partitioned_tables_every_time()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgfid_fkp", MultiLevelPartitionsWithForeignKeys);
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 2));
        for (var i = 0; i < 8; i++)
        {
            var restored = TestServers.UniqueName("pgfid_dst");
            try
            {
                await _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), Jobs: 4), payload.Reader(), new DumpedPayload.SyncProgress([]), default);
                Assert.Equal(0L, await PostgresTestDatabase.ScalarAsync(restored, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"));
                Assert.Equal(await PostgresTestDatabase.ColumnAsync(source.Name, ForeignKeys), await PostgresTestDatabase.ColumnAsync(restored, ForeignKeys));
            }
            finally
            {
                await PostgresTestDatabase.DropAsync(restored);
            }
        }
    }

    private const string ForeignKeys = "SELECT conrelid::regclass || ':' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1";

    internal const string MultiLevelPartitionsWithForeignKeys = """
        CREATE TABLE pk (a int, b int, c int, PRIMARY KEY (a, b)) PARTITION BY RANGE (a);
        CREATE TABLE pk1 PARTITION OF pk FOR VALUES FROM (0) TO (100) PARTITION BY RANGE (b);
        CREATE TABLE pk11 PARTITION OF pk1 FOR VALUES FROM (0) TO (50) PARTITION BY RANGE (b);
        CREATE TABLE pk111 PARTITION OF pk11 FOR VALUES FROM (0) TO (25);
        CREATE TABLE pk112 PARTITION OF pk11 FOR VALUES FROM (25) TO (50);
        CREATE TABLE pk12 (a int NOT NULL, b int NOT NULL, c int);
        ALTER TABLE pk12 ADD PRIMARY KEY (a, b);
        ALTER TABLE pk1 ATTACH PARTITION pk12 FOR VALUES FROM (50) TO (100);
        CREATE TABLE pk2 PARTITION OF pk FOR VALUES FROM (100) TO (200) PARTITION BY RANGE (b);
        CREATE TABLE pk21 PARTITION OF pk2 FOR VALUES FROM (0) TO (100);
        CREATE TABLE pk22 PARTITION OF pk2 DEFAULT;
        CREATE INDEX ON pk (c); CREATE INDEX ON pk (c, a); CREATE INDEX ON pk ((a + b));
        INSERT INTO pk SELECT a, b, a + b FROM generate_series(0, 199, 7) a, generate_series(0, 99, 9) b;
        CREATE TABLE ref1 (a int, b int, FOREIGN KEY (a, b) REFERENCES pk);
        CREATE TABLE ref2 (a int, b int, FOREIGN KEY (a, b) REFERENCES pk1);
        CREATE TABLE ref3 (a int, b int, FOREIGN KEY (a, b) REFERENCES pk11);
        CREATE TABLE refp (a int, b int, FOREIGN KEY (a, b) REFERENCES pk) PARTITION BY RANGE (a);
        CREATE TABLE refp1 PARTITION OF refp FOR VALUES FROM (0) TO (100);
        INSERT INTO ref1 VALUES (7, 9); INSERT INTO ref2 VALUES (7, 18); INSERT INTO ref3 VALUES (14, 27); INSERT INTO refp VALUES (21, 36);
        COMMENT ON CONSTRAINT ref1_a_b_fkey ON ref1 IS 'a comment on a foreign key comes after it';
        """;
}
