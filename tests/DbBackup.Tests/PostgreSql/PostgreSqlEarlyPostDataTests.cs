using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Indexes and keys of plain tables are built as soon as each table is loaded, while other tables
/// still load; everything tied to other objects (partitions, inheritance, foreign keys, materialized views)
/// keeps its place after the data. The restored database equals pg_restore's.</summary>
public sealed class PostgreSqlEarlyPostDataTests
{
    private const string Setup = """
        CREATE TABLE plain (id int PRIMARY KEY, code text UNIQUE, span int4range, n int, note text,
            EXCLUDE USING gist (span WITH &&));
        INSERT INTO plain SELECT g, 'c' || g, int4range(g * 10, g * 10 + 5), g % 17, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END
        FROM generate_series(1, 3000) g;
        CREATE INDEX plain_n_idx ON plain (n) WHERE note IS NOT NULL;
        CREATE INDEX plain_expr_idx ON plain (lower(code), n DESC);
        ALTER TABLE plain CLUSTER ON plain_expr_idx;
        CREATE TABLE deferred (k int, CONSTRAINT deferred_k_key UNIQUE (k) DEFERRABLE INITIALLY DEFERRED);
        INSERT INTO deferred SELECT generate_series(1, 50);
        CREATE TABLE child (id int PRIMARY KEY, plain_id int REFERENCES plain (id), v text);
        INSERT INTO child SELECT g, g, 'v' || g FROM generate_series(1, 200) g;
        CREATE TABLE part (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
        CREATE TABLE part_eu PARTITION OF part FOR VALUES IN ('eu');
        CREATE TABLE part_us PARTITION OF part FOR VALUES IN ('us');
        CREATE INDEX part_region_idx ON part (region);
        CREATE INDEX part_us_own_idx ON part_us (id);
        INSERT INTO part SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 400) g;
        CREATE TABLE base (id int PRIMARY KEY, v text);
        CREATE TABLE derived (extra int) INHERITS (base);
        CREATE INDEX derived_extra_idx ON derived (extra);
        INSERT INTO base VALUES (1, 'b');
        INSERT INTO derived VALUES (2, 'd', 7);
        CREATE MATERIALIZED VIEW mv AS SELECT n, count(*) AS c FROM plain GROUP BY n;
        CREATE UNIQUE INDEX mv_n_idx ON mv (n);
        """;

    [PostgresFact]
    public async Task Plain_tables_indexes_and_keys_built_during_the_data_load_restore_as_pg_restore_restores_them()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgearly", Setup);
        var control = TestServers.UniqueName("pgearly_ctl");
        var subject = TestServers.UniqueName("pgearly_dbb");
        var early = new PostgreSqlProvider { EarlyPostDataTableBytes = 0 };
        try
        {
            await PostgresCorpusComparison.RestoreControlAsync(source.Name, control);
            using var payload = await DumpedPayload.DumpAsync(new PostgreSqlProvider(), new DumpRequest(source.Target, null, null, null, 2));

            var picked = await PlannedEarlyAsync(payload);
            Assert.Equal(
                ["child: CONSTRAINT public child child_pkey", "deferred: CONSTRAINT public deferred deferred_k_key",
                 "plain: CONSTRAINT public plain plain_code_key", "plain: CONSTRAINT public plain plain_pkey", "plain: CONSTRAINT public plain plain_span_excl",
                 "plain: INDEX public plain_expr_idx", "plain: INDEX public plain_n_idx"],
                picked);

            await early.RestoreAsync(new RestoreRequest(TestServers.Postgres(subject), new BackupRecord(), 2), payload.Reader(), new DumpedPayload.SyncProgress([]), default);
            await PostgresCorpusComparison.AssertSameAsync(control, subject);
            Assert.Equal(0L, await PostgresTestDatabase.ScalarAsync(subject, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"));
            Assert.Equal("plain_expr_idx", await PostgresTestDatabase.ScalarAsync(subject,
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'plain'::regclass AND indisclustered"));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(control);
            await PostgresTestDatabase.DropAsync(subject);
        }
    }

    /// <summary>Each early build runs on its own, so the tablespace pg_restore's script set for the entries before it
    /// must be set for it too (a_vv_idx follows a_v_idx in the same tablespace: the script sets it once for both).</summary>
    [PostgresFact]
    public async Task Early_builds_land_in_the_tablespaces_pg_restore_puts_them_in()
    {
        var tablespace = TestServers.UniqueName("pgearly_ts");
        await PostgresTestDatabase.CreateInPlaceTablespaceAsync(tablespace);
        var control = TestServers.UniqueName("pgearly_tsctl");
        var subject = TestServers.UniqueName("pgearly_tsdbb");
        try
        {
            await using var source = await PostgresTestDatabase.CreateAsync("pgearly_tssrc", $"""
                CREATE TABLE a (id int PRIMARY KEY USING INDEX TABLESPACE "{tablespace}", v int, w int);
                CREATE INDEX a_v_idx ON a (v) TABLESPACE "{tablespace}";
                CREATE INDEX a_vv_idx ON a (v, w) TABLESPACE "{tablespace}";
                CREATE INDEX a_w_idx ON a (w);
                CREATE TABLE b (id int PRIMARY KEY, v int);
                CREATE INDEX b_v_idx ON b (v) TABLESPACE "{tablespace}";
                INSERT INTO a SELECT g, g % 7, g % 11 FROM generate_series(1, 2000) g;
                INSERT INTO b SELECT g, g % 5 FROM generate_series(1, 2000) g;
                """);
            await PostgresCorpusComparison.RestoreControlAsync(source.Name, control);
            using var payload = await DumpedPayload.DumpAsync(new PostgreSqlProvider(), new DumpRequest(source.Target, null, null, null, 2));
            await new PostgreSqlProvider { EarlyPostDataTableBytes = 0 }.RestoreAsync(new RestoreRequest(TestServers.Postgres(subject), new BackupRecord(), 2),
                payload.Reader(), new DumpedPayload.SyncProgress([]), default);

            await PostgresCorpusComparison.AssertSameAsync(control, subject);
            const string Placement = "SELECT string_agg(c.relname || '@' || coalesce(t.spcname, '-'), ',' ORDER BY c.relname) FROM pg_class c " +
                "LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE c.relkind = 'i' AND c.relnamespace = 'public'::regnamespace";
            var expected = $"a_pkey@{tablespace},a_v_idx@{tablespace},a_vv_idx@{tablespace},a_w_idx@-,b_pkey@-,b_v_idx@{tablespace}";
            Assert.Equal(expected, await PostgresTestDatabase.ScalarAsync(control, Placement));
            Assert.Equal(expected, await PostgresTestDatabase.ScalarAsync(subject, Placement));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(control);
            await PostgresTestDatabase.DropAsync(subject);
            await PostgresTestDatabase.AdminAsync($"DROP TABLESPACE IF EXISTS \"{tablespace}\"");
        }
    }

    /// <summary>"table: TYPE schema name" of every entry the plan builds early, from the dump's own schema archive.</summary>
    private static async Task<List<string>> PlannedEarlyAsync(DumpedPayload payload)
    {
        PostgreSqlToc toc;
        await using (var s = payload.Reader().Open(PostgreSqlToc.FileName)) toc = await PostgreSqlToc.ReadAsync(s, default);
        var archive = Path.Combine(payload.Folder, "schema-copy.dump");
        await using (var input = payload.Reader().Open(toc.SchemaFile))
        await using (var output = File.Create(archive))
            await input.CopyToAsync(output);
        var tools = await new PostgreSqlToolLocator().LocateAsync(15, default);
        var environment = new Dictionary<string, string>();
        var listing = await PostgreSqlPostDataPhases.ListAsync(tools, environment, archive, default);
        var script = await ToolRunner.RunAsync(tools.PgRestore, ["--verbose", "--file=-", archive], environment, null, default);
        var plan = PostgreSqlEarlyPostData.Plan(listing, PostgreSqlRestoreScript.Parse(script), toc.Tables.Select(t => (t.Schema, t.Name)).ToList());
        return toc.Tables.SelectMany(t => (plan.For(t.Schema, t.Name) ?? []).Select(line => t.Name + ": " + Entry(line)))
            .Order(StringComparer.Ordinal).ToList();
        // "123; 1259 16401 INDEX public name owner" → "INDEX public name" (the owner varies by server).
        static string Entry(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3..^1]);
    }
}
