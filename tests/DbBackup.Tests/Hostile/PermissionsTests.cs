using System.Text.Json;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>Everything in the repository, and every bundle written by save, is private to its owner:
/// folders 0700, files 0600 — payload, manifests, locks, activity log, restore records, imports.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PermissionsTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];
    private readonly string _bundleFolder = Path.Combine(Path.GetTempPath(), "dbbackup-bundles-" + Guid.NewGuid().ToString("N")[..8]);

    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [PostgresFact]
    public async Task Repository_folders_are_0700_and_files_0600_including_locks_payload_activity_and_bundles()
    {
        var db = await TestSql.PgCreateAsync("hperm", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 50000) g;");
        _databases.Add(db);
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        // The lock is held from the start until the worker ends.
        var lockFile = Assert.Single(Directory.GetFiles(_repo.Engine.Repository.LocksFolder()));
        Assert.Equal(PrivateFile, File.GetUnixFileMode(lockFile));
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);

        var copy = db + "_copy";
        _databases.Add(copy);
        var restore = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = copy }, CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<RestoreRecord>(restore.Id)).State);

        var cancelled = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        await _repo.Engine.CancelAsync(cancelled.Id, CancellationToken.None);

        Directory.CreateDirectory(_bundleFolder);
        var bundle = Path.Combine(_bundleFolder, "b.dbbackup");
        var env = new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _repo.Path };
        var save = await CliRunner.RunAsync(["save", "--id", backup.Id, "--path", bundle], env);
        Assert.True(save.ExitCode == 0, save.StdErr);
        Assert.Equal(PrivateFile, File.GetUnixFileMode(bundle));
        using var other = new TestRepository();
        var import = await CliRunner.RunAsync(["import", "--path", bundle, "--repository", other.Path], env);
        Assert.True(import.ExitCode == 0, import.StdErr);

        foreach (var root in new[] { _repo.Path, other.Path })
        {
            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
            Assert.Contains(files, f => f.Contains("payload"));
            Assert.Contains(files, f => f.EndsWith("activity.jsonl"));
            Assert.Equal(Folder, File.GetUnixFileMode(root));
            var wrong = Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Where(d => File.GetUnixFileMode(d) != Folder)
                .Concat(files.Where(f => File.GetUnixFileMode(f) != PrivateFile))
                .Select(p => $"{Path.GetRelativePath(root, p)} is {Convert.ToString((int)File.GetUnixFileMode(p), 8)}").ToList();
            Assert.True(wrong.Count == 0, $"in {(root == _repo.Path ? "the repository" : "the import target")}: " + string.Join("; ", wrong) + $" (backup {backup.Id}, cancelled {cancelled.Id})");
        }
        Assert.Contains(Directory.GetFiles(_repo.Path, "*", SearchOption.AllDirectories), f => f.EndsWith("record.json"));
        // The cancel request is gone once the cancellation is recorded (a leftover otherwise).
        Assert.DoesNotContain(Directory.GetFiles(_repo.Path, "*", SearchOption.AllDirectories), f => f.EndsWith("cancel.requested"));
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
        try { Directory.Delete(_bundleFolder, recursive: true); } catch (IOException) { }
    }
}
