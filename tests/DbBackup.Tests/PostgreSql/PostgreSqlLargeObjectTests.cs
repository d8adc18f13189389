using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Large objects: backed up in the snapshot with content, owner, privileges and comment, restored
/// under the same OIDs; only backups holding them need the newer payload format.</summary>
public sealed class PostgreSqlLargeObjectTests
{
    private readonly PostgreSqlProvider _provider = new();

    [PostgresFact]
    public async Task Large_objects_round_trip_with_content_owner_privileges_and_comment_under_the_same_oids()
    {
        await PostgresCorpusRoles.EnsureAsync();
        // Object 3 is 2.4 MB: more than two 1 MiB chunks each way.
        await using var source = await PostgresTestDatabase.CreateAsync("pglo_src", """
            CREATE TABLE docs (id int PRIMARY KEY, body oid);
            INSERT INTO docs VALUES (1, lo_from_bytea(0, convert_to('hello 😀', 'UTF8'))),
                                    (2, lo_from_bytea(0, '')),
                                    (3, lo_from_bytea(0, (SELECT string_agg(decode(md5(g::text), 'hex'), '') FROM generate_series(1, 150000) g)));
            """);
        await source.ExecAsync($"""
            DO $$ DECLARE o oid; BEGIN
                SELECT body INTO o FROM docs WHERE id = 1;
                EXECUTE format('ALTER LARGE OBJECT %s OWNER TO {PostgresCorpusRoles.Owner}', o);
                EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO {PostgresCorpusRoles.Reader}', o);
                EXECUTE format('GRANT UPDATE ON LARGE OBJECT %s TO PUBLIC', o);
                EXECUTE format('COMMENT ON LARGE OBJECT %s IS %L', o, 'a comment, with ''quotes''');
                SELECT body INTO o FROM docs WHERE id = 3;
                EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO {PostgresCorpusRoles.Reader} WITH GRANT OPTION', o);
            END $$
            """);
        await using var restored = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, 2), "pglo_dst");
        Assert.Equal(PostgreSqlToc.LargeObjectsFormatVersion, restored.Payload.Result.FormatVersion);

        var expected = await PostgresTestDatabase.ColumnAsync(source.Name, PostgresComparison.LargeObjectsSql);
        Assert.Equal(3, expected.Count);
        Assert.Contains(expected, l => l!.Contains(PostgresCorpusRoles.Reader + "=r/", StringComparison.Ordinal) && l.Contains("quotes"));
        Assert.Equal(expected, await PostgresTestDatabase.ColumnAsync(restored.Name, PostgresComparison.LargeObjectsSql));
        Assert.Equal("hello 😀", await PostgresTestDatabase.ScalarAsync(restored.Name, "SELECT convert_from(lo_get(body), 'UTF8') FROM docs WHERE id = 1"));
    }

    [PostgresFact]
    public async Task Through_the_engine_a_backup_with_large_objects_is_recorded_as_format_2_and_restores_them()
    {
        using var repo = new TestRepository();
        await using var source = await PostgresTestDatabase.CreateAsync("pglo_eng", "CREATE TABLE d (id int, body oid); INSERT INTO d VALUES (1, lo_from_bytea(0, 'abc'));");
        var target = TestServers.UniqueName("pglo_engto");
        try
        {
            var started = await repo.Engine.StartBackupAsync(new BackupOptions { Target = source.Target }, CancellationToken.None);
            var backup = await repo.WaitAsync<BackupRecord>(started.Id);
            Assert.Equal(OperationState.Succeeded, backup.State);
            // DbBackup versions before large objects restore formats up to 1, so they refuse this backup.
            Assert.Equal(2, backup.FormatVersion);
            Assert.Contains(backup.Files, f => f.Name.StartsWith("payload/largeobjects.dat", StringComparison.Ordinal));
            var restore = await repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = source.Target, TargetDatabase = target }, CancellationToken.None);
            Assert.Equal(OperationState.Succeeded, (await repo.WaitAsync<RestoreRecord>(restore.Id)).State);
            Assert.Equal(await PostgresTestDatabase.ColumnAsync(source.Name, PostgresComparison.LargeObjectsSql), await PostgresTestDatabase.ColumnAsync(target, PostgresComparison.LargeObjectsSql));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(target);
        }
    }

    [PostgresFact]
    public async Task A_backup_without_large_objects_keeps_the_payload_format_older_versions_restore()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pglo_none", "CREATE TABLE t (a int); INSERT INTO t VALUES (1);");
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
        Assert.Equal(PostgreSqlToc.BaseFormatVersion, payload.Result.FormatVersion);
        Assert.DoesNotContain(payload.Files, f => f.Name.StartsWith("largeobjects", StringComparison.Ordinal));
    }
}
