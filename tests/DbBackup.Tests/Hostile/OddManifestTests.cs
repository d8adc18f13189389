using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>Manifests of another JSON shape beside good backups: each is reported for its own entry
/// and every command on the other backups keeps working, through the CLI and the engine.</summary>
public sealed class OddManifestTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    private static readonly string[] Shapes =
    [
        "[]", "{\"Id\": 5}", "{}", "\"a string\"", "null", "42", "true",
        "{\"Id\": \"{id}\", \"State\": \"Bogus\"}",
        "{\"Id\": \"{id}\", \"State\": 7}",
        "{\"Id\": \"{id}\", \"Files\": [null]}",
        "{\"Id\": \"{id}\", \"Database\": null}",
        "{\"Id\": \"{id}\", \"Labels\": {\"k\": null}}",
        "{\"Id\": \"{id}\"} trailing",
    ];

    private Dictionary<string, string?> Env => new() { ["PGPASSWORD"] = TestServers.Postgres().Password, ["DBBACKUP_REPOSITORY"] = _repo.Path };

    private async Task<BackupRecord> BackupAsync(string db)
    {
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var done = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        return done;
    }

    private List<string> PlantOddManifests()
    {
        var ids = new List<string>();
        for (var i = 0; i < Shapes.Length; i++)
        {
            var id = $"bk-20250101000000000-{i:x6}";
            var folder = Path.Combine(_repo.Path, "backups", id);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "manifest.json"), Shapes[i].Replace("{id}", id));
            ids.Add(id);
        }
        var restore = Path.Combine(_repo.Path, "restores", "rs-20250101000000000-000000");
        Directory.CreateDirectory(restore);
        File.WriteAllText(Path.Combine(restore, "record.json"), "[]");
        return ids;
    }

    [PostgresFact]
    public async Task Odd_manifests_are_reported_per_entry_and_every_command_keeps_working_on_the_other_backups()
    {
        var db = await TestSql.PgCreateAsync("odd", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);");
        _databases.Add(db);
        var a = await BackupAsync(db);
        var b = await BackupAsync(db);
        var odd = PlantOddManifests();
        var t = TestServers.Postgres();
        string[] server = ["--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName];

        // Engine.
        Assert.Equal([b.Id, a.Id], _repo.Engine.ListBackups(new BackupQuery()).Items.Select(x => x.Id));
        Assert.Equal(odd.Count, _repo.Engine.Repository.DescribeUnreadableBackups().Count());
        Assert.Equal(b.Id, _repo.Engine.GetStatus(DatabaseEngine.PostgreSql, t.Server, t.Port, db).Backup!.Id);
        Assert.Equal(2, _repo.Engine.GetRepositoryInfo().BackupCount);
        Assert.True((await _repo.Engine.VerifyAsync(a.Id, null, CancellationToken.None)).Passed);

        // CLI, every command.
        var list = await CliRunner.RunAsync(["list"], Env);
        Assert.True(list.ExitCode == 0, list.StdErr);
        foreach (var id in odd) Assert.Contains(id, list.StdErr);
        var json = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.True(json.ExitCode == 0, json.StdErr);
        Assert.Equal([b.Id, a.Id], JsonSerializer.Deserialize<JsonElement>(json.StdOut).GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
        var bundle = Path.Combine(_repo.Path, "a.dbbackup");
        var target = TestServers.UniqueName("odd_to");
        _databases.Add(target);
        foreach (var args in new[]
        {
            ["status", "--id", a.Id],
            ["status", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--database", db],
            ["wait", "--id", a.Id],
            ["cancel", "--id", a.Id],
            ["verify", "--id", a.Id],
            ["save", "--id", a.Id, "--path", bundle],
            ["log"],
            ["backup", .. server, "--database", db, "--wait"],
            ["restore", "--id", a.Id, .. server, "--database", db, "--target-database", target, "--wait"],
            ["remove", "--id", b.Id, "--force"],
            ["list", "--database", db],
            new[] { "import", "--path", bundle },
        })
        {
            var run = await CliRunner.RunAsync(args, Env);
            var expected = 0; // import: the bundle's backup is already there with the same manifest, so it is reused
            Assert.True(run.ExitCode == expected, $"{string.Join(' ', args)} → {run.ExitCode}: {run.StdErr}");
        }
        Assert.Equal(["1", "2"], await TestSql.PgColumnAsync(target, "SELECT id::text FROM t ORDER BY id"));

        // The odd entries themselves: a clear InvalidData error at once, and removable with --force.
        foreach (var id in odd)
        {
            var status = await CliRunner.RunAsync(["status", "--id", id], Env);
            Assert.True(status.ExitCode == 7, $"{id}: {status.ExitCode} {status.StdErr}");
            Assert.Contains(Path.Combine(_repo.Path, "backups", id, "manifest.json"), status.StdErr);
        }
        foreach (var id in odd.Take(3))
        {
            var cancel = await CliRunner.RunAsync(["cancel", "--id", id], Env, TimeSpan.FromSeconds(30));
            Assert.Equal(7, cancel.ExitCode);
        }
        var refused = await CliRunner.RunAsync(["remove", "--id", odd[0]], Env);
        Assert.Equal(7, refused.ExitCode);
        Assert.Contains("--force", refused.StdErr);
        Assert.True(Directory.Exists(Path.Combine(_repo.Path, "backups", odd[0])));
        foreach (var id in odd) await _repo.Engine.RemoveAsync(id, force: true, CancellationToken.None);
        Assert.Empty(_repo.Engine.Repository.DescribeUnreadableBackups());
        Assert.Contains(_repo.Engine.ReadActivity(new ActivityQuery { Id = odd[0] }).Items, e => e.Action == "RemovedDamaged");
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
