using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>Damaged repository files, through the CLI: a garbage manifest, a truncated or deleted
/// payload file, a garbage line in activity.jsonl.</summary>
public sealed class CorruptRepositoryTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    private Dictionary<string, string?> Env => new() { ["PGPASSWORD"] = TestServers.Postgres().Password, ["DBBACKUP_REPOSITORY"] = _repo.Path };

    private async Task<(string Db, BackupRecord Backup)> BackedUpDbAsync()
    {
        var db = await TestSql.PgCreateAsync("hcorrupt", """
            CREATE TABLE t (id int PRIMARY KEY, v text);
            INSERT INTO t SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 20000) g;
            """);
        _databases.Add(db);
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var done = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        return (db, done);
    }

    private string[] RestoreArgs(string id, string db)
    {
        var t = TestServers.Postgres();
        return ["restore", "--id", id, "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName, "--database", db, "--force", "--wait", "--json"];
    }

    private string PayloadPath(BackupRecord b) => Path.Combine(_repo.Path, "backups", b.Id, b.Files.OrderByDescending(f => f.Size).First().Name);

    private async Task AssertTargetUntouchedAsync(string db, BackupRecord b)
    {
        Assert.Equal("20000", (await TestSql.PgColumnAsync(db, "SELECT count(*) FROM t")).Single());
        Assert.Equal("changed", (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 1")).Single());
        // No safety backup, no restore record, no aside database.
        Assert.Equal([b.Id], _repo.Engine.Repository.ReadAllBackups().Select(x => x.Id));
        Assert.Empty(_repo.Engine.Repository.ReadAllRestores());
        Assert.Empty(await TestSql.PgColumnAsync("postgres", $"SELECT datname FROM pg_database WHERE datname LIKE '{db}__restore%'"));
    }

    [PostgresFact]
    public async Task A_garbage_manifest_is_skipped_by_list_with_a_warning_and_get_by_id_names_the_file()
    {
        var (_, good) = await BackedUpDbAsync();
        const string badId = "bk-20260101000000000-abcdef";
        var badFolder = Path.Combine(_repo.Path, "backups", badId);
        Directory.CreateDirectory(badFolder);
        await File.WriteAllTextAsync(Path.Combine(badFolder, "manifest.json"), "{\"Id\": \"bk-2026\x00\x01 garbage ]]]");

        var list = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        var page = JsonSerializer.Deserialize<JsonElement>(list.StdOut);
        Assert.Equal([good.Id], page.GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
        Assert.Contains(badId, list.StdErr);
        Assert.Contains("manifest.json", list.StdErr);

        var get = await CliRunner.RunAsync(["status", "--id", badId, "--json"], Env);
        Assert.Equal(7, get.ExitCode);
        Assert.Contains("CorruptMetadata", get.StdErr);
        Assert.Contains(Path.Combine(badFolder, "manifest.json"), get.StdErr);

        // The good backup is still fully usable.
        var verify = await CliRunner.RunAsync(["verify", "--id", good.Id, "--json"], Env);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
    }

    [PostgresFact]
    public async Task A_truncated_payload_fails_verify_naming_the_file_and_restore_is_refused_before_touching_the_target()
    {
        var (db, b) = await BackedUpDbAsync();
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed' WHERE id = 1");
        var payload = PayloadPath(b);
        var name = Path.GetRelativePath(Path.Combine(_repo.Path, "backups", b.Id), payload);
        using (var fs = new FileStream(payload, FileMode.Open)) fs.SetLength(fs.Length / 2);

        var verify = await CliRunner.RunAsync(["verify", "--id", b.Id, "--json"], Env);
        Assert.Equal(7, verify.ExitCode);
        var result = JsonSerializer.Deserialize<JsonElement>(verify.StdOut);
        Assert.False(result.GetProperty("Passed").GetBoolean());
        Assert.Contains(result.GetProperty("Problems").EnumerateArray(), p => p.GetString()!.Contains(name));

        var restore = await CliRunner.RunAsync(RestoreArgs(b.Id, db), Env);
        Assert.Equal(7, restore.ExitCode);
        Assert.Contains("ChecksumMismatch", restore.StdErr);
        Assert.Contains(name, restore.StdErr);
        await AssertTargetUntouchedAsync(db, b);
    }

    [PostgresFact]
    public async Task A_payload_flipped_in_place_is_caught_by_the_worker_before_the_target_is_touched()
    {
        var (db, b) = await BackedUpDbAsync();
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed' WHERE id = 1");
        var payload = PayloadPath(b);
        using (var fs = new FileStream(payload, FileMode.Open)) { fs.Position = fs.Length / 2; var x = fs.ReadByte(); fs.Position--; fs.WriteByte((byte)(x ^ 0xFF)); }

        var restore = await CliRunner.RunAsync(RestoreArgs(b.Id, db), Env);
        Assert.Equal(1, restore.ExitCode);
        var record = JsonSerializer.Deserialize<JsonElement>(restore.StdOut);
        Assert.Equal("Failed", record.GetProperty("State").GetString());
        Assert.Contains(Path.GetFileName(payload), record.GetProperty("StatusMessage").GetString());
        Assert.Equal("20000", (await TestSql.PgColumnAsync(db, "SELECT count(*) FROM t")).Single());
        Assert.Equal("changed", (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 1")).Single());
        Assert.Empty(await TestSql.PgColumnAsync("postgres", $"SELECT datname FROM pg_database WHERE datname LIKE '{db}__restore%'"));
    }

    [PostgresFact]
    public async Task A_deleted_payload_file_fails_verify_and_restore_naming_it()
    {
        var (db, b) = await BackedUpDbAsync();
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed' WHERE id = 1");
        var payload = PayloadPath(b);
        var name = Path.GetRelativePath(Path.Combine(_repo.Path, "backups", b.Id), payload);
        File.Delete(payload);

        var verify = await CliRunner.RunAsync(["verify", "--id", b.Id, "--json"], Env);
        Assert.Equal(7, verify.ExitCode);
        Assert.Contains(JsonSerializer.Deserialize<JsonElement>(verify.StdOut).GetProperty("Problems").EnumerateArray(), p => p.GetString()!.Contains(name) && p.GetString()!.Contains("missing"));

        var restore = await CliRunner.RunAsync(RestoreArgs(b.Id, db), Env);
        Assert.Equal(7, restore.ExitCode);
        Assert.Contains(name, restore.StdErr);
        Assert.Contains("missing", restore.StdErr);
        await AssertTargetUntouchedAsync(db, b);

        var save = await CliRunner.RunAsync(["save", "--id", b.Id, "--path", Path.Combine(_repo.Path, "out.dbbackup")], Env);
        Assert.NotEqual(0, save.ExitCode);
        Assert.Contains(name, save.StdErr);
        Assert.False(File.Exists(Path.Combine(_repo.Path, "out.dbbackup")));
    }

    [PostgresFact]
    public async Task A_garbage_line_in_the_activity_log_is_skipped_and_later_lines_still_read()
    {
        var (_, b) = await BackedUpDbAsync();
        var activity = Path.Combine(_repo.Path, "activity.jsonl");
        await File.AppendAllTextAsync(activity, "{\"Time\": not json at all\n\u0000\u0001garbage\n{\"Action\": 42}\n");
        var remove = await CliRunner.RunAsync(["remove", "--id", b.Id, "--force", "--json"], Env);
        Assert.True(remove.ExitCode == 0, remove.StdErr);

        var log = await CliRunner.RunAsync(["log", "--json", "--first", "100"], Env);
        Assert.True(log.ExitCode == 0, log.StdErr);
        var actions = JsonSerializer.Deserialize<JsonElement>(log.StdOut).GetProperty("Items").EnumerateArray()
            .Select(e => (e.GetProperty("Action").GetString(), e.GetProperty("Id").GetString())).ToList();
        Assert.Equal(("Removed", b.Id), actions[0]);
        Assert.Contains(("BackupSucceeded", b.Id), actions);
        Assert.Contains(("BackupRequested", b.Id), actions);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
