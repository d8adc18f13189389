using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>A MySQL worker killed with kill -9 mid-backup and mid-restore leaves no file holding the
/// password (the client tools used to read it from a 0600 option file that a dead worker could not
/// delete), and the password is never on a client tool's command line. The CLI and its workers run with
/// a private TMPDIR, so only their own temp files are searched.</summary>
public sealed class MySqlKilledWorkerSecretTests : IAsyncLifetime
{
    private readonly TestRepository _repo = new();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "dbb-mykill-" + Guid.NewGuid().ToString("N")[..10]);
    private MySqlTestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_temp);
        _db = await MySqlTestDatabase.CreateAsync("dbb_mykill");
        // A million rows (about 200 MB): the record shows Phase "Data" only at a heartbeat, and since the
        // escaped-bytes payload the data phase of 300,000 rows could end before one on an idle machine.
        await _db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY, v TEXT NOT NULL); INSERT INTO t SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_1000000;");
    }

    private static async Task<T> PollAsync<T>(Func<T?> probe, string what) where T : class
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (probe() is { } v) return v;
            await Task.Delay(5);
        }
        throw new TimeoutException("Never saw " + what);
    }

    [MySqlFact]
    public async Task A_worker_killed_mid_backup_or_mid_restore_leaves_no_file_holding_the_password_and_never_shows_it_in_argv()
    {
        var t = _db.Target;
        var password = t.Password!;
        var env = new Dictionary<string, string?> { ["MYSQL_PWD"] = password, ["DBBACKUP_REPOSITORY"] = _repo.Path, ["TMPDIR"] = _temp,
            // No diagnostic pipes in the temp folder: opening a FIFO to search it would block.
            ["DOTNET_EnableDiagnostics"] = "0" };
        string[] common = ["--engine", "mysql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName];
        var seen = new List<string>();

        async Task KillMidDataAsync(Func<OperationRecord?> read)
        {
            // The data moves through the driver inside the worker (no client tool runs in this phase).
            var running = await PollAsync(() => read() is { State: OperationState.Running, WorkerProcessId: { } w, Progress.Phase: "Data" } r
                && ProcessTree.CommandLines(w).Any() ? r : null, "a worker in its data phase");
            var worker = running.WorkerProcessId!.Value;
            seen.AddRange(ProcessTree.CommandLines(worker));
            using (var kill = Process.Start("kill", ["-KILL", worker.ToString()])) await kill.WaitForExitAsync();
            // The orphaned client tool ends on its broken pipe; give it a moment.
            await Task.Delay(500);
        }

        var backup = await CliRunner.RunAsync(["backup", .. common, "--database", _db.Name, "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr);
        var backupId = JsonSerializer.Deserialize<JsonElement>(backup.StdOut).GetProperty("Id").GetString()!;
        await KillMidDataAsync(() => _repo.Engine.Repository.TryReadBackup(backupId));

        var good = await CliRunner.RunAsync(["backup", .. common, "--database", _db.Name, "--wait", "--json"], env);
        Assert.True(good.ExitCode == 0, good.StdErr);
        var goodId = JsonSerializer.Deserialize<JsonElement>(good.StdOut).GetProperty("Id").GetString()!;
        var copy = _db.NewName();
        var restore = await CliRunner.RunAsync(["restore", "--id", goodId, .. common, "--database", _db.Name, "--target-database", copy, "--json"], env);
        Assert.True(restore.ExitCode == 0, restore.StdErr);
        var restoreId = JsonSerializer.Deserialize<JsonElement>(restore.StdOut).GetProperty("Id").GetString()!;
        await KillMidDataAsync(() => _repo.Engine.Repository.TryReadRestore(restoreId));

        // The worker (and any child) was sampled, and none carried the password in its argv.
        Assert.Contains(seen, c => c.Contains("worker", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(seen, c => c.Contains(password, StringComparison.Ordinal));
        var secret = Encoding.UTF8.GetBytes(password);
        foreach (var file in Directory.EnumerateFiles(_temp, "*", SearchOption.AllDirectories).Concat(Directory.EnumerateFiles(_repo.Path, "*", SearchOption.AllDirectories)))
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(file); }
            catch (IOException) { continue; }
            Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"the password is in {file}");
        }
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        _repo.Dispose();
        try { Directory.Delete(_temp, recursive: true); } catch (IOException) { }
    }
}
