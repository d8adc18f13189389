using System.Text.Json;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Storage;

/// <summary>Backups and restores through the CLI with the object store behind a <see cref="FaultProxy"/>:
/// a connection reset mid-upload or mid-download is retried and the result is exact; a store that keeps
/// failing ends the operation Failed with a message naming the store, never a Succeeded record with a
/// missing part, and a failed swap restore leaves the original database as it was.</summary>
public abstract class StoreFaultTests : IAsyncLifetime
{
    private readonly List<string> _databases = [];
    private FaultProxy _proxy = null!;

    /// <summary>The emulator the proxy forwards to.</summary>
    protected abstract Uri StoreEndpoint { get; }

    /// <summary>A fresh repository address in the store (its container or bucket created).</summary>
    protected abstract Task<string> NewRepositoryAsync();

    /// <summary>The environment that reaches the store at <paramref name="endpoint"/> (the proxy's or the store's own).</summary>
    protected abstract Dictionary<string, string?> StoreEnvironment(string endpoint);

    /// <summary>Every object key under <paramref name="prefix"/> of the repository, read directly from the store.</summary>
    protected abstract Task<List<string>> KeysAsync(string repository, string prefix);

    /// <summary>Where in a payload upload the connection is reset: mid-body unless the store cannot take that.</summary>
    protected virtual long UploadResetAfterBytes => 256 * 1024;

    /// <summary>A payload file being uploaded (Azure Put Block, S3 PutObject or UploadPart).</summary>
    private static readonly Func<string, bool> PayloadUpload = FaultProxy.Request("PUT", "/payload/");

    /// <summary>The table's data file being uploaded (3 MB, so a reset at 256 KB is mid-request; the
    /// schema file is far smaller).</summary>
    private static readonly Func<string, bool> DataUpload = FaultProxy.Request("PUT", "/payload/data/");

    /// <summary>A payload file being read (restore, verify).</summary>
    private static readonly Func<string, bool> PayloadDownload = FaultProxy.Request("GET", "/payload/data/");

    public async Task InitializeAsync() => _proxy = new FaultProxy(StoreEndpoint);

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        foreach (var db in _databases) await TestSql.PgDropAsync(db);
    }

    [StoreFact]
    public async Task An_upload_reset_mid_block_is_retried_and_the_backup_restores_exactly()
    {
        var (db, repository) = await SourceAsync();
        _proxy.ResetRequests(DataUpload, UploadResetAfterBytes);

        var backup = await RunAsync(Through(repository), "backup", "--database", db, "--wait");

        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        Assert.True(_proxy.Faults == 1, Seen(backup));
        var id = Json(backup).GetProperty("Id").GetString()!;
        await AssertRestoresExactlyAsync(db, repository, id);
    }

    [StoreFact]
    public async Task A_store_that_keeps_refusing_uploads_ends_the_backup_Failed_naming_the_store_with_no_payload_listed()
    {
        var (db, repository) = await SourceAsync();
        _proxy.ResetRequests(PayloadUpload, afterBytes: 0, times: int.MaxValue);

        var backup = await RunAsync(Through(repository), "backup", "--database", db, "--wait");

        Assert.True(backup.ExitCode != 0, Seen(backup));
        Assert.True(_proxy.Faults > 1, "the SDK did not retry the upload");
        var record = Json(backup);
        var id = record.GetProperty("Id").GetString()!;
        Assert.Equal("Failed", record.GetProperty("State").GetString());
        var message = record.GetProperty("StatusMessage").GetString()!;
        Assert.Contains("could not be reached or kept failing after retries", message, StringComparison.Ordinal);
        Assert.Contains(repository, message, StringComparison.Ordinal);
        // Read back without the proxy: nothing of the payload is in the store, and no record claims success.
        Assert.DoesNotContain(await KeysAsync(repository, $"backups/{id}/"), k => k.Contains("/payload/", StringComparison.Ordinal));
        var listed = await RunAsync(Direct(repository), "list", "--database", db);
        Assert.True(listed.ExitCode == 0, listed.StdErr);
        Assert.DoesNotContain("Succeeded", listed.StdOut, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_download_cut_mid_restore_is_resumed_and_the_restore_matches_the_source()
    {
        var (db, repository) = await SourceAsync();
        var backup = await RunAsync(Direct(repository), "backup", "--database", db, "--wait");
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var id = Json(backup).GetProperty("Id").GetString()!;
        _proxy.CutResponses(PayloadDownload, afterBytes: 512 * 1024);

        var copy = db + "_r";
        _databases.Add(copy);
        var restore = await RunAsync(Through(repository), "restore", "--id", id, "--target-database", copy, "--wait");

        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        Assert.True(_proxy.Faults == 1, Seen(restore));
        await PostgresCorpusComparison.AssertSameAsync(db, copy);
    }

    [StoreFact]
    public async Task A_swap_restore_whose_downloads_keep_failing_ends_Failed_and_leaves_the_original_database_as_it_was()
    {
        var (db, repository) = await SourceAsync();
        var backup = await RunAsync(Direct(repository), "backup", "--database", db, "--wait");
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var id = Json(backup).GetProperty("Id").GetString()!;
        // The original moves on after the backup, so a restore that swapped anything in would show.
        await TestSql.PgExecAsync(db, "INSERT INTO t VALUES (-1, 'after the backup', NULL); CREATE TABLE later (x int)");
        var schemaBefore = await PostgresCorpusComparison.SchemaAsync(db);
        var contentsBefore = await PostgresCorpusComparison.ContentsAsync(db);
        // Cut before any byte of the answer: a read that makes progress is resumed without end, rightly.
        _proxy.CutResponses(PayloadDownload, afterBytes: 0, times: int.MaxValue);

        var restore = await RunAsync(Through(repository), "restore", "--id", id, "--database", db, "--force", "--wait");

        Assert.True(restore.ExitCode != 0, Seen(restore));
        var record = Json(restore);
        Assert.Equal("Failed", record.GetProperty("State").GetString());
        Assert.Contains(repository, record.GetProperty("StatusMessage").GetString()!, StringComparison.Ordinal);
        PostgresCorpusComparison.AssertSameLines("pg_dump --schema-only", schemaBefore, await PostgresCorpusComparison.SchemaAsync(db));
        PostgresCorpusComparison.AssertSameLines("contents", contentsBefore, await PostgresCorpusComparison.ContentsAsync(db));
        Assert.Empty(await TestSql.PgColumnAsync("postgres", $"SELECT datname FROM pg_database WHERE datname LIKE '{db}\\_\\_%'"));
    }

    /// <summary>A database of about 3 MB that does not compress (so its data file is several requests'
    /// worth of bytes), and a fresh repository.</summary>
    private async Task<(string Db, string Repository)> SourceAsync()
    {
        var db = await TestSql.PgCreateAsync("fault", """
            CREATE TABLE t (id int PRIMARY KEY, v text, b bytea);
            INSERT INTO t SELECT g, md5(g::text), (SELECT decode(string_agg(md5(g || '.' || k), ''), 'hex') FROM generate_series(1, 64) k)
            FROM generate_series(1, 3000) g;
            """);
        _databases.Add(db);
        return (db, await NewRepositoryAsync());
    }

    private async Task AssertRestoresExactlyAsync(string db, string repository, string id)
    {
        var verify = await RunAsync(Direct(repository), "verify", "--id", id);
        Assert.True(verify.ExitCode == 0 && Json(verify).GetProperty("Passed").GetBoolean(), verify.StdErr + verify.StdOut);
        var copy = db + "_r";
        _databases.Add(copy);
        var restore = await RunAsync(Direct(repository), "restore", "--id", id, "--target-database", copy, "--wait");
        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        await PostgresCorpusComparison.AssertSameAsync(db, copy);
    }

    private Dictionary<string, string?> Through(string repository) => WithRepository(StoreEnvironment(_proxy.Endpoint), repository);

    private Dictionary<string, string?> Direct(string repository) => WithRepository(StoreEnvironment(StoreEndpoint.ToString().TrimEnd('/')), repository);

    private static Dictionary<string, string?> WithRepository(Dictionary<string, string?> env, string repository)
    {
        env["DBBACKUP_REPOSITORY"] = repository;
        env["PGPASSWORD"] = TestServers.Postgres().Password;
        return env;
    }

    private static async Task<CliRunner.Result> RunAsync(Dictionary<string, string?> env, string command, params string[] args)
    {
        var pg = TestServers.Postgres();
        string[] server = command is "backup" or "restore" ? ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName] : [];
        return await CliRunner.RunAsync([command, .. server, .. args, "--json"], env, TimeSpan.FromMinutes(4));
    }

    /// <summary>What the CLI said and which requests the proxy saw, for a failure message.</summary>
    private string Seen(CliRunner.Result run) => $"{run.StdErr}{run.StdOut}\nrequests:\n{string.Join('\n', _proxy.Requests)}";

    private static JsonElement Json(CliRunner.Result run) => JsonDocument.Parse(run.StdOut).RootElement;
}
