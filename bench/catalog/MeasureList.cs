using System.Diagnostics;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;

/// <summary>Where a warm list of a repository's backups spends its time, each part by itself, in this
/// process (no process start, no CLI): the folder listing of backups/ whole and split by record month as
/// the catalog lists it on object stores, reading and parsing the snapshot, listing the journal, and
/// reading the 25 manifests of the newest page. Each part three times; prints every time in ms.</summary>
internal static class MeasureList
{
    public static async Task RunAsync(IRepositoryStore store)
    {
        var ct = CancellationToken.None;
        var repo = new BackupRepository(store);
        StoredObject? snapshot = null;
        ParsedCatalog? parsed = null;
        await TimeAsync("snapshot read", async () => { snapshot = await store.TryReadAsync("catalog/backups.json", ct); return $"{snapshot?.Content.Length ?? 0:N0} bytes"; });
        await TimeAsync("snapshot parse", () => { parsed = CatalogFile.TryRead(snapshot!.Content); return Task.FromResult($"{parsed?.Entries.Count ?? -1:N0} entries"); });
        await TimeAsync("listing whole", async () =>
        {
            var n = 0;
            await foreach (var _ in store.ListFoldersAsync("backups/", ct)) n++;
            return $"{n:N0} folders";
        });
        var ranges = CatalogRanges.Of(parsed?.Entries.Select(e => e.Id) ?? []);
        await TimeAsync("listing split", async () => $"{(await CatalogRanges.ListAsync(store, "backups/", ranges, ct)).Count:N0} folders in {ranges.Count} parts");
        await TimeAsync("journal listing", async () =>
        {
            var n = 0;
            await foreach (var _ in store.ListAsync("catalog/backups.log/", ct)) n++;
            return $"{n} objects";
        });
        var page = parsed?.Entries.OrderByDescending(e => e.CreatedAt).Take(25).Select(e => e.Id).ToList() ?? [];
        await TimeAsync("25 manifests", async () =>
        {
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, token) => await repo.TryReadBackupAsync(id, token));
            return $"{page.Count} read";
        });
    }

    private static async Task TimeAsync(string what, Func<Task<string>> part)
    {
        var times = new List<string>();
        var said = "";
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            said = await part();
            times.Add(clock.Elapsed.TotalMilliseconds.ToString("0"));
        }
        Console.WriteLine($"{what,-16} {string.Join(" / ", times),-20} ms  ({said})");
    }
}
