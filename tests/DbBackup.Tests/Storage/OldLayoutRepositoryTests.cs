using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Storage;

/// <summary>A repository folder laid out as DbBackup wrote it before the storage layer (built here
/// with plain file calls, as README "Repository format" describes it) still lists, verifies,
/// restores and takes new log lines through the local store.</summary>
public sealed class OldLayoutRepositoryTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    [PostgresFact]
    public async Task A_repository_written_in_the_old_layout_lists_verifies_and_restores_the_same_data_as_pg_restore()
    {
        var source = await TestSql.PgCreateAsync("oldlay", """
            CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2));
            INSERT INTO items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 500) g;
            CREATE VIEW cheap AS SELECT * FROM items WHERE price < 10;
            """);
        _databases.Add(source);
        var id = await WriteOldLayoutAsync(source);

        var listed = _repo.Engine.ListBackups(new BackupQuery());
        Assert.Equal([id], listed.Items.Select(b => b.Id));
        Assert.Empty(_repo.Engine.Repository.DescribeUnreadableBackups());
        Assert.Equal(["OldLine"], _repo.Engine.ReadActivity(new ActivityQuery()).Items.Select(e => e.Action));

        var verified = await _repo.Engine.VerifyAsync(id, null, CancellationToken.None);
        Assert.True(verified.Passed, string.Join(" | ", verified.Problems));

        var restored = source + "_r";
        var control = source + "_c";
        _databases.AddRange([restored, control]);
        var restore = await _repo.Engine.StartRestoreAsync(new RestoreOptions { BackupId = id, Target = TestServers.Postgres(source), TargetDatabase = restored }, CancellationToken.None);
        var done = await _repo.WaitAsync<RestoreRecord>(restore.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
        await PostgresCorpusComparison.RestoreControlAsync(source, control);
        await PostgresCorpusComparison.AssertSameAsync(control, restored);

        // New lines go to the same activity.jsonl, after the old one.
        var lines = await File.ReadAllLinesAsync(Path.Combine(_repo.Path, "activity.jsonl"));
        Assert.Equal("OldLine", JsonDocument.Parse(lines[0]).RootElement.GetProperty("Action").GetString());
        Assert.Contains(lines, l => l.Contains("\"RestoreSucceeded\"", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(_repo.Path, "restores", restore.Id, "record.json")));
    }

    /// <summary>Dumps <paramref name="database"/> with the real provider, then lays the repository out
    /// by hand: repository.json, backups/&lt;id&gt;/manifest.json (sealed) + payload/…, activity.jsonl,
    /// empty restores/ and locks/ folders, as EnsureCreated made them.</summary>
    private async Task<string> WriteOldLayoutAsync(string database)
    {
        var provider = ProviderRegistry.For(DatabaseEngine.PostgreSql);
        using var dumped = await DumpedPayload.DumpAsync(provider, new DumpRequest(TestServers.Postgres(database), null, null, null, 2));
        var id = Ids.NewBackupId(DateTimeOffset.UtcNow.AddMinutes(-5));
        var folder = Path.Combine(_repo.Path, "backups", id);
        foreach (var sub in new[] { folder, Path.Combine(_repo.Path, "restores"), Path.Combine(_repo.Path, "locks") }) Directory.CreateDirectory(sub);
        await File.WriteAllTextAsync(Path.Combine(_repo.Path, "repository.json"), """{"FormatVersion": 1, "Settings": {"KeepLast": 10, "MaxRestoreAgeDays": null, "DefaultJobs": null}}""");
        var files = new List<BackupFile>();
        foreach (var f in dumped.Files)
        {
            var target = Path.Combine(folder, "payload", f.Name.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(dumped.Folder, f.Name.Replace('/', Path.DirectorySeparatorChar)), target);
            var bytes = await File.ReadAllBytesAsync(target);
            Assert.Equal(f.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            files.Add(new BackupFile { Name = "payload/" + f.Name, Size = bytes.Length, Sha256 = f.Sha256 });
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var target0 = TestServers.Postgres(database);
        var record = new BackupRecord
        {
            Id = id, Name = "old", Engine = DatabaseEngine.PostgreSql, Server = target0.Server, Port = target0.Port, Database = database,
            UserName = target0.UserName, State = OperationState.Succeeded, StatusMessage = "OK", CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5), CompletedAt = DateTimeOffset.UtcNow.AddMinutes(-4), Kind = BackupKind.Manual,
            Compression = CompressionKind.Gzip, ServerVersion = dumped.Result.ServerVersion, ToolVersion = dumped.Result.ToolVersion,
            FormatVersion = dumped.Result.FormatVersion, Jobs = 2, Files = files, SizeBytes = files.Sum(f => f.Size),
            Sha256 = BackupEngine.FileListHash(files), TableStats = dumped.Result.TableStats.ToList(), Revision = 4,
        };
        await File.WriteAllBytesAsync(Path.Combine(folder, "manifest.json"), RecordFile.Serialize(record));
        await File.WriteAllTextAsync(Path.Combine(_repo.Path, "activity.jsonl"),
            JsonSerializer.Serialize(new ActivityEntry { Time = DateTimeOffset.UtcNow.AddMinutes(-4), Action = "OldLine", Id = id }, Json.Compact) + "\n", Encoding.UTF8);
        return id;
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
