using System.Diagnostics;
using System.Text.Json;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>The repository on a 2 MB tmpfs and a database bigger than that: the backup must end
/// Failed saying the disk is full, leave no payload, free the lock, and the next backup elsewhere works.</summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "dbbackup-fulldisk-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _databases = [];
    private readonly TestRepository _roomy = new();
    private bool _mounted;

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {err}");
    }

    private void Mount()
    {
        Directory.CreateDirectory(_mount);
        Run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", _mount);
        _mounted = true;
    }

    /// <summary>Writes <paramref name="path"/> until the disk refuses another byte.</summary>
    private static void FillUp(string path)
    {
        using var fs = new FileStream(path, FileMode.CreateNew);
        var chunk = new byte[4096];
        try { while (true) { fs.Write(chunk); fs.Flush(); } }
        catch (IOException) { }
    }

    [RootPostgresFact]
    public async Task A_backup_onto_a_full_disk_fails_saying_so_leaves_nothing_and_frees_the_lock()
    {
        Mount();
        // 32 random (incompressible) bytes per row: about 6 MB of payload even after gzip.
        var db = await TestSql.PgCreateAsync("hfull", """
            CREATE TABLE blobs (id int PRIMARY KEY, b bytea NOT NULL);
            INSERT INTO blobs SELECT g, decode(md5(random()::text) || md5(random()::text), 'hex') FROM generate_series(1, 200000) g;
            """);
        _databases.Add(db);
        var repoPath = Path.Combine(_mount, "repo");
        var engine = new BackupEngine(repoPath, TestRepository.Launcher);

        var started = await engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db), Jobs = 2 }, CancellationToken.None);
        var done = (BackupRecord)await engine.WaitAsync(started.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);

        Assert.Equal(OperationState.Failed, done.State);
        Assert.Contains("disk is full", done.StatusMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(done.Files);
        Assert.Equal(0, done.SizeBytes);
        var folder = engine.Repository.BackupFolder(done.Id);
        var leftovers = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Where(n => n != "manifest.json").ToList();
        Assert.True(leftovers.Count == 0, "left behind: " + string.Join(", ", leftovers));
        await PausingWorkers.LocksReleasedAsync(engine.Repository.LocksFolder());
        var failedLine = engine.ReadActivity(new ActivityQuery { Id = done.Id }).Items.FirstOrDefault(e => e.Action == "BackupFailed");
        Assert.NotNull(failedLine);
        Assert.True(failedLine!.IsError);

        // Same target, roomy repository: works, and the data is all there.
        var again = await _roomy.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var ok = await _roomy.WaitAsync<BackupRecord>(again.Id);
        Assert.True(ok.State == OperationState.Succeeded, ok.StatusMessage);
        Assert.Contains(ok.TableStats, t => t.Name == "blobs" && t.Rows == 200000);
        // And the tiny repository itself accepts a new backup of a small database once the old one is gone.
        var small = await TestSql.PgCreateAsync("hfull_small", "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);");
        _databases.Add(small);
        var third = await engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(small) }, CancellationToken.None);
        var thirdDone = (BackupRecord)await engine.WaitAsync(third.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None);
        Assert.True(thirdDone.State == OperationState.Succeeded, thirdDone.StatusMessage);
    }

    [RootPostgresFact]
    public async Task On_a_full_disk_list_status_and_verify_work_and_backup_and_save_are_refused_naming_the_disk()
    {
        Mount();
        var db = await TestSql.PgCreateAsync("hfull_list", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;");
        _databases.Add(db);
        var repoPath = Path.Combine(_mount, "repo");
        var env = new Dictionary<string, string?> { ["PGPASSWORD"] = TestServers.Postgres().Password, ["DBBACKUP_REPOSITORY"] = repoPath };
        var t = TestServers.Postgres();
        string[] backup = ["backup", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName, "--database", db, "--wait", "--json"];
        var first = await CliRunner.RunAsync(backup, env);
        Assert.True(first.ExitCode == 0, first.StdErr);
        var id = JsonSerializer.Deserialize<JsonElement>(first.StdOut).GetProperty("Id").GetString()!;
        // The catalog is a cache the next list rebuilds, and writes: on a full disk it cannot.
        Directory.Delete(Path.Combine(repoPath, "catalog"), recursive: true);
        var filler = Path.Combine(_mount, "filler");
        FillUp(filler);

        var list = await CliRunner.RunAsync(["list", "--json"], env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Equal([id], JsonSerializer.Deserialize<JsonElement>(list.StdOut).GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
        var status = await CliRunner.RunAsync(["status", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--database", db, "--json"], env);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Equal(0, (await CliRunner.RunAsync(["status", "--id", id], env)).ExitCode);
        var verify = await CliRunner.RunAsync(["verify", "--id", id], env);
        Assert.True(verify.ExitCode == 0, verify.StdErr);

        var bundle = Path.Combine(_mount, "out.dbbackup");
        var save = await CliRunner.RunAsync(["save", "--id", id, "--path", bundle], env);
        Assert.Equal(10, save.ExitCode);
        Assert.Contains($"DiskFull: The disk is full: writing '{bundle}'", save.StdErr);
        Assert.Equal(["filler", "repo"], Directory.GetFileSystemEntries(_mount).Select(Path.GetFileName).Order());

        var refused = await CliRunner.RunAsync(backup, env);
        Assert.Equal(10, refused.ExitCode);
        Assert.Contains("DiskFull: The disk is full: writing '" + Path.Combine(repoPath, "locks"), refused.StdErr);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(repoPath, "locks")));
        Assert.Equal([id], Directory.GetDirectories(Path.Combine(repoPath, "backups")).Select(Path.GetFileName));

        File.Delete(filler);
        var after = await CliRunner.RunAsync(backup, env);
        Assert.True(after.ExitCode == 0, after.StdErr);
    }

    [RootPostgresFact]
    public async Task A_start_whose_record_cannot_be_written_on_a_full_disk_releases_the_lock_while_its_caller_lives()
    {
        Mount();
        var db = await TestSql.PgCreateAsync("hfull_start", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);");
        _databases.Add(db);
        var engine = new BackupEngine(Path.Combine(_mount, "repo"), TestRepository.Launcher);
        var first = await engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, ((BackupRecord)await engine.WaitAsync(first.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None)).State);
        await PausingWorkers.LocksReleasedAsync(engine.Repository.LocksFolder());
        // One page left: room for the target's lock, none for the record after it.
        var spare = Path.Combine(_mount, "spare");
        File.WriteAllBytes(spare, new byte[4096]);
        FillUp(Path.Combine(_mount, "filler"));
        File.Delete(spare);

        var e = await Assert.ThrowsAsync<DbBackup.Engine.DbBackupException>(() => engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None));
        Assert.Equal("DiskFull", e.ErrorId);
        // This process (the caller, as a pwsh session would be) is alive: a lock it left would refuse every
        // later backup or restore of the database until it exits.
        Assert.Empty(Directory.EnumerateFiles(engine.Repository.LocksFolder()));
        File.Delete(Path.Combine(_mount, "filler"));
        var next = await engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, ((BackupRecord)await engine.WaitAsync(next.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None)).State);
    }

    [RootPostgresFact]
    public async Task A_restore_start_whose_record_cannot_be_written_on_a_full_disk_leaves_no_empty_record_folder()
    {
        Mount();
        var db = await TestSql.PgCreateAsync("hfull_rstart", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);");
        _databases.Add(db);
        var engine = new BackupEngine(Path.Combine(_mount, "repo"), TestRepository.Launcher);
        var backup = await engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, ((BackupRecord)await engine.WaitAsync(backup.Id, TimeSpan.FromMinutes(2), null, CancellationToken.None)).State);
        await PausingWorkers.LocksReleasedAsync(engine.Repository.LocksFolder());
        var restores = Path.Combine(_mount, "repo", "restores");
        var spare = Path.Combine(_mount, "spare");
        File.WriteAllBytes(spare, new byte[4096]);
        FillUp(Path.Combine(_mount, "filler"));
        File.Delete(spare);

        var e = await Assert.ThrowsAsync<DbBackup.Engine.DbBackupException>(() => engine.StartRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true }, CancellationToken.None));
        Assert.Equal("DiskFull", e.ErrorId);
        // The folder made for the record that could not be written goes with it (an empty one would
        // stay for ever, as a record folder without a record).
        Assert.Empty(Directory.Exists(restores) ? Directory.GetFileSystemEntries(restores) : []);
        Assert.Empty(Directory.EnumerateFiles(engine.Repository.LocksFolder()));
        Assert.Equal(["1", "2"], await TestSql.PgColumnAsync(db, "SELECT id FROM t ORDER BY id"));
    }

    [RootPostgresFact]
    public async Task A_restore_from_an_object_store_whose_temp_folder_is_full_fails_naming_that_disk_and_leaves_the_target_untouched()
    {
        if (Storage.Emulators.Azurite.SkipReason is { } skip) throw new InvalidOperationException(skip);
        Mount();
        var db = await TestSql.PgCreateAsync("hfull_tmp", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;");
        _databases.Add(db);
        await new Azure.Storage.Blobs.BlobContainerClient(Storage.Emulators.Azurite.ConnectionString, "lifecycle").CreateIfNotExistsAsync();
        var t = TestServers.Postgres();
        var env = new Dictionary<string, string?>
        {
            ["PGPASSWORD"] = t.Password, ["DBBACKUP_REPOSITORY"] = $"azure://lifecycle/{Guid.NewGuid():N}",
            ["AZURE_STORAGE_CONNECTION_STRING"] = Storage.Emulators.Azurite.ConnectionString,
        };
        string[] server = ["--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName];
        var backup = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var id = JsonSerializer.Deserialize<JsonElement>(backup.StdOut).GetProperty("Id").GetString()!;
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed' WHERE id = 1");
        FillUp(Path.Combine(_mount, "filler"));

        // The restore stages the schema archive in the local temp folder (the repository is in the store).
        var restore = await CliRunner.RunAsync(["restore", "--id", id, .. server, "--database", db, "--force", "--wait", "--json"], new Dictionary<string, string?>(env) { ["TMPDIR"] = _mount });
        Assert.True(restore.ExitCode == 1, restore.StdErr + restore.StdOut);
        var record = JsonSerializer.Deserialize<JsonElement>(restore.StdOut);
        Assert.Equal("Failed", record.GetProperty("State").GetString());
        var message = record.GetProperty("StatusMessage").GetString()!;
        Assert.Contains("A disk is full", message);
        Assert.Contains(_mount, message);
        Assert.Contains("TMPDIR", message);
        // It used to blame the repository's disk, which is Azure's.
        Assert.DoesNotContain("repository's disk is full", message);
        Assert.Equal("changed", (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 1")).Single());
        Assert.Equal("2000", (await TestSql.PgColumnAsync(db, "SELECT count(*) FROM t")).Single());
        Assert.Empty(await TestSql.PgColumnAsync("postgres", $"SELECT datname FROM pg_database WHERE datname LIKE '{db}__restore%'"));
        Assert.Equal(["filler"], Directory.GetFileSystemEntries(_mount).Select(Path.GetFileName));
    }

    [RootPostgresFact]
    public async Task A_backup_whose_final_manifest_cannot_be_written_on_a_full_disk_ends_Failed_and_frees_its_payload()
    {
        Mount();
        var db = await TestSql.PgCreateAsync("hfull_final", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;");
        _databases.Add(db);
        var pause = Directory.CreateTempSubdirectory("dbbackup-fullfinal-").FullName;
        try
        {
            var t = TestServers.Postgres();
            var env = new Dictionary<string, string?> { ["PGPASSWORD"] = t.Password, ["DBBACKUP_REPOSITORY"] = Path.Combine(_mount, "repo") };
            var started = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName, "--database", db, "--json"],
                new Dictionary<string, string?>(env) { [WorkerPausePoints.StepsVariable] = "backup:finishing", [WorkerPausePoints.FolderVariable] = pause });
            Assert.True(started.ExitCode == 0, started.StdErr);
            var id = JsonSerializer.Deserialize<JsonElement>(started.StdOut).GetProperty("Id").GetString()!;
            var marker = WorkerPausePoints.MarkerPath(pause, "backup:finishing");
            var sw = Stopwatch.StartNew();
            while (!File.Exists(marker) && sw.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(20);
            Assert.True(File.Exists(marker), "the worker never finished its payload");
            // The payload is written; the disk fills before the final manifest.
            FillUp(Path.Combine(_mount, "filler"));
            File.Delete(marker);

            var waited = await CliRunner.RunAsync(["wait", "--id", id, "--json"], env);
            Assert.Equal(1, waited.ExitCode);
            var record = JsonSerializer.Deserialize<JsonElement>(waited.StdOut);
            Assert.Equal("Failed", record.GetProperty("State").GetString());
            Assert.Contains("disk is full", record.GetProperty("StatusMessage").GetString()!);
            var folder = Path.Combine(_mount, "repo", "backups", id);
            Assert.Equal(["manifest.json"], Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(_mount, "repo", "locks")));
        }
        finally { Directory.Delete(pause, recursive: true); }
    }

    public void Dispose()
    {
        if (_mounted)
        {
            // Workers may still hold files for a moment; retry the unmount briefly, then lazily.
            for (var i = 0; i < 20; i++)
            {
                try { Run("umount", _mount); _mounted = false; break; }
                catch (InvalidOperationException) { Thread.Sleep(250); }
            }
            if (_mounted) try { Run("umount", "-l", _mount); } catch (InvalidOperationException) { }
        }
        try { Directory.Delete(_mount, recursive: true); } catch (IOException) { }
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _roomy.Dispose();
    }
}
