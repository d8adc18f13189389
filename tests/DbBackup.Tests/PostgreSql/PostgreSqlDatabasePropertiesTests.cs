using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>The database itself restored as taken: locale (LC_COLLATE, LC_CTYPE, provider, ICU locale),
/// owner, privileges, comment, connection limit and settings, compared with what <c>pg_dump --create</c>
/// prints for the source and for the restored database.</summary>
public sealed class PostgreSqlDatabasePropertiesTests
{
    private readonly PostgreSqlProvider _provider = new();

    /// <summary>LC_CTYPE 'C' where the server's default is C.UTF-8: upper('ä') stays 'ä' only under the source's ctype.</summary>
    private const string CLocale = "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'";

    private static string Properties(string db) => $"""
        ALTER DATABASE "{db}" OWNER TO {PostgresCorpusRoles.Owner};
        COMMENT ON DATABASE "{db}" IS 'the shop''s database';
        ALTER DATABASE "{db}" CONNECTION LIMIT 7;
        ALTER DATABASE "{db}" SET search_path TO app, "My Schema", public;
        ALTER DATABASE "{db}" SET app.x TO 'it''s 42';
        ALTER ROLE {PostgresCorpusRoles.Reader} IN DATABASE "{db}" SET work_mem TO '8MB';
        REVOKE CONNECT ON DATABASE "{db}" FROM PUBLIC;
        GRANT CONNECT, TEMPORARY ON DATABASE "{db}" TO {PostgresCorpusRoles.Reader} WITH GRANT OPTION;
        SET ROLE {PostgresCorpusRoles.Reader}; GRANT CONNECT ON DATABASE "{db}" TO PUBLIC; RESET ROLE;
        """;

    private const string Rows = "CREATE TABLE t (s text); INSERT INTO t VALUES ('b'), ('a'), ('B'), ('ä');";
    private const string Probe = "SELECT string_agg(s || '/' || upper(s), ',' ORDER BY s) FROM t";

    [PostgresFact]
    public async Task A_restore_recreates_the_databases_locale_owner_privileges_comment_limit_and_settings_as_pg_dump_create_prints_them()
    {
        await PostgresCorpusRoles.EnsureAsync();
        await using var source = await PostgresTestDatabase.CreateAsync("pgdbp_src", Rows, CLocale);
        // Applied after the load: a read-only default would otherwise stop the restore's own sessions.
        await PostgresTestDatabase.AdminAsync(Properties(source.Name) + $"ALTER DATABASE \"{source.Name}\" SET default_transaction_read_only = on;");
        await using var restored = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, 2), "pgdbp_dst");

        var control = await PostgresCorpusComparison.SchemaAsync(source.Name, create: true);
        Assert.Contains(control, l => l.Contains("LOCALE = 'C'", StringComparison.Ordinal));
        Assert.Contains(control, l => l.Contains("SET \"app.x\" TO 'it''s 42'", StringComparison.Ordinal));
        PostgresCorpusComparison.AssertSameLines("pg_dump --create", control, await PostgresCorpusComparison.SchemaAsync(restored.Name, create: true));
        Assert.Equal(await PostgresTestDatabase.ScalarAsync(source.Name, Probe), await PostgresTestDatabase.ScalarAsync(restored.Name, Probe));
    }

    [PostgresFact]
    public async Task An_icu_database_is_restored_with_its_icu_locale_and_sorts_as_the_source()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgdbp_icu", Rows, "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'de-DE'");
        await using var restored = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, 1), "pgdbp_icudst");
        PostgresCorpusComparison.AssertSameLines("pg_dump --create", await PostgresCorpusComparison.SchemaAsync(source.Name, create: true),
            await PostgresCorpusComparison.SchemaAsync(restored.Name, create: true));
        // ICU sorts a < B; the server's default (C.UTF-8) sorts B < a.
        Assert.Equal("a/A,ä/Ä,b/B,B/B", await PostgresTestDatabase.ScalarAsync(restored.Name, Probe));
    }

    [PostgresFact]
    public async Task A_restore_over_the_database_and_a_table_restore_into_a_new_one_keep_the_backups_database_properties()
    {
        await PostgresCorpusRoles.EnsureAsync();
        using var repo = new TestRepository();
        await using var source = await PostgresTestDatabase.CreateAsync("pgdbp_eng", Rows, CLocale);
        await PostgresTestDatabase.AdminAsync(Properties(source.Name));
        var asTaken = await PostgresCorpusComparison.SchemaAsync(source.Name, create: true);
        var tablesOnly = TestServers.UniqueName("pgdbp_engt");
        try
        {
            var started = await repo.Engine.StartBackupAsync(new BackupOptions { Target = source.Target }, CancellationToken.None);
            var backup = await repo.WaitAsync<BackupRecord>(started.Id);
            Assert.Equal(OperationState.Succeeded, backup.State);
            await PostgresTestDatabase.AdminAsync($"""
                COMMENT ON DATABASE "{source.Name}" IS 'changed'; ALTER DATABASE "{source.Name}" SET app.x TO 'changed';
                ALTER DATABASE "{source.Name}" RESET search_path; GRANT ALL ON DATABASE "{source.Name}" TO PUBLIC;
                """);

            // The swap path: the aside copy is created and finished with the backup's properties.
            var restore = await repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = source.Target, Force = true, SkipSafetyBackup = true }, CancellationToken.None);
            Assert.Equal(OperationState.Succeeded, (await repo.WaitAsync<RestoreRecord>(restore.Id)).State);
            PostgresCorpusComparison.AssertSameLines("pg_dump --create", asTaken, await PostgresCorpusComparison.SchemaAsync(source.Name, create: true));

            // A per-table restore into a new database creates it as the whole restore would.
            var tables = await repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = source.Target, TargetDatabase = tablesOnly, Tables = ["public.t"] }, CancellationToken.None);
            Assert.Equal(OperationState.Succeeded, (await repo.WaitAsync<RestoreRecord>(tables.Id)).State);
            PostgresCorpusComparison.AssertSameLines("pg_dump --create", asTaken, await PostgresCorpusComparison.SchemaAsync(tablesOnly, create: true));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(tablesOnly);
        }
    }

    /// <summary>An in-place tablespace (allow_in_place_tablespaces, PostgreSQL 15) needs no directory on the server's machine.</summary>
    [PostgresFact]
    public async Task A_restore_puts_the_database_in_its_tablespace_keeps_it_a_template_and_names_a_tablespace_the_server_lacks()
    {
        var tablespace = TestServers.UniqueName("pgdbp_ts");
        await PostgresTestDatabase.CreateInPlaceTablespaceAsync(tablespace);
        var source = TestServers.UniqueName("pgdbp_tssrc");
        var restored = TestServers.UniqueName("pgdbp_tsdst");
        try
        {
            await PostgresTestDatabase.AdminAsync($"CREATE DATABASE \"{source}\" TABLESPACE \"{tablespace}\"");
            await PostgresTestDatabase.ExecAsync(source, Rows);
            await PostgresTestDatabase.AdminAsync($"ALTER DATABASE \"{source}\" IS_TEMPLATE true");
            using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(TestServers.Postgres(source), null, null, null, 1));
            await _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1), payload.Reader(), new DumpedPayload.SyncProgress([]), default);

            var control = await PostgresCorpusComparison.SchemaAsync(source, create: true);
            Assert.Contains(control, l => l.Contains("TABLESPACE = " + tablespace, StringComparison.Ordinal));
            Assert.Contains(control, l => l.Contains("IS_TEMPLATE = true", StringComparison.Ordinal));
            PostgresCorpusComparison.AssertSameLines("pg_dump --create", control, await PostgresCorpusComparison.SchemaAsync(restored, create: true));
            // A restored template can still be dropped by DbBackup (a verify's scratch copy, a replaced database).
            await _provider.DropDatabaseAsync(TestServers.Postgres(), restored, default);
            Assert.False(await PostgresTestDatabase.ExistsAsync(restored));

            using var moved = await RewriteTocAsync(payload, toc => toc.Database!.Tablespace = tablespace + "_gone");
            foreach (var serverLocale in new[] { false, true })
            {
                var e = await Assert.ThrowsAsync<DbBackupException>(() => _provider.RestoreAsync(
                    new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1) { UseServerLocale = serverLocale }, moved.Reader(), new DumpedPayload.SyncProgress([]), default));
                Assert.Equal("TablespaceMissing", e.ErrorId);
                Assert.Contains($"'{tablespace}_gone'", e.Message);
                Assert.False(await PostgresTestDatabase.ExistsAsync(restored));
            }
        }
        finally
        {
            foreach (var db in new[] { source, restored })
                await PostgresTestDatabase.AdminAsync($"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_database WHERE datname = '{db}') THEN ALTER DATABASE \"{db}\" IS_TEMPLATE false; END IF; END $$");
            await PostgresTestDatabase.DropAsync(source);
            await PostgresTestDatabase.DropAsync(restored);
            await PostgresTestDatabase.AdminAsync($"DROP TABLESPACE IF EXISTS \"{tablespace}\"");
        }
    }

    [PostgresFact]
    public async Task A_locale_the_server_lacks_is_refused_before_anything_is_created_unless_the_server_locale_is_asked_for()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgdbp_loc", Rows, CLocale);
        await PostgresTestDatabase.AdminAsync($"COMMENT ON DATABASE \"{source.Name}\" IS 'kept'");
        var restored = TestServers.UniqueName("pgdbp_locdst");
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
        using var moved = await RewriteTocAsync(payload, toc => toc.Database!.Collate = toc.Database.Ctype = "xx_XX.UTF-8");
        try
        {
            var e = await Assert.ThrowsAsync<DbBackupException>(() => _provider.RestoreAsync(
                new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1), moved.Reader(), new DumpedPayload.SyncProgress([]), default));
            Assert.Equal("LocaleUnavailable", e.ErrorId);
            Assert.Contains("'xx_XX.UTF-8'", e.Message);
            Assert.Contains($"default locale is '{await PostgresTestDatabase.ScalarAsync("postgres", "SELECT datcollate FROM pg_database WHERE datname = 'template0'")}'", e.Message);
            Assert.Contains("--use-server-locale", e.Message);
            Assert.False(await PostgresTestDatabase.ExistsAsync(restored));

            await _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1) { UseServerLocale = true },
                moved.Reader(), new DumpedPayload.SyncProgress([]), default);
            Assert.Equal(true, await PostgresTestDatabase.ScalarAsync("postgres",
                $"SELECT d.datcollate = t.datcollate FROM pg_database d, pg_database t WHERE d.datname = '{restored}' AND t.datname = 'template0'"));
            Assert.Equal("kept", await PostgresTestDatabase.ScalarAsync("postgres", $"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{restored}'"));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }

    [PostgresFact]
    public async Task A_backup_written_before_database_properties_were_recorded_restores_with_the_servers_default_locale_as_before()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgdbp_old", Rows, CLocale);
        var restored = TestServers.UniqueName("pgdbp_olddst");
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
        using var old = await RewriteTocAsync(payload, toc => toc.Database = null);
        try
        {
            await _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1), old.Reader(), new DumpedPayload.SyncProgress([]), default);
            Assert.Equal(true, await PostgresTestDatabase.ScalarAsync("postgres",
                $"SELECT d.datcollate = t.datcollate AND d.datctype = t.datctype FROM pg_database d, pg_database t WHERE d.datname = '{restored}' AND t.datname = 'template0'"));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }

    [Theory]
    [InlineData("search_path", "app, \"My Schema\", public", "'app', 'My Schema', 'public'")]
    [InlineData("search_path", "\"a\"\"b\", \"$user\"", "'a\"b', '$user'")]
    [InlineData("search_path", "\"\"", "''")]
    [InlineData("app.x", "it's, 42", "'it''s, 42'")]
    public void A_list_setting_becomes_one_literal_per_element_and_any_other_one_literal(string name, string stored, string sql)
        => Assert.Equal(sql, PostgreSqlDatabaseProperties.Value(name, stored));

    /// <summary>The same payload with its toc changed (as another DbBackup version, or another server, would have it).</summary>
    private static async Task<DumpedPayload> RewriteTocAsync(DumpedPayload payload, Action<PostgreSqlToc> change)
    {
        var folder = Path.Combine(Path.GetTempPath(), "dbbackup-pgtest-" + Guid.NewGuid().ToString("N"));
        var writer = new PayloadWriter(folder, CompressionKind.Gzip);
        foreach (var name in payload.Reader().Names)
        {
            await using var input = payload.Reader().Open(name);
            await using var output = writer.Create(name);
            if (name != PostgreSqlToc.FileName) { await input.CopyToAsync(output); continue; }
            var toc = await PostgreSqlToc.ReadAsync(input, default);
            change(toc);
            await toc.WriteAsync(output, default);
        }
        return new DumpedPayload { Folder = folder, Files = writer.Files, Result = payload.Result, Progress = [] };
    }
}
