using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>Manifests and restore records are sealed: one flipped bit anywhere in a stored or bundled
/// manifest is caught by verify, import, list and status, and restore refuses before any connection.
/// Manifests written before seals stay readable, with a warning from verify.</summary>
public sealed class ManifestSealTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly TestRepository _other = new();
    private readonly List<string> _databases = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("dbbackup-seal-").FullName;

    private Dictionary<string, string?> Env => new() { ["PGPASSWORD"] = TestServers.Postgres().Password, ["DBBACKUP_REPOSITORY"] = _repo.Path };

    private async Task<BackupRecord> BackedUpAsync()
    {
        var db = await TestSql.PgCreateAsync("seal", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one'), (2, 'two');");
        _databases.Add(db);
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var done = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        return done;
    }

    private string ManifestPath(string id) => Path.Combine(_repo.Path, "backups", id, "manifest.json");

    [PostgresFact]
    public async Task A_flipped_bit_in_the_database_name_fails_verify_and_restore_refuses_before_connecting()
    {
        var b = await BackedUpAsync();
        var path = ManifestPath(b.Id);
        var bytes = await File.ReadAllBytesAsync(path);
        var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes($"\"Database\": \"{b.Database}\"")) + $"\"Database\": \"{b.Database}".Length - 1;
        bytes[at] ^= 0x01;
        var flippedName = b.Database[..^1] + (char)(b.Database[^1] ^ 1);
        await File.WriteAllBytesAsync(path, bytes);

        var verify = await _repo.Engine.VerifyAsync(b.Id, null, CancellationToken.None);
        Assert.False(verify.Passed);
        Assert.Contains(verify.Problems, p => p.Contains("seal does not match") && p.Contains(path));
        var cliVerify = await CliRunner.RunAsync(["verify", "--id", b.Id, "--json"], Env);
        Assert.Equal(7, cliVerify.ExitCode);

        // Port 1: any probe or connection would fail as ConnectionError (exit 5), not as the seal.
        var t = TestServers.Postgres();
        var unreachable = await CliRunner.RunAsync(["restore", "--id", b.Id, "--engine", "postgresql", "--host", t.Server, "--port", "1", "--user", t.UserName, "--wait"], Env);
        Assert.True(unreachable.ExitCode == 7, unreachable.StdErr);
        Assert.Contains("ManifestAltered", unreachable.StdErr);
        var restore = await CliRunner.RunAsync(["restore", "--id", b.Id, "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName, "--wait"], Env);
        Assert.True(restore.ExitCode == 7, restore.StdErr);
        Assert.False(await TestSql.PgExistsAsync(flippedName));
        Assert.Empty(_repo.Engine.Repository.ReadAllRestores());

        var list = await CliRunner.RunAsync(["list", "--json"], Env);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(path, list.StdErr);
        var status = await CliRunner.RunAsync(["status", "--id", b.Id], Env);
        Assert.Equal(7, status.ExitCode);
        Assert.Contains("ManifestAltered", status.StdErr);
    }

    [PostgresFact]
    public async Task Every_single_bit_flip_in_a_stored_manifest_or_restore_record_is_detected()
    {
        var b = await BackedUpAsync();
        var target = TestServers.UniqueName("seal_to");
        _databases.Add(target);
        var rs = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = b.Id, Target = TestServers.Postgres(b.Database), TargetDatabase = target }, CancellationToken.None);
        Assert.Equal(OperationState.Succeeded, (await _repo.WaitAsync<RestoreRecord>(rs.Id)).State);

        foreach (var (path, read) in new (string, Action)[]
        {
            (ManifestPath(b.Id), () => _repo.Engine.Repository.TryReadBackup(b.Id)),
            (Path.Combine(_repo.Path, "restores", rs.Id, "record.json"), () => _repo.Engine.Repository.TryReadRestore(rs.Id)),
        })
        {
            var good = await File.ReadAllBytesAsync(path);
            for (var i = 0; i < good.Length; i++)
            {
                var bad = (byte[])good.Clone();
                bad[i] ^= (byte)(1 << (i % 8));
                await File.WriteAllBytesAsync(path, bad);
                var e = Assert.Throws<DbBackupException>(read);
                Assert.True(e.Kind == ErrorKind.InvalidData, $"{Path.GetFileName(path)} byte {i}: {e.Message}");
            }
            await File.WriteAllBytesAsync(path, good);
            read();
        }
    }

    [PostgresFact]
    public async Task A_bundle_whose_manifest_bytes_were_altered_is_refused_on_import()
    {
        var b = await BackedUpAsync();
        var bundle = Path.Combine(_dir, "b.dbbackup");
        await _repo.Engine.SaveAsync(b.Id, bundle, false, CancellationToken.None);
        var good = await File.ReadAllBytesAsync(bundle);
        var manifest = await File.ReadAllBytesAsync(ManifestPath(b.Id));
        // The bundle's first entry is the stored manifest, byte for byte.
        var start = good.AsSpan().IndexOf(manifest);
        Assert.True(start > 0, "the manifest is stored byte for byte in the bundle");
        var end = start + manifest.Length;
        for (var i = start; i < end; i += 13)
        {
            var bad = (byte[])good.Clone();
            bad[i] ^= (byte)(1 << (i % 8));
            var path = Path.Combine(_dir, "bad.dbbackup");
            await File.WriteAllBytesAsync(path, bad);
            var e = await Assert.ThrowsAsync<DbBackupException>(() => _other.Engine.ImportAsync(path, CancellationToken.None));
            Assert.True(e.Kind == ErrorKind.InvalidData, $"byte {i - start}: {e.ErrorId} {e.Message}");
            var backups = Path.Combine(_other.Path, "backups");
            Assert.True(!Directory.Exists(backups) || !Directory.EnumerateFileSystemEntries(backups).Any(), "nothing imported");
        }
        Assert.Equal(b.Id, (await _other.Engine.ImportAsync(bundle, CancellationToken.None)).Id);
    }

    [PostgresFact]
    public async Task A_manifest_written_before_seals_is_read_and_verify_passes_with_a_warning()
    {
        var b = await BackedUpAsync();
        var path = ManifestPath(b.Id);
        var node = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        Assert.True(node.Remove(RecordFile.SealProperty));
        await File.WriteAllTextAsync(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        Assert.Equal(b.Database, _repo.Engine.GetBackup(b.Id).Database);
        var verify = await _repo.Engine.VerifyAsync(b.Id, null, CancellationToken.None);
        Assert.True(verify.Passed, string.Join("; ", verify.Problems));
        Assert.Contains(verify.Warnings, w => w.Contains("no seal"));
        var cli = await CliRunner.RunAsync(["verify", "--id", b.Id], Env);
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("warning", cli.StdOut);

        // A damaged key in an unsealed manifest (the seal's own, say) is damage, not a downgrade.
        node["Sdal"] = new string('0', 64);
        await File.WriteAllTextAsync(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var e = Assert.Throws<DbBackupException>(() => _repo.Engine.GetBackup(b.Id));
        Assert.Contains("Sdal", e.Message);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
        _other.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
