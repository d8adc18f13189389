using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Lifecycle;

/// <summary>Copying backups between repositories (local folders here; across Azurite and s3rver in
/// CopyAcrossStoresTests): what is kept, what is refused, and that a failure leaves nothing behind.</summary>
public sealed class BackupCopyTests : IDisposable
{
    private readonly TestRepository _source = new();
    private readonly TestRepository _destination = new();
    private readonly List<string> _databases = [];

    private async Task<BackupRecord> BackupAsync()
    {
        var db = await TestSql.PgCreateAsync("copy", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g; CREATE TABLE u (k text PRIMARY KEY); INSERT INTO u VALUES ('a'), ('b');");
        _databases.Add(db);
        var started = await _source.Engine.StartBackupAsync(new BackupOptions
        {
            Target = TestServers.Postgres(db),
            Labels = new Dictionary<string, string> { ["env"] = "prod", ["site"] = "eu" },
            Note = "before release 4.2",
        }, CancellationToken.None);
        var done = await _source.WaitAsync<BackupRecord>(started.Id);
        Assert.Equal(OperationState.Succeeded, done.State);
        return done;
    }

    private BackupRepository Destination => _destination.Engine.Repository;

    private List<string> DestinationKeys(string id) => StoreSync.Run(async () =>
    {
        var keys = new List<string>();
        await foreach (var e in Destination.Store.ListAsync(BackupRepository.BackupPrefix(id), CancellationToken.None)) keys.Add(e.Key);
        return keys;
    });

    [PostgresFact]
    public async Task A_copy_keeps_the_id_labels_note_and_every_field_and_its_seal_verifies_in_the_destination()
    {
        var b = await BackupAsync();
        var result = await _source.Engine.CopyAsync(b.Id, Destination, CancellationToken.None);

        Assert.Equal(CopyOutcome.Copied, result.Outcome);
        Assert.Equal(b.Files.Count, result.FilesCopied);
        Assert.Equal(b.Files.Sum(f => f.Size), result.BytesCopied);
        var (copied, isSealed) = Destination.TryReadBackupSealed(b.Id)!.Value;
        Assert.True(isSealed);
        // Every field, as the source stores it (the seal covers the whole file, so equal bytes).
        Assert.Equal(File.ReadAllBytes(Path.Combine(_source.Path, "backups", b.Id, "manifest.json")), File.ReadAllBytes(Path.Combine(_destination.Path, "backups", b.Id, "manifest.json")));
        Assert.Equal("prod", copied.Labels["env"]);
        Assert.Equal("eu", copied.Labels["site"]);
        Assert.Equal("before release 4.2", copied.Note);
        Assert.Equal(BackupKind.Manual, copied.Kind);
        foreach (var f in b.Files)
            Assert.Equal(File.ReadAllBytes(PayloadPaths.Resolve(Path.Combine(_source.Path, "backups", b.Id), f.Name)), File.ReadAllBytes(PayloadPaths.Resolve(Path.Combine(_destination.Path, "backups", b.Id), f.Name)));
        var verified = await _destination.Engine.VerifyAsync(b.Id, null, CancellationToken.None);
        Assert.True(verified.Passed, string.Join("; ", verified.Problems));
        Assert.Empty(verified.Warnings);
        var logged = Assert.Single(_destination.Engine.ReadActivity(new ActivityQuery { Id = b.Id }).Items, e => e.Action == "Copied");
        Assert.Contains(_source.Path, logged.Message);
        // The copy lock is gone once the copy ended.
        Assert.False(Directory.Exists(Path.Combine(_destination.Path, "locks")) && Directory.EnumerateFiles(Path.Combine(_destination.Path, "locks"), "copy-*").Any());
    }

    [PostgresFact]
    public async Task A_second_copy_skips_the_backup_and_writes_nothing()
    {
        var b = await BackupAsync();
        await _source.Engine.CopyAsync(b.Id, Destination, CancellationToken.None);
        var manifest = Path.Combine(_destination.Path, "backups", b.Id, "manifest.json");
        var written = File.GetLastWriteTimeUtc(manifest);

        var again = await _source.Engine.CopyAsync(b.Id, Destination, CancellationToken.None);

        Assert.Equal(CopyOutcome.Skipped, again.Outcome);
        Assert.Equal(0, again.FilesCopied);
        Assert.Equal(b.Id, again.Record.Id);
        Assert.Equal(written, File.GetLastWriteTimeUtc(manifest));
        Assert.Single(_destination.Engine.ReadActivity(new ActivityQuery { Id = b.Id }).Items, e => e.Action == "Copied");
    }

    [PostgresFact]
    public async Task A_corrupted_source_file_fails_the_copy_naming_it_and_leaves_nothing_in_the_destination()
    {
        var b = await BackupAsync();
        var damaged = b.Files.OrderByDescending(f => f.Size).First();
        var path = PayloadPaths.Resolve(Path.Combine(_source.Path, "backups", b.Id), damaged.Name);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40; // same size: only the SHA-256 can tell
        File.WriteAllBytes(path, bytes);

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _source.Engine.CopyAsync(b.Id, Destination, CancellationToken.None));

        Assert.Equal("ChecksumMismatch", e.ErrorId);
        Assert.Contains(damaged.Name, e.Message);
        Assert.Contains("nothing of it was left in", e.Message);
        Assert.Empty(DestinationKeys(b.Id));
        Assert.Empty(_destination.Engine.ListBackups(new BackupQuery()).Items);
    }

    [Theory]
    [InlineData(OperationState.Running)]
    [InlineData(OperationState.Failed)]
    public async Task A_backup_that_has_not_succeeded_is_refused(OperationState state)
    {
        var now = DateTimeOffset.UtcNow;
        var record = new BackupRecord
        {
            Id = Ids.NewBackupId(now), Engine = DatabaseEngine.PostgreSql, Server = "127.0.0.1", Port = 5432, Database = "shop",
            State = state, StatusMessage = state == OperationState.Failed ? "pg_dump failed" : "Dumping", CreatedAt = now, StartedAt = now,
            // A live worker (this process), so the running record is not judged stale.
            WorkerProcessId = Environment.ProcessId, WorkerHost = Environment.MachineName, HeartbeatAt = now,
        };
        Assert.True(_source.Engine.Repository.WriteBackup(record));

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _source.Engine.CopyAsync(record.Id, Destination, CancellationToken.None));

        Assert.Equal("BackupNotCopyable", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Contains($"Backup {record.Id} is {state}", e.Message);
        Assert.Contains("only Succeeded backups can be copied", e.Message);
        Assert.Empty(DestinationKeys(record.Id));
    }

    [PostgresFact]
    public async Task A_different_backup_under_the_same_id_in_the_destination_is_refused_and_kept()
    {
        var b = await BackupAsync();
        var other = new BackupRecord
        {
            Id = b.Id, Engine = b.Engine, Server = b.Server, Port = b.Port, Database = "another", State = OperationState.Succeeded,
            CreatedAt = b.CreatedAt, Files = [new BackupFile { Name = "payload/x", Size = 1, Sha256 = new string('0', 64) }],
        };
        Assert.True(Destination.WriteBackup(other));

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _source.Engine.CopyAsync(b.Id, Destination, CancellationToken.None));

        Assert.Equal("BackupAlreadyExists", e.ErrorId);
        Assert.Contains("nothing was copied", e.Message);
        Assert.Equal("another", Destination.TryReadBackup(b.Id)!.Database);
    }

    [PostgresFact]
    public async Task Concurrent_copies_of_one_backup_into_one_destination_store_it_once_and_whole()
    {
        var b = await BackupAsync();
        var copies = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            // Each copy its own engine and repository objects, as separate processes would have.
            var engine = new BackupEngine(_source.Path, TestRepository.Launcher);
            try { return (await engine.CopyAsync(b.Id, new BackupRepository(_destination.Path), CancellationToken.None)).Outcome.ToString(); }
            catch (DbBackupException e) { return e.ErrorId; }
        })).ToList();
        var outcomes = await Task.WhenAll(copies);

        Assert.Single(outcomes, o => o == "Copied");
        Assert.All(outcomes, o => Assert.Contains(o, new[] { "Copied", "Skipped", "BackupCopyInProgress" }));
        var verified = await _destination.Engine.VerifyAsync(b.Id, null, CancellationToken.None);
        Assert.True(verified.Passed, string.Join("; ", verified.Problems));
    }

    [PostgresFact]
    public async Task A_live_copy_lock_refuses_a_second_copy_and_a_dead_holders_lock_is_broken()
    {
        var b = await BackupAsync();
        var key = "copy-" + b.Id;
        LockOwner Holder(int pid) => new() { OperationId = "copy-elsewhere", ProcessId = pid, Host = Environment.MachineName, AcquiredAt = DateTimeOffset.UtcNow, Target = "copy of backup " + b.Id };
        Assert.Null(TargetLock.TryAcquire(Destination, key, Holder(Environment.ProcessId)));

        var busy = await Assert.ThrowsAsync<DbBackupException>(() => _source.Engine.CopyAsync(b.Id, Destination, CancellationToken.None));
        Assert.Equal("BackupCopyInProgress", busy.ErrorId);
        Assert.Contains($"process {Environment.ProcessId}", busy.Message);
        Assert.Empty(DestinationKeys(b.Id));

        // The holder dies (a killed copy): its pid is gone, so the next copy breaks the lock and runs.
        TargetLock.Release(Destination, key, "copy-elsewhere");
        using (var gone = System.Diagnostics.Process.Start("true")!)
        {
            await gone.WaitForExitAsync();
            Assert.Null(TargetLock.TryAcquire(Destination, key, Holder(gone.Id)));
        }
        Assert.Equal(CopyOutcome.Copied, (await _source.Engine.CopyAsync(b.Id, Destination, CancellationToken.None)).Outcome);
        Assert.Null(TargetLock.Read(Destination, key));
    }

    [PostgresFact]
    public async Task A_source_backup_removed_during_the_copy_fails_it_and_leaves_nothing_in_the_destination()
    {
        var b = await BackupAsync();
        var opened = 0;
        // The source removes the backup (as a concurrent Remove-DbBackup would) once the copy has
        // streamed its first file and is opening the second.
        var store = new OnOpenStore((LocalFolderStore)StoreFactory.Open(RepositoryAddress.Parse(_source.Path)), async () =>
        {
            if (Interlocked.Increment(ref opened) == 2) await _source.Engine.RemoveAsync(b.Id, force: true, CancellationToken.None);
        });
        var copying = new BackupEngine(new BackupRepository(store), TestRepository.Launcher, ProviderRegistry.For);

        var e = await Assert.ThrowsAsync<DbBackupException>(() => copying.CopyAsync(b.Id, Destination, CancellationToken.None));

        Assert.Equal("BackupRemovedDuringCopy", e.ErrorId);
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Empty(DestinationKeys(b.Id));
        Assert.Empty(_destination.Engine.ListBackups(new BackupQuery()).Items);
    }

    [PostgresFact]
    public async Task The_filter_form_takes_the_newest_succeeded_backups_and_a_filter_matching_none_is_an_error()
    {
        var b = await BackupAsync();
        var older = await _source.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(b.Database) }, CancellationToken.None);
        await _source.WaitAsync<BackupRecord>(older.Id);
        var newest = _source.Engine.SelectBackupsToCopy(new BackupQuery { Database = [b.Database], First = 1 });
        Assert.Equal(older.Id, Assert.Single(newest).Id); // started last, so the newest

        var none = Assert.Throws<DbBackupException>(() => _source.Engine.SelectBackupsToCopy(new BackupQuery { Database = ["no_such_db_*"] }));
        Assert.Equal("NoBackupToCopy", none.ErrorId);
        Assert.Equal(ErrorKind.NotFound, none.Kind);
    }

    [PostgresFact]
    public async Task The_CLI_reports_each_failed_backup_copies_the_others_and_exits_with_the_worst_code()
    {
        var b = await BackupAsync();
        var now = DateTimeOffset.UtcNow;
        var failed = new BackupRecord { Id = Ids.NewBackupId(now), State = OperationState.Failed, StatusMessage = "pg_dump failed", CreatedAt = now, Database = "shop" };
        Assert.True(_source.Engine.Repository.WriteBackup(failed));
        var env = new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = _source.Path };

        var run = await CliRunner.RunAsync(["copy", "--id", failed.Id, "--id", b.Id, "--to", _destination.Path, "--json"], env);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains($"dbbackup: BackupNotCopyable: {failed.Id}: Backup {failed.Id} is Failed", run.StdErr);
        var copied = Assert.Single(System.Text.Json.JsonDocument.Parse(run.StdOut).RootElement.EnumerateArray());
        Assert.Equal(b.Id, copied.GetProperty("BackupId").GetString());
        Assert.Equal("Copied", copied.GetProperty("Outcome").GetString());
        Assert.Equal("before release 4.2", Destination.TryReadBackup(b.Id)!.Note);
        Assert.Null(Destination.TryReadBackup(failed.Id));

        var both = await CliRunner.RunAsync(["copy", "--id", b.Id, "--database", "shop", "--to", _destination.Path], env);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("CopyIdWithFilter", both.StdErr);
        var none = await CliRunner.RunAsync(["copy", "--database", "no_such_db", "--to", _destination.Path], env);
        Assert.Equal(3, none.ExitCode);
        Assert.Contains("NoBackupToCopy", none.StdErr);
    }

    [Fact]
    public async Task Copying_into_the_repository_itself_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        var record = new BackupRecord { Id = Ids.NewBackupId(now), State = OperationState.Succeeded, CreatedAt = now, Database = "shop" };
        Assert.True(_source.Engine.Repository.WriteBackup(record));
        var e = await Assert.ThrowsAsync<DbBackupException>(() => _source.Engine.CopyAsync(record.Id, new BackupRepository(_source.Path), CancellationToken.None));
        Assert.Equal("CopySameRepository", e.ErrorId);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _source.Dispose();
        _destination.Dispose();
    }

    /// <summary>A local folder store that runs <paramref name="beforeOpen"/> before each streaming read.</summary>
    private sealed class OnOpenStore(LocalFolderStore inner, Func<Task> beforeOpen) : IRepositoryStore
    {
        private IRepositoryStore Inner => inner;
        public string Location => inner.Location;
        public StoreFeatures Features => inner.Features;
        public Task<StoredObject?> TryReadAsync(string key, CancellationToken ct) => inner.TryReadAsync(key, ct);
        public Task<string?> TryWriteAsync(string key, ReadOnlyMemory<byte> content, WriteCondition condition, CancellationToken ct) => inner.TryWriteAsync(key, content, condition, ct);
        public async Task<Stream> OpenReadAsync(string key, CancellationToken ct)
        {
            await beforeOpen();
            return await inner.OpenReadAsync(key, ct);
        }
        public Task<StoreUpload> CreateAsync(string key, CancellationToken ct) => inner.CreateAsync(key, ct);
        public Task AppendAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct) => inner.AppendAsync(key, content, ct);
        public Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken ct) => inner.DeleteAsync(key, ifVersion, ct);
        public IAsyncEnumerable<StoreEntry> ListAsync(string prefix, CancellationToken ct) => inner.ListAsync(prefix, ct);
        public Task DeletePrefixAsync(string prefix, CancellationToken ct) => Inner.DeletePrefixAsync(prefix, ct);
        public IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken ct) => Inner.ListFoldersAsync(prefix, ct);
    }
}
