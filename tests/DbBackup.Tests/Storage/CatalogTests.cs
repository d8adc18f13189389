using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Storage;

/// <summary>The catalog behind list and status: a cache that must always agree with the manifests
/// (missing, damaged, stale, raced), while a list of a large repository reads only its page.</summary>
public sealed class CatalogTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dbbackup-catalog-" + Guid.NewGuid().ToString("N")[..10]);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    internal static BackupRecord NewBackup(int n, string database = "shop", OperationState state = OperationState.Succeeded) => new()
    {
        Id = Ids.NewBackupId(Start.AddMinutes(n)),
        Name = $"b{n}",
        Engine = DatabaseEngine.PostgreSql,
        Server = "db1",
        Port = 5432,
        Database = database,
        UserName = "u",
        State = state,
        Kind = BackupKind.Manual,
        CreatedAt = Start.AddMinutes(n),
        SizeBytes = n,
        Labels = new LabelSet { ["n"] = "0" },
    };

    internal static BackupEngine EngineOver(BackupRepository repo) => new(repo, TestRepository.Launcher, ProviderRegistry.For);

    /// <summary>What the old full read lists for the query, as JSON per record, newest first.</summary>
    internal static List<string> FullRead(BackupRepository repo, Func<BackupRecord, bool>? filter = null)
        => repo.ReadAllBackups().Where(filter ?? (_ => true))
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).Select(Json.Write).ToList();

    private static List<string> Listed(BackupEngine engine, BackupQuery query) => engine.ListBackups(query).Items.Select(Json.Write).ToList();

    private static BackupRepository Seeded(IRepositoryStore store, int count)
    {
        var repo = new BackupRepository(store);
        for (var i = 0; i < count; i++) Assert.True(repo.WriteBackup(NewBackup(i, i % 2 == 0 ? "shop" : "crm")));
        return repo;
    }

    [Fact]
    public void A_missing_or_damaged_catalog_is_rebuilt_from_the_manifests_and_lists_what_they_say()
    {
        var store = new InMemoryStore();
        var repo = Seeded(store, 12);
        var engine = EngineOver(repo);
        Assert.Equal(FullRead(repo), Listed(engine, new BackupQuery()));
        Assert.NotNull(StoreSync.Run(() => store.TryReadAsync("catalog/backups.json", CancellationToken.None)));

        foreach (var damage in new Func<byte[], byte[]>[] { _ => [], b => b[..(b.Length / 2)], b => { var c = b.ToArray(); c[^3] ^= 0x20; return c; } })
        {
            var snapshot = StoreSync.Run(() => store.TryReadAsync("catalog/backups.json", CancellationToken.None))!;
            StoreSync.Run(() => store.TryWriteAsync("catalog/backups.json", damage(snapshot.Content), WriteCondition.None, CancellationToken.None));
            Assert.Equal(FullRead(repo), Listed(engine, new BackupQuery()));
            var rebuilt = StoreSync.Run(() => store.TryReadAsync("catalog/backups.json", CancellationToken.None))!;
            Assert.Equal(12, CatalogFile.TryParse(rebuilt.Content)!.Count);
        }

        Assert.True(StoreSync.Run(() => store.DeleteAsync("catalog/backups.json", null, CancellationToken.None)));
        Assert.Equal(FullRead(repo, b => b.Database == "crm").Take(3), Listed(engine, new BackupQuery { Database = ["crm"], First = 3 }));
        Assert.Equal(12, CatalogFile.TryParse(StoreSync.Run(() => store.TryReadAsync("catalog/backups.json", CancellationToken.None))!.Content)!.Count);
    }

    [Fact]
    public void A_backup_folder_copied_in_by_hand_appears_and_one_removed_by_hand_disappears()
    {
        var repo = Seeded(new LocalFolderStore(_folder), 5);
        var engine = EngineOver(repo);
        Assert.Equal(5, engine.ListBackups(new BackupQuery()).TotalCount); // the catalog now holds five

        var other = Path.Combine(_folder + "-other");
        var copied = NewBackup(100, "copied");
        Assert.True(new BackupRepository(new LocalFolderStore(other)).WriteBackup(copied));
        Directory.CreateDirectory(Path.Combine(_folder, "backups", copied.Id));
        File.Copy(Path.Combine(other, "backups", copied.Id, "manifest.json"), Path.Combine(_folder, "backups", copied.Id, "manifest.json"));
        Directory.Delete(other, recursive: true);
        var removed = repo.ReadAllBackups().First(b => b.Database == "crm");
        Directory.Delete(Path.Combine(_folder, "backups", removed.Id), recursive: true);

        var listed = engine.ListBackups(new BackupQuery());
        Assert.Equal(FullRead(repo), listed.Items.Select(Json.Write));
        Assert.Contains(listed.Items, b => b.Id == copied.Id);
        Assert.DoesNotContain(listed.Items, b => b.Id == removed.Id);
        Assert.Equal(copied.Id, Assert.Single(engine.ListBackups(new BackupQuery { Database = ["copied"] }).Items).Id);
        Assert.Equal(1, engine.ListBackups(new BackupQuery { Database = ["crm"] }).TotalCount);
    }

    [Fact]
    public void A_status_change_hold_and_labels_show_in_the_next_list_and_status()
    {
        var store = new InMemoryStore();
        var repo = Seeded(store, 6);
        var engine = EngineOver(repo);
        var running = NewBackup(50, state: OperationState.Running);
        Assert.True(repo.WriteBackup(running));
        Assert.Equal(running.Id, engine.GetStatus(DatabaseEngine.PostgreSql, "db1", 5432, "shop").RunningId);
        Assert.Equal(running.Id, Assert.Single(engine.ListBackups(new BackupQuery { State = OperationState.Running }).Items).Id);

        running.State = OperationState.Succeeded;
        running.StatusMessage = "OK";
        Assert.True(repo.WriteBackup(running));
        var status = engine.GetStatus(DatabaseEngine.PostgreSql, "db1", 5432, "shop");
        Assert.False(status.Running);
        Assert.Equal((running.Id, OperationState.Succeeded), (status.Backup!.Id, status.Backup.State));
        Assert.Empty(engine.ListBackups(new BackupQuery { State = OperationState.Running }).Items);

        var ended = repo.TryReadBackup(running.Id)!;
        ended.Hold = true;
        ended.Labels["n"] = "changed";
        Assert.True(repo.WriteBackup(ended));
        var found = Assert.Single(engine.ListBackups(new BackupQuery { Labels = new Dictionary<string, string> { ["n"] = "changed" } }).Items);
        Assert.True(found.Hold);
        Assert.Equal(FullRead(repo), Listed(engine, new BackupQuery()));
    }

    [Fact]
    public void A_writer_that_dies_between_manifest_and_catalog_leaves_a_list_that_still_shows_the_manifest()
    {
        var spy = new SpyStore(new InMemoryStore());
        var repo = Seeded(spy, 6);
        var engine = EngineOver(repo);
        Assert.Equal(FullRead(repo), Listed(engine, new BackupQuery()));
        var b = repo.ReadAllBackups().First(x => x.Database == "shop");

        // The entry write after the manifest write fails: only the intent written before it is left.
        spy.FailWrite = key => key.StartsWith("catalog/backups.log/", StringComparison.Ordinal) && key.EndsWith(".json", StringComparison.Ordinal);
        b.State = OperationState.Failed;
        b.Labels["n"] = "moved";
        Assert.True(repo.WriteBackup(b));
        spy.FailWrite = _ => false;

        Assert.Empty(engine.ListBackups(new BackupQuery { State = OperationState.Succeeded, Labels = new Dictionary<string, string> { ["n"] = "moved" } }).Items);
        Assert.Equal(b.Id, Assert.Single(engine.ListBackups(new BackupQuery { State = OperationState.Failed }).Items).Id);
        Assert.Equal(FullRead(repo), Listed(engine, new BackupQuery()));
    }

    [Fact]
    public void A_manifest_changed_behind_the_catalog_s_back_is_listed_as_it_is_and_the_catalog_rebuilt()
    {
        var store = new InMemoryStore();
        var repo = Seeded(store, 6);
        var engine = EngineOver(repo);
        Assert.Equal(FullRead(repo), Listed(engine, new BackupQuery()));

        // An older DbBackup (no catalog) ends a record: the manifest moves on, the catalog hears nothing.
        var b = repo.ReadAllBackups().MaxBy(x => x.CreatedAt)!;
        b.State = OperationState.Failed;
        b.Revision++;
        StoreSync.Run(() => store.TryWriteAsync($"backups/{b.Id}/manifest.json", RecordFile.Serialize(b), WriteCondition.None, CancellationToken.None));

        var first = Assert.Single(engine.ListBackups(new BackupQuery { First = 1 }).Items);
        Assert.Equal((b.Id, OperationState.Failed), (first.Id, first.State));
        Assert.DoesNotContain(engine.ListBackups(new BackupQuery { State = OperationState.Succeeded }).Items, x => x.Id == b.Id);
        Assert.Equal(FullRead(repo), Listed(engine, new BackupQuery()));
    }

    [Fact]
    public async Task Two_writers_changing_records_at_once_lose_nothing_in_memory()
        => await TwoWritersLoseNothingAsync(new InMemoryStore(), null, records: 30, changes: 90);

    [Fact]
    public async Task Two_writers_changing_records_at_once_lose_nothing_in_a_local_folder()
        => await TwoWritersLoseNothingAsync(new LocalFolderStore(_folder), new LocalFolderStore(_folder), records: 20, changes: 70);

    /// <summary>Two repositories over one store (two hosts): one toggles holds, the other changes labels,
    /// each a compare-and-swap retried on conflict, while a third lists (and so folds the journal).
    /// Afterwards every list, filtered by what each writer last wrote, agrees with the manifests.</summary>
    internal static async Task TwoWritersLoseNothingAsync(IRepositoryStore store, IRepositoryStore? second, int records, int changes)
    {
        var seed = Seeded(store, records);
        var ids = seed.ReadAllBackups().Select(b => b.Id).Order(StringComparer.Ordinal).ToList();
        var lister = EngineOver(new BackupRepository(store));
        lister.ListBackups(new BackupQuery());
        var holder = new BackupRepository(store);
        var labeller = new BackupRepository(second ?? store);
        var held = new Dictionary<string, bool>();
        var labels = new Dictionary<string, string>();

        async Task Change(BackupRepository repo, Action<BackupRecord, int> change, int i)
        {
            var id = ids[i * 7 % ids.Count];
            while (true)
            {
                var b = (await repo.TryReadBackupAsync(id, CancellationToken.None))!;
                change(b, i);
                if (await repo.WriteAsync(b, CancellationToken.None)) return;
            }
        }
        using var done = new CancellationTokenSource();
        var listing = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                lister.ListBackups(new BackupQuery { First = 5 });
                await Task.Delay(5);
            }
        });
        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < changes; i++) await Change(holder, (b, n) => held[b.Id] = b.Hold = n % 3 != 0, i); }),
            Task.Run(async () => { for (var i = 0; i < changes; i++) await Change(labeller, (b, n) => labels[b.Id] = b.Labels["n"] = $"v{n}", i); }));
        await done.CancelAsync();
        await listing;

        var check = EngineOver(new BackupRepository(store));
        Assert.Equal(FullRead(seed), Listed(check, new BackupQuery()));
        foreach (var (id, value) in labels)
        {
            var found = check.ListBackups(new BackupQuery { Labels = new Dictionary<string, string> { ["n"] = value } }).Items;
            Assert.Contains(found, b => b.Id == id);
            Assert.All(found, b => Assert.Equal(value, b.Labels["n"]));
        }
        Assert.All(held, h => Assert.Equal(h.Value, seed.TryReadBackup(h.Key)!.Hold));
        // The catalog itself (not only the page's manifests) agrees with every manifest.
        var view = new BackupRepository(store).ReadCatalog<BackupRecord>(trustNothing: false);
        var manifests = seed.ReadAllBackups().ToDictionary(b => b.Id);
        Assert.Equal(manifests.Count, view.Items.Count);
        Assert.All(view.Items, i => Assert.Equal(Json.Write(CatalogEntry.From(manifests[i.Entry.Id])), Json.Write(i.Entry)));
    }

    [Fact]
    public void Ten_thousand_records_list_their_first_page_as_the_full_read_does_reading_only_that_page()
    {
        var spy = new SpyStore(new InMemoryStore());
        var repo = new BackupRepository(spy);
        Parallel.For(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var b = NewBackup(i, i % 10 == 0 ? "crm" : "shop", i % 97 == 0 ? OperationState.Failed : OperationState.Succeeded);
            b.Revision = 1;
            Assert.True(StoreSync.Run(() => repo.TryCreateManifestAsync(b, CancellationToken.None)));
        });
        var engine = EngineOver(repo);
        var first = engine.ListBackups(new BackupQuery { First = 25 }); // cold: folds the journal into a snapshot
        Assert.Equal(10_000, first.TotalCount);
        Assert.Equal(FullRead(repo).Take(25), first.Items.Select(Json.Write));

        var all = FullRead(repo);
        var newestCrm = repo.ReadAllBackups().Where(b => b.Database == "crm").MaxBy(b => b.CreatedAt)!.Id;
        var failedCrmAll = FullRead(repo, b => b.Database == "crm" && b.State == OperationState.Failed);

        spy.Reads.Clear();
        var warm = engine.ListBackups(new BackupQuery { First = 25, Skip = 25 });
        Assert.Equal(25, spy.ManifestReads);
        Assert.Equal(all.Skip(25).Take(25), warm.Items.Select(Json.Write));
        spy.Reads.Clear();
        var failedCrm = engine.ListBackups(new BackupQuery { Database = ["crm"], State = OperationState.Failed, First = 25 });
        Assert.Equal(Math.Min(25, failedCrmAll.Count), spy.ManifestReads);
        Assert.Equal(failedCrmAll.Take(25), failedCrm.Items.Select(Json.Write));
        Assert.Equal(failedCrmAll.Count, failedCrm.TotalCount);
        spy.Reads.Clear();
        var status = engine.GetStatus(DatabaseEngine.PostgreSql, "db1", 5432, "crm");
        Assert.Equal(1, spy.ManifestReads);
        Assert.Equal(newestCrm, status.Backup!.Id);
    }
}
