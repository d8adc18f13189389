using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>A PostgreSQL restore verifies each payload file while it streams it in (no re-hashing pre-pass):
/// one altered byte in the middle of a data file fails the restore as ChecksumMismatch, naming the file,
/// with the target's data unchanged and no aside or new database left behind.</summary>
public sealed class PostgreSqlStreamedChecksumTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    private const string Fingerprint = "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM t";

    private async Task<(string Db, BackupRecord Backup, string DamagedFile)> DamagedBackupAsync()
    {
        var db = await TestSql.PgCreateAsync("pgstreamck", """
            CREATE TABLE t (id int PRIMARY KEY, v text);
            INSERT INTO t SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 30000) g;
            CREATE TABLE other (id int PRIMARY KEY);
            INSERT INTO other SELECT generate_series(1, 10);
            """);
        _databases.Add(db);
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        // The database moves on after the backup, so "unchanged" is told apart from "restored".
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed after the backup' WHERE id % 100 = 0");

        var file = backup.Files.Where(f => f.Name.StartsWith("payload/data/", StringComparison.Ordinal)).OrderByDescending(f => f.Size).First().Name;
        using (var fs = new FileStream(Path.Combine(_repo.Path, "backups", backup.Id, file), FileMode.Open))
        {
            fs.Position = fs.Length / 2;
            var b = fs.ReadByte();
            fs.Position--;
            fs.WriteByte((byte)(b ^ 0x55));
        }
        return (db, backup, file);
    }

    private async Task<RestoreRecord> RestoreAsync(BackupRecord backup, string db, string? targetDatabase = null, string[]? tables = null)
    {
        var started = await _repo.Engine.StartRestoreAsync(new RestoreOptions
        {
            BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = targetDatabase, Tables = tables ?? [], Force = true,
        }, CancellationToken.None);
        return await _repo.WaitAsync<RestoreRecord>(started.Id);
    }

    private static async Task AssertFailedOnChecksumAsync(RestoreRecord restore, string file)
    {
        Assert.Equal(OperationState.Failed, restore.State);
        Assert.Contains(Path.GetFileName(file), restore.StatusMessage);
        Assert.Contains("damaged", restore.StatusMessage);
        Assert.Contains("SHA-256", restore.StatusMessage);
        Assert.Empty(await TestSql.PgColumnAsync("postgres", $"SELECT datname FROM pg_database WHERE datname LIKE '{restore.Database}\\_\\_restore%'"));
    }

    [PostgresFact]
    public async Task A_byte_altered_in_a_data_file_fails_a_whole_database_restore_and_leaves_the_target_and_no_aside_copy()
    {
        var (db, backup, file) = await DamagedBackupAsync();
        var before = await TestSql.PgColumnAsync(db, Fingerprint);

        var restore = await RestoreAsync(backup, db);

        await AssertFailedOnChecksumAsync(restore, file);
        Assert.Equal(before, await TestSql.PgColumnAsync(db, Fingerprint));
        Assert.Equal("10", (await TestSql.PgColumnAsync(db, "SELECT count(*) FROM other")).Single());
    }

    [PostgresFact]
    public async Task A_byte_altered_in_a_data_file_fails_a_per_table_replacement_without_changing_the_table()
    {
        var (db, backup, file) = await DamagedBackupAsync();
        var before = await TestSql.PgColumnAsync(db, Fingerprint);

        var restore = await RestoreAsync(backup, db, tables: ["t"]);

        await AssertFailedOnChecksumAsync(restore, file);
        Assert.Equal(before, await TestSql.PgColumnAsync(db, Fingerprint));
    }

    [PostgresFact]
    public async Task A_byte_altered_in_a_data_file_fails_a_restore_into_a_new_database_which_is_not_left_behind()
    {
        var (db, backup, file) = await DamagedBackupAsync();
        var copy = db + "_copy";
        _databases.Add(copy);

        var restore = await RestoreAsync(backup, db, targetDatabase: copy);

        await AssertFailedOnChecksumAsync(restore, file);
        Assert.False(await TestSql.PgExistsAsync(copy));
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
