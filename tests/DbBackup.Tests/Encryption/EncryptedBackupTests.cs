using System.Security.Cryptography;
using System.Text;
using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Encryption;

/// <summary>Encrypted backups through the engine and real workers against PostgreSQL and MariaDB: round
/// trips compare the data, the stored bytes hold neither a known row value nor the key, a missing or
/// wrong key is refused before the target is touched, and bundles stay encrypted.</summary>
[Collection(EncryptionKeyCollection.Name)]
public sealed class EncryptedBackupTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly TestRepository _other = new();
    private readonly KeyEnvironment _env = new();
    private readonly List<string> _pg = [];
    private readonly List<string> _my = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("dbbackup-crypt-").FullName;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _wrongKey = RandomNumberGenerator.GetBytes(32);
    // A row value to look for in the stored bytes (payloads are stored uncompressed here, so an
    // unencrypted backup would show it).
    private readonly string _needle = "needle-" + Guid.NewGuid().ToString("N");

    private string Key => Convert.ToBase64String(_key);
    private string WrongKey => Convert.ToBase64String(_wrongKey);

    private string PgSchema => $"""
        CREATE TABLE notes (id int PRIMARY KEY, body text, data bytea, at timestamptz);
        INSERT INTO notes SELECT g, '{_needle} ' || g, decode(md5(g::text), 'hex'), '2026-01-01'::timestamptz + g * interval '1 hour' FROM generate_series(1, 2000) g;
        CREATE VIEW recent AS SELECT id, body FROM notes WHERE id > 1990;
        """;

    private const string PgRows = "SELECT md5(string_agg(n::text, ',' ORDER BY id)) FROM notes n";

    private EncryptionMode RequireEncryption(TestRepository repo)
    {
        _env.Set(Key);
        return repo.Engine.UpdateSettings(s => { s.Encryption = EncryptionMode.Required; s.EncryptionKeyId = null; }).Settings.Encryption;
    }

    private async Task<string> PgDatabaseAsync()
    {
        var db = await TestSql.PgCreateAsync("crypt", PgSchema);
        _pg.Add(db);
        return db;
    }

    private string NewPgName() { var n = TestServers.UniqueName("crypt_to"); _pg.Add(n); return n; }

    private static async Task<BackupRecord> BackupAsync(TestRepository repo, ConnectionTarget target)
    {
        var r = await repo.Engine.StartBackupAsync(new BackupOptions { Target = target, Compression = CompressionKind.None }, CancellationToken.None);
        var done = await repo.WaitAsync<BackupRecord>(r.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        return done;
    }

    private static async Task<RestoreRecord> RestoreAsync(TestRepository repo, RestoreOptions options)
    {
        var r = await repo.Engine.StartRestoreAsync(options, CancellationToken.None);
        var done = await repo.WaitAsync<RestoreRecord>(r.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        return done;
    }

    private static bool Holds(string path, string text) => File.ReadAllBytes(path).AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static IEnumerable<string> FilesOf(string folder) => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories);

    /// <summary>Neither key, in base64 or raw, anywhere in the repository (manifests, settings, activity log, payload).
    /// Reads once every worker has exited: a worker goes on (catalog journal, retention) after its record
    /// turns final, and a temporary file it is writing cannot be opened (seen on a loaded machine).</summary>
    private async Task AssertNoKeyInAsync(string folder)
    {
        var workers = _repo.Engine.Repository.ReadAllBackups().Select(b => b.WorkerProcessId)
            .Concat(_repo.Engine.Repository.ReadAllRestores().Select(r => r.WorkerProcessId)).OfType<int>();
        foreach (var pid in workers.Distinct()) await Hostile.PausingWorkers.ExitedAsync(pid);
        foreach (var f in FilesOf(folder))
        {
            var bytes = File.ReadAllBytes(f);
            foreach (var k in new[] { _key, _wrongKey })
            {
                Assert.True(bytes.AsSpan().IndexOf(k) < 0, $"{f} holds a key's bytes");
                Assert.False(Holds(f, Convert.ToBase64String(k)), $"{f} holds a key in base64");
            }
        }
    }

    private void AssertNoKeyInText(string message)
    {
        Assert.DoesNotContain(Key, message);
        Assert.DoesNotContain(WrongKey, message);
    }

    [PostgresFact]
    public async Task PostgreSql_encrypted_backup_restores_the_same_database_and_stores_neither_plaintext_nor_the_key()
    {
        Assert.Equal(EncryptionMode.Required, RequireEncryption(_repo));
        var db = await PgDatabaseAsync();
        var backup = await BackupAsync(_repo, TestServers.Postgres(db));
        Assert.Equal(EncryptionKey.IdOf(_key), backup.Encryption?.KeyId);
        Assert.Equal(BackupEngine.EncryptedFormatVersion, backup.FormatVersion);

        var payload = FilesOf(Path.Combine(_repo.Path, "backups", backup.Id, "payload")).ToList();
        Assert.Equal(backup.Files.Count, payload.Count);
        Assert.DoesNotContain(payload, f => Holds(f, _needle));
        await AssertNoKeyInAsync(_repo.Path);
        // The control: the same database backed up unencrypted shows the value, so the search finds it.
        _env.Set(null);
        var plain = await BackupAsync(_other, TestServers.Postgres(db));
        Assert.Null(plain.Encryption);
        Assert.Contains(FilesOf(Path.Combine(_other.Path, "backups", plain.Id)), f => Holds(f, _needle));

        _env.Set(Key);
        var verify = await _repo.Engine.VerifyAsync(backup.Id, null, CancellationToken.None);
        Assert.True(verify.Passed, string.Join("; ", verify.Problems));
        Assert.Empty(verify.Warnings);
        var target = NewPgName();
        await RestoreAsync(_repo, new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = target });
        await PostgresComparison.AssertSameAsync(db, target);
        await AssertNoKeyInAsync(_repo.Path);
    }

    [MySqlFact]
    public async Task MariaDb_encrypted_backup_restores_the_same_rows_and_objects()
    {
        RequireEncryption(_repo);
        var db = await TestSql.MyCreateAsync("crypt", $"""
            CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100), price DOUBLE, data BLOB);
            INSERT INTO items VALUES (1, '{_needle}', 0.1, X'00FF'), (2, 'tea ☕', 1e300, NULL), (3, NULL, -0.0, X'');
            CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 1;
            """);
        _my.Add(db);
        var backup = await BackupAsync(_repo, TestServers.MySql(db));
        Assert.NotNull(backup.Encryption);
        Assert.DoesNotContain(FilesOf(Path.Combine(_repo.Path, "backups", backup.Id)), f => Holds(f, _needle));

        var target = TestServers.UniqueName("crypt_to");
        _my.Add(target);
        await RestoreAsync(_repo, new RestoreOptions { BackupId = backup.Id, Target = TestServers.MySql(db), TargetDatabase = target });
        await using var helper = await MySql.MySqlTestDatabase.CreateAsync();
        Assert.Equal(await helper.SnapshotAsync(db), await helper.SnapshotAsync(target));
        Assert.Equal(await helper.InventoryAsync(db), await helper.InventoryAsync(target));
        Assert.Contains(_needle, (await TestSql.MyExecAsync(target, "SELECT name FROM items WHERE id = 1")).Trim());
    }

    [PostgresFact]
    public async Task Without_the_key_or_with_another_key_restore_verify_and_backup_are_refused_before_anything_is_touched()
    {
        RequireEncryption(_repo);
        var db = await PgDatabaseAsync();
        var backup = await BackupAsync(_repo, TestServers.Postgres(db));
        await TestSql.PgExecAsync(db, "DELETE FROM notes WHERE id > 1000; UPDATE notes SET body = 'changed' WHERE id = 1");
        var before = await TestSql.PgColumnAsync(db, PgRows);
        var keyId = EncryptionKey.IdOf(_key);
        var errors = new List<DbBackupException>();

        foreach (var (key, expected) in new[] { (WrongKey, "EncryptionKeyMismatch"), ((string?)null, "EncryptionKeyMissing") })
        {
            _env.Set(key);
            var refused = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartRestoreAsync(
                new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true }, CancellationToken.None));
            Assert.Equal(expected, refused.ErrorId);
            Assert.Equal(ErrorKind.AuthenticationError, refused.Kind);
            Assert.Contains(keyId, refused.Message);
            Assert.Contains(EncryptionKey.Variable, refused.Message);
            Assert.Contains(EncryptionKey.FileVariable, refused.Message);
            errors.Add(refused);
            errors.Add(await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.VerifyAsync(backup.Id, TestServers.Postgres(), CancellationToken.None)));
            errors.Add(await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None)));
            Assert.Equal(expected, errors[^1].ErrorId);
        }
        Assert.Equal(before, await TestSql.PgColumnAsync(db, PgRows));
        Assert.Empty(_repo.Engine.ListRestores(new RestoreQuery()).Items);
        Assert.Single(_repo.Engine.ListBackups(new BackupQuery()).Items);
        Assert.All(errors, e => AssertNoKeyInText(e.Message));

        // Without a key, a plain verify still checks the stored checksums and says what it could not check.
        var verify = await _repo.Engine.VerifyAsync(backup.Id, null, CancellationToken.None);
        Assert.True(verify.Passed, string.Join("; ", verify.Problems));
        Assert.Contains(verify.Warnings, w => w.Contains(keyId));

        // With the key, over the live database: the safety backup taken first is encrypted too.
        _env.Set(Key);
        var done = await RestoreAsync(_repo, new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true });
        Assert.NotEqual(before, await TestSql.PgColumnAsync(db, PgRows));
        var safety = _repo.Engine.GetBackup(done.SafetyBackupId!);
        Assert.Equal(keyId, safety.Encryption?.KeyId);
        var aside = NewPgName();
        await RestoreAsync(_repo, new RestoreOptions { BackupId = safety.Id, Target = TestServers.Postgres(db), TargetDatabase = aside });
        Assert.Equal(before, await TestSql.PgColumnAsync(aside, PgRows));
        await AssertNoKeyInAsync(_repo.Path);
    }

    [PostgresFact]
    public async Task An_encrypted_bundle_stays_encrypted_and_restores_elsewhere_only_with_the_key()
    {
        RequireEncryption(_repo);
        var db = await PgDatabaseAsync();
        var backup = await BackupAsync(_repo, TestServers.Postgres(db));
        var bundle = Path.Combine(_dir, "notes.dbbackup");
        await _repo.Engine.SaveAsync(backup.Id, bundle, force: false, CancellationToken.None);
        Assert.False(Holds(bundle, _needle));
        Assert.False(Holds(bundle, Key));

        // Another repository, which does not require encryption, and a host without the key.
        _env.Set(null);
        var target = NewPgName();
        var refused = await Assert.ThrowsAsync<DbBackupException>(() => _other.Engine.StartRestoreAsync(
            new RestoreOptions { BundlePath = bundle, Target = TestServers.Postgres(db), TargetDatabase = target }, CancellationToken.None));
        Assert.Equal("EncryptionKeyMissing", refused.ErrorId);
        Assert.False(await TestSql.PgExistsAsync(target));
        Assert.Empty(_other.Engine.ListBackups(new BackupQuery()).Items);

        _env.Set(Key);
        await RestoreAsync(_other, new RestoreOptions { BundlePath = bundle, Target = TestServers.Postgres(db), TargetDatabase = target });
        await PostgresComparison.AssertSameAsync(db, target);
        Assert.Equal(backup.Encryption!.WrappedDataKey, _other.Engine.GetBackup(backup.Id).Encryption!.WrappedDataKey);
    }

    [Fact]
    public async Task The_cli_requires_encryption_only_with_a_key_and_records_its_id_never_the_key()
    {
        var refused = await CliRunner.RunAsync(["repository", "set", "--encryption", "required", "--repository", _repo.Path],
            new Dictionary<string, string?> { [EncryptionKey.Variable] = null, [EncryptionKey.FileVariable] = null });
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("EncryptionKeyMissing", refused.StdErr);

        var set = await CliRunner.RunAsync(["repository", "set", "--encryption", "required", "--repository", _repo.Path],
            new Dictionary<string, string?> { [EncryptionKey.Variable] = Key, [EncryptionKey.FileVariable] = null });
        Assert.True(set.ExitCode == 0, set.StdErr);
        Assert.Contains($"Encryption=Required (key {EncryptionKey.IdOf(_key)})", set.StdOut);
        AssertNoKeyInText(set.StdOut + set.StdErr);
        await AssertNoKeyInAsync(_repo.Path);
    }

    public void Dispose()
    {
        _env.Dispose();
        foreach (var d in _pg) TestSql.PgDropAsync(d).GetAwaiter().GetResult();
        foreach (var d in _my) TestSql.MyDropAsync(d).GetAwaiter().GetResult();
        _repo.Dispose();
        _other.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
