using System.Diagnostics;
using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>Damaged repository files, through the CLI: a garbage manifest, a truncated or deleted
/// payload file, a garbage line in activity.jsonl, a record naming another id than its folder, temp
/// files left by a writer killed mid-write.</summary>
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
        // Nor an empty folder of the refused restore's record left behind.
        var restores = Path.Combine(_repo.Path, "restores");
        Assert.Empty(Directory.Exists(restores) ? Directory.GetFileSystemEntries(restores) : []);
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
    public async Task List_marks_a_backup_whose_payload_file_was_deleted_or_cut_short_and_names_the_file()
    {
        var (db, cut) = await BackedUpDbAsync();
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var deleted = await _repo.WaitAsync<BackupRecord>(started.Id);
        var again = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var whole = await _repo.WaitAsync<BackupRecord>(again.Id);
        using (var fs = new FileStream(PayloadPath(cut), FileMode.Open)) fs.SetLength(fs.Length - 1);
        File.Delete(PayloadPath(deleted));
        string NameIn(BackupRecord b) => Path.GetRelativePath(Path.Combine(_repo.Path, "backups", b.Id), PayloadPath(b));

        var list = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        var items = JsonSerializer.Deserialize<JsonElement>(list.StdOut).GetProperty("Items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("Id").GetString()!, i => i.GetProperty("StatusMessage").ValueKind == JsonValueKind.String ? i.GetProperty("StatusMessage").GetString()! : "");
        Assert.StartsWith("Damaged:", items[cut.Id]);
        Assert.Contains($"'{NameIn(cut)}' is {cut.Files.OrderByDescending(f => f.Size).First().Size - 1} bytes", items[cut.Id]);
        Assert.StartsWith("Damaged:", items[deleted.Id]);
        Assert.Contains($"'{NameIn(deleted)}' is missing", items[deleted.Id]);
        Assert.DoesNotContain("Damaged", items[whole.Id]);
        Assert.Contains($"Backup {cut.Id} is damaged", list.StdErr);
        Assert.Contains($"Backup {deleted.Id} is damaged", list.StdErr);
        Assert.DoesNotContain(whole.Id, list.StdErr);
        // Only the listing's copy is marked: the manifest on disk still says what the backup said.
        Assert.DoesNotContain("Damaged", await File.ReadAllTextAsync(Path.Combine(_repo.Path, "backups", cut.Id, "manifest.json")));
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
    public async Task A_damaged_restore_record_is_named_by_the_restore_history_instead_of_silently_missing()
    {
        await BackedUpDbAsync();
        var folder = Path.Combine(_repo.Path, "restores", "rs-20260101000000000-abcdef");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "record.json"), "{\"Id\": \"rs-2026\u0000 garbage ]]]");

        var history = await CliRunner.RunAsync(["restores", "--json"], Env);
        Assert.True(history.ExitCode == 0, history.StdErr);
        Assert.Empty(JsonSerializer.Deserialize<JsonElement>(history.StdOut).GetProperty("Items").EnumerateArray());
        Assert.Contains("skipped an unreadable restore record", history.StdErr);
        Assert.Contains(Path.Combine(folder, "record.json"), history.StdErr);
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

    private static int DeadPid()
    {
        using var p = Process.Start("true")!;
        p.WaitForExit();
        return p.Id;
    }

    /// <summary>A sealed copy of <paramref name="from"/> as a Running record of a dead worker, in folder <paramref name="folderId"/>.</summary>
    private string PlantRunningRecord(BackupRecord from, string folderId, string recordId, int? revision = null)
    {
        var folder = Path.Combine(_repo.Path, "backups", folderId);
        Directory.CreateDirectory(folder);
        var copy = _repo.Engine.Repository.TryReadBackup(from.Id)!;
        copy.Id = recordId;
        copy.State = OperationState.Running;
        copy.Revision = revision ?? copy.Revision;
        copy.Files = [];
        copy.WorkerProcessId = DeadPid();
        copy.WorkerHost = Environment.MachineName;
        copy.HeartbeatAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        File.WriteAllBytes(Path.Combine(folder, "manifest.json"), RecordFile.Serialize(copy));
        return folder;
    }

    [PostgresFact]
    public async Task A_record_whose_id_differs_from_its_folder_is_reported_as_damage_and_never_shown_running()
    {
        var (db, good) = await BackedUpDbAsync();
        const string folderId = "bk-20260101000000000-0f0f0f";
        const string recordId = "bk-20260101000000000-aaaaaa";
        var folder = PlantRunningRecord(good, folderId, recordId);

        var list = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Equal([good.Id], JsonSerializer.Deserialize<JsonElement>(list.StdOut).GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
        Assert.Contains(folderId, list.StdErr);
        Assert.Contains(recordId, list.StdErr);

        var status = await CliRunner.RunAsync(["status", "--id", folderId], Env);
        Assert.Equal(7, status.ExitCode);
        Assert.Contains("RecordIdMismatch", status.StdErr);
        Assert.Equal(3, (await CliRunner.RunAsync(["status", "--id", recordId], Env)).ExitCode);
        var sw = Stopwatch.StartNew();
        var cancel = await CliRunner.RunAsync(["cancel", "--id", folderId], Env, TimeSpan.FromSeconds(30));
        Assert.Equal(7, cancel.ExitCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"cancel took {sw.Elapsed}");
        var t = TestServers.Postgres();
        var target = await CliRunner.RunAsync(["status", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--database", db, "--json"], Env);
        Assert.Equal(0, target.ExitCode);
        Assert.False(JsonSerializer.Deserialize<JsonElement>(target.StdOut).GetProperty("Running").GetBoolean());

        var remove = await CliRunner.RunAsync(["remove", "--id", folderId], Env);
        Assert.Equal(7, remove.ExitCode);
        Assert.Contains("--force", remove.StdErr);
        Assert.Equal(0, (await CliRunner.RunAsync(["remove", "--id", folderId, "--force"], Env)).ExitCode);
        Assert.False(Directory.Exists(folder));
        Assert.Equal(good.Id, _repo.Engine.GetBackup(good.Id).Id);
    }

    [PostgresFact]
    public async Task An_undone_hold_put_back_as_an_older_succeeded_manifest_is_reported_and_retention_never_removes_the_backup()
    {
        var (db, held) = await BackedUpDbAsync();
        var manifest = Path.Combine(_repo.Path, "backups", held.Id, "manifest.json");
        var unheld = await File.ReadAllBytesAsync(manifest);
        _repo.Engine.SetHold(held.Id, true);
        // A file-sync tool or a restored snapshot of the folder puts back the copy from before the hold.
        await File.WriteAllBytesAsync(manifest, unheld);

        var list = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Contains($"'{manifest}' is an older copy of record {held.Id}: it says Succeeded", list.StdErr);
        Assert.DoesNotContain(held.Id, list.StdOut);
        // Setting the hold again over the older copy is refused, not written as if nothing happened.
        var hold = await CliRunner.RunAsync(["hold", "--id", held.Id], Env);
        Assert.Equal(7, hold.ExitCode);
        Assert.Contains("RecordRolledBack", hold.StdErr);

        // KeepLast 1 and a newer backup: the held one is kept, as its current record said.
        _repo.Engine.UpdateSettings(s => s.KeepLast = 1);
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<BackupRecord>(started.Id)).State);
        Assert.True(File.Exists(PayloadPath(held)));
        Assert.Equal(unheld, await File.ReadAllBytesAsync(manifest));
    }

    [PostgresFact]
    public async Task A_manifest_put_back_as_an_older_running_copy_is_reported_and_the_payload_is_never_deleted()
    {
        var (db, good) = await BackedUpDbAsync();
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed' WHERE id = 1");
        var folder = Path.Combine(_repo.Path, "backups", good.Id);
        var manifest = Path.Combine(folder, "manifest.json");
        var current = await File.ReadAllBytesAsync(manifest);
        List<string> Payload() => Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => f != manifest).Order().ToList();
        var payload = Payload();
        // As an older snapshot of the folder would put it back: the record as it was while its (now long
        // gone) worker ran. Stale detection used to fail it and delete the finished payload.
        PlantRunningRecord(good, good.Id, good.Id, revision: 2);

        var list = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Empty(JsonSerializer.Deserialize<JsonElement>(list.StdOut).GetProperty("Items").EnumerateArray());
        Assert.Contains($"'{manifest}' is an older copy of record {good.Id}: it says Running", list.StdErr);
        var status = await CliRunner.RunAsync(["status", "--id", good.Id], Env);
        Assert.Equal(7, status.ExitCode);
        Assert.Contains("RecordRolledBack", status.StdErr);
        Assert.Contains("Succeeded", status.StdErr);
        var verify = await CliRunner.RunAsync(["verify", "--id", good.Id, "--json"], Env);
        Assert.Equal(7, verify.ExitCode);
        Assert.Contains("older copy", verify.StdOut + verify.StdErr);
        Assert.Equal(7, (await CliRunner.RunAsync(RestoreArgs(good.Id, db), Env)).ExitCode);
        Assert.Equal("changed", (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 1")).Single());
        Assert.Equal(payload, Payload());

        // Nothing was lost: the current manifest put back, the backup verifies again.
        await File.WriteAllBytesAsync(manifest, current);
        var again = await CliRunner.RunAsync(["verify", "--id", good.Id], Env);
        Assert.True(again.ExitCode == 0, again.StdOut + again.StdErr);
    }

    [PostgresFact]
    public async Task Temp_files_of_a_writer_killed_mid_write_are_removed_by_the_next_listing_or_stale_cleanup()
    {
        var (_, good) = await BackedUpDbAsync();
        var goodFolder = Path.Combine(_repo.Path, "backups", good.Id);
        string Temp(string folder, int pid, TimeSpan age, string file = "manifest.json")
        {
            var p = Path.Combine(folder, $"{file}.{pid}.{Guid.NewGuid().ToString("N")[..8]}.tmp");
            File.WriteAllText(p, "{\"half\": ");
            File.SetLastWriteTimeUtc(p, DateTime.UtcNow - age);
            return p;
        }
        var deadOld = Temp(goodFolder, DeadPid(), TimeSpan.FromMinutes(1));
        var deadJustNow = Temp(goodFolder, DeadPid(), TimeSpan.Zero);   // could be another host's writer mid-write
        var liveRecent = Temp(goodFolder, Environment.ProcessId, TimeSpan.Zero);
        var liveAncient = Temp(goodFolder, Environment.ProcessId, TimeSpan.FromHours(2));
        var restoreFolder = Path.Combine(_repo.Path, "restores", "rs-20260101000000000-abcdef");
        Directory.CreateDirectory(restoreFolder);
        var restoreTemp = Temp(restoreFolder, DeadPid(), TimeSpan.FromMinutes(1), "record.json");

        var list = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Equal([good.Id], JsonSerializer.Deserialize<JsonElement>(list.StdOut).GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
        Assert.Empty(list.StdErr);
        Assert.False(File.Exists(deadOld));
        Assert.False(File.Exists(liveAncient));
        Assert.True(File.Exists(deadJustNow));
        Assert.True(File.Exists(liveRecent));
        _ = _repo.Engine.Repository.ReadAllRestores().ToList();
        Assert.False(File.Exists(restoreTemp));

        // Stale detection of a dead worker's record removes the leftover of its last write.
        const string id = "bk-20260101000000000-dead00";
        var folder = PlantRunningRecord(good, id, id);
        var leftover = Temp(folder, DeadPid(), TimeSpan.FromMinutes(1));
        var status = await CliRunner.RunAsync(["status", "--id", id, "--json"], Env);
        Assert.Equal(0, status.ExitCode);
        Assert.Equal("Failed", JsonSerializer.Deserialize<JsonElement>(status.StdOut).GetProperty("State").GetString());
        Assert.False(File.Exists(leftover));
        Assert.Equal(["manifest.json"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [PostgresFact]
    public async Task Folders_left_renamed_aside_by_a_remove_killed_mid_delete_are_deleted_by_the_next_listing_or_read()
    {
        var (_, good) = await BackedUpDbAsync();
        var backups = Path.Combine(_repo.Path, "backups");
        string Trash(string parent, string name, TimeSpan age)
        {
            var dir = Path.Combine(parent, name);
            Directory.CreateDirectory(Path.Combine(dir, "payload"));
            File.WriteAllText(Path.Combine(dir, "payload", "data.zst"), "the rows of a removed backup");
            Directory.SetLastWriteTimeUtc(dir, DateTime.UtcNow - age);
            return dir;
        }
        // A remove (or prune) killed right after renaming the backup aside: its payload stayed on disk, unlisted, for ever.
        var deadDeleter = Trash(backups, $".bk-20260101000000000-aaaaaa.deleting-{DeadPid()}-0a0a0a0a", TimeSpan.FromMinutes(2));
        var olderFormat = Trash(backups, ".bk-20260101000000000-bbbbbb.deleting-0b0b0b0b", TimeSpan.FromHours(2));
        var liveDeleter = Trash(backups, $".bk-20260101000000000-cccccc.deleting-{Environment.ProcessId}-0c0c0c0c", TimeSpan.FromMinutes(2));
        var justNow = Trash(backups, $".bk-20260101000000000-dddddd.deleting-{DeadPid()}-0d0d0d0d", TimeSpan.Zero);
        // Stale detection removing a dead worker's payload, killed in turn.
        var payloadTrash = Trash(Path.Combine(backups, good.Id), $".payload.deleting-{DeadPid()}-0e0e0e0e", TimeSpan.FromMinutes(2));

        var list = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Equal([good.Id], JsonSerializer.Deserialize<JsonElement>(list.StdOut).GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
        Assert.False(Directory.Exists(deadDeleter));
        Assert.False(Directory.Exists(olderFormat));
        Assert.True(Directory.Exists(liveDeleter));
        Assert.True(Directory.Exists(justNow));
        Assert.Equal(0, (await CliRunner.RunAsync(["status", "--id", good.Id], Env)).ExitCode);
        Assert.False(Directory.Exists(payloadTrash));
        var verify = await CliRunner.RunAsync(["verify", "--id", good.Id], Env);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
