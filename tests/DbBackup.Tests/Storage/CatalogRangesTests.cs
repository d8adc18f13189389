using System.Text;
using Azure.Storage.Blobs;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>The catalog's folder listing split by record month on object stores (CatalogRanges): it must
/// still be the whole listing, so a folder copied in by hand into any month, known or not, appears and
/// one removed by hand goes, as with one listing.</summary>
public sealed class CatalogRangesTests : IDisposable
{
    private readonly int _splitAbove = CatalogRanges.SplitAbove;

    /// <summary>Split from the first record here (a repository of a few records is listed whole, in
    /// one request); only this class changes the limit, and its tests run one at a time.</summary>
    public CatalogRangesTests() => CatalogRanges.SplitAbove = 0;

    public void Dispose() => CatalogRanges.SplitAbove = _splitAbove;

    /// <summary>Why the Azure test is skipped here, if it is.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Folders_copied_in_by_hand_into_old_new_and_unknown_months_appear_and_one_removed_goes_in_memory()
        => await HandCopiedAndRemovedFoldersShowAsync(new InMemoryStore(sameHostOnly: false));

    [StoreFact]
    public async Task Folders_copied_in_by_hand_into_old_new_and_unknown_months_appear_and_one_removed_goes_on_Azure_Blob()
    {
        await new BlobContainerClient(Azurite.ConnectionString, "catalog").CreateIfNotExistsAsync();
        var address = RepositoryAddress.Parse($"azure://catalog/{Guid.NewGuid():N}/repo");
        Func<string, string?> environment = name => name == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null;
        await HandCopiedAndRemovedFoldersShowAsync(await StoreFactory.OpenForWritingAsync(address, environment, None));
    }

    [Fact]
    public void A_month_of_more_records_than_the_limit_is_listed_by_day_and_the_parts_still_meet()
    {
        var ids = new[] { "bk-20250101000000000-aaaaaa", "bk-20250101100000000-bbbbbb", "bk-20250103000000000-cccccc", "bk-20250201000000000-dddddd" };
        var limit = CatalogRanges.MonthLimit;
        CatalogRanges.MonthLimit = 2;
        try
        {
            var ranges = CatalogRanges.Of(ids);
            Assert.Equal(
                ["<bk-20250101", "bk-20250101", "bk-20250102<bk-20250103", "bk-20250103", "bk-20250104<bk-202502", "bk-202502", "bk-202503<"],
                ranges.Select(r => r.NamePrefix.Length > 0 ? r.NamePrefix : $"{r.From}<{r.Before}"));
        }
        finally { CatalogRanges.MonthLimit = limit; }
    }

    [Fact]
    public async Task A_local_folder_listed_by_record_month_names_every_folder_exactly_once()
    {
        var root = Path.Combine(Path.GetTempPath(), "dbbackup-ranges-" + Guid.NewGuid().ToString("N")[..10]);
        try { await SplitListingIsTheWholeListingAsync(new LocalFolderStore(root)); }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task A_memory_store_listed_by_record_month_names_every_folder_exactly_once()
        => await SplitListingIsTheWholeListingAsync(new InMemoryStore());

    /// <summary>Folders of known months, unknown months and names no id has, listed split as the catalog
    /// lists them (<see cref="CatalogRanges.Of"/>): every folder exactly once, as the whole listing has them.
    /// Run on every driver (here for local and in-memory, by <see cref="StoreContractTests"/> for Azure and S3).</summary>
    internal static async Task SplitListingIsTheWholeListingAsync(IRepositoryStore store)
    {
        // Records of three months the catalog knows, with a gap (March) and a new year between them, and
        // folders it does not know: of a known month, of a month before, between and after them, and
        // names no id has that sort right at the ranges' edges ('-' and '.' sort before '/').
        var known = new[] { "bk-20250105000000000-aaaaaa", "bk-20250130000000000-bbbbbb", "bk-20250214000000000-cccccc", "bk-20260401000000000-dddddd" };
        var unknown = new[]
        {
            "bk-20250117000000000-eeeeee", "bk-20241231235959999-ffffff", "bk-20250301000000000-111111", "bk-20251201000000000-222222",
            "bk-20261101000000000-333333", "bk-2025", "bk-202501", "bk-202502", "bk-202503", "bk-2025-01", "bk-202501.x", "bk-202513",
            "bk-202601", "a", "bk-", "rs-20250105000000000-aaaaaa", "zz",
        };
        var folders = known.Concat(unknown).ToList();
        await Parallel.ForEachAsync(folders, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (f, ct) => await store.TryWriteAsync($"backups/{f}/manifest.json", Encoding.UTF8.GetBytes(f), WriteCondition.None, ct));
        await store.TryWriteAsync("backupsX/bk-20250105000000000-xxxxxx/manifest.json", Encoding.UTF8.GetBytes("beside"), WriteCondition.None, None);

        var ranges = CatalogRanges.Of(known);
        var split = await CatalogRanges.ListAsync(store, "backups/", ranges, None);

        Assert.Equal(6, ranges.Count); // before 2025-01, 2025-01, 2025-02 (no gap: it follows), up to 2026-04, 2026-04, after
        Assert.Equal(folders.Order(StringComparer.Ordinal), split.Order(StringComparer.Ordinal));
        var january = new List<string>();
        await foreach (var f in store.ListFoldersAsync("backups/", new FolderRange("bk-202501", null, null), None)) january.Add(f);
        Assert.Equal(folders.Where(f => f.StartsWith("bk-202501", StringComparison.Ordinal)).Order(StringComparer.Ordinal), january.Order(StringComparer.Ordinal));
    }

    private static BackupRecord At(DateTimeOffset at, string database)
    {
        var record = CatalogTests.NewBackup(0, database);
        record.Id = Ids.NewBackupId(at);
        record.CreatedAt = at;
        return record;
    }

    private static async Task HandCopiedAndRemovedFoldersShowAsync(IRepositoryStore store)
    {
        var repo = new BackupRepository(store);
        await repo.EnsureCreatedAsync(None);
        var months = new[] { (2025, 1), (2025, 2), (2025, 6), (2026, 1) };
        var written = months.SelectMany(m => Enumerable.Range(0, 3).Select(d => At(new DateTimeOffset(m.Item1, m.Item2, 2 + d * 9, 10, 0, 0, TimeSpan.Zero), "shop"))).ToList();
        foreach (var b in written) Assert.True(repo.WriteBackup(b));
        var engine = CatalogTests.EngineOver(repo);
        Assert.Equal(written.Count, engine.ListBackups(new BackupQuery()).TotalCount); // the snapshot now knows four months
        Assert.NotNull(await store.TryReadAsync("catalog/backups.json", None));

        // Copied in as a manifest alone (no journal entry): before every month, into a known one, into
        // a gap between known ones, after the last; and one known backup removed by hand.
        var copied = new[] { new DateTimeOffset(2024, 11, 5, 0, 0, 0, TimeSpan.Zero), new(2025, 2, 27, 0, 0, 0, TimeSpan.Zero), new(2025, 4, 1, 0, 0, 0, TimeSpan.Zero), new(2025, 12, 31, 23, 59, 59, TimeSpan.Zero), new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero) }
            .Select(at => At(at, "copied")).ToList();
        foreach (var b in copied)
            Assert.NotNull(await store.TryWriteAsync(BackupRepository.BackupPrefix(b.Id) + "manifest.json", RecordFile.Serialize(b), WriteCondition.IfAbsent, None));
        var removed = written[4];
        await store.DeletePrefixAsync(BackupRepository.BackupPrefix(removed.Id), None);

        var listed = engine.ListBackups(new BackupQuery());
        Assert.Equal(CatalogTests.FullRead(repo), listed.Items.Select(Json.Write));
        Assert.Equal(copied.Select(b => b.Id).Order(StringComparer.Ordinal), listed.Items.Where(b => b.Database == "copied").Select(b => b.Id).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(listed.Items, b => b.Id == removed.Id);
        Assert.Equal(written.Count - 1 + copied.Count, engine.ListBackups(new BackupQuery { First = 2 }).TotalCount);
    }
}
