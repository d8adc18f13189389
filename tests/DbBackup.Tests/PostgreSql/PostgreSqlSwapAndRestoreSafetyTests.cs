using DbBackup.Engine;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using Npgsql;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Swap, and the guarantees around restore targets: never overwrite, clean up after failure.</summary>
public sealed class PostgreSqlSwapAndRestoreSafetyTests
{
    private readonly PostgreSqlProvider _provider = new();

    [PostgresFact]
    public async Task Swap_replaces_the_database_terminates_its_sessions_and_drops_the_old_one()
    {
        await using var original = await PostgresTestDatabase.CreateAsync("pgswap_orig", "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('old');");
        await using var replacement = await PostgresTestDatabase.CreateAsync("pgswap_repl", "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('new');");
        await using var session = new NpgsqlConnection(PostgresTestDatabase.ConnectionString(original.Name));
        await session.OpenAsync();
        var asidesBefore = await PostgresTestDatabase.ColumnAsync("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'dbbackup_aside_%'");

        await _provider.SwapAsync(TestServers.Postgres(), original.Name, replacement.Name, default);

        Assert.Equal("new", await PostgresTestDatabase.ScalarAsync(original.Name, "SELECT v FROM marker"));
        Assert.False(await PostgresTestDatabase.ExistsAsync(replacement.Name));
        Assert.Equal(asidesBefore, await PostgresTestDatabase.ColumnAsync("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'dbbackup_aside_%'"));
        Assert.True(await PostgresTestDatabase.ScalarAsync(original.Name, "SELECT datallowconn FROM pg_database WHERE datname = current_database()") is true);
        await Assert.ThrowsAnyAsync<Exception>(async () => { await using var cmd = new NpgsqlCommand("SELECT 1", session); await cmd.ExecuteScalarAsync(); });
    }

    [PostgresFact]
    public async Task Swap_with_a_missing_replacement_leaves_the_original_as_it_was()
    {
        await using var original = await PostgresTestDatabase.CreateAsync("pgswap_keep", "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('old');");
        var e = await Assert.ThrowsAsync<DbBackupException>(() => _provider.SwapAsync(TestServers.Postgres(), original.Name, "no_such_db_" + Guid.NewGuid().ToString("N")[..8], default));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("old", await PostgresTestDatabase.ScalarAsync(original.Name, "SELECT v FROM marker"));
    }

    [PostgresFact]
    public async Task Restore_into_an_existing_database_is_refused_and_leaves_it_untouched()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgexist_src", "CREATE TABLE t (v text); INSERT INTO t VALUES ('source');");
        await using var existing = await PostgresTestDatabase.CreateAsync("pgexist_dst", "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('keep me');");
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
        var e = await Assert.ThrowsAsync<DbBackupException>(() =>
            _provider.RestoreAsync(new RestoreRequest(existing.Target, new BackupRecord(), 1), payload.Reader(), new DumpedPayload.SyncProgress([]), default));
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Equal("DatabaseExists", e.ErrorId);
        Assert.Equal("keep me", await PostgresTestDatabase.ScalarAsync(existing.Name, "SELECT v FROM marker"));
        Assert.Equal(0L, await PostgresTestDatabase.ScalarAsync(existing.Name, "SELECT count(*) FROM pg_class WHERE relname = 't'"));
    }

    [PostgresFact]
    public async Task Failed_restore_from_a_corrupted_data_file_drops_the_new_database_and_touches_nothing_else()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgcorrupt_src", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 5000) i;");
        var restored = TestServers.UniqueName("pgcorrupt_dst");
        try
        {
            using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
            var dataFile = Path.Combine(payload.Folder, payload.Files.Single(f => f.Name.StartsWith("data/", StringComparison.Ordinal)).Name);
            var bytes = await File.ReadAllBytesAsync(dataFile);
            bytes[bytes.Length / 2] ^= 0x5A;
            await File.WriteAllBytesAsync(dataFile, bytes);

            await Assert.ThrowsAnyAsync<Exception>(() =>
                _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1), payload.Reader(), new DumpedPayload.SyncProgress([]), default));
            Assert.False(await PostgresTestDatabase.ExistsAsync(restored));
            Assert.Equal(5000L, await PostgresTestDatabase.ScalarAsync(source.Name, "SELECT count(*) FROM t"));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }

    [PostgresFact]
    public async Task Failed_restore_from_data_the_server_rejects_drops_the_new_database()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgreject_src", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a');");
        var restored = TestServers.UniqueName("pgreject_dst");
        try
        {
            using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
            var source2 = new ReplacingSource(payload.Reader(), "data/0001.copy", "not-a-number\tb\n"u8.ToArray());
            var e = await Assert.ThrowsAsync<DbBackupException>(() =>
                _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 1), source2, new DumpedPayload.SyncProgress([]), default));
            Assert.Contains("public.t", e.Message);
            Assert.False(await PostgresTestDatabase.ExistsAsync(restored));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }

    /// <summary>A payload source that serves other bytes for one file.</summary>
    private sealed class ReplacingSource(Engine.Artifacts.IPayloadSource inner, string name, byte[] content) : Engine.Artifacts.IPayloadSource
    {
        public IReadOnlyList<string> Names => inner.Names;
        public Stream Open(string n) => n == name ? new MemoryStream(content) : inner.Open(n);
    }
}
