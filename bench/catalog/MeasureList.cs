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

    /// <summary>Single listing requests on Azure (one page each), to see what a request costs the store:
    /// one that matches nothing, the first page of one month, the first page of the whole folder.</summary>
    public static async Task RequestsAsync(Azure.Storage.Blobs.BlobContainerClient container, string prefix)
    {
        foreach (var (what, p, size) in new[] { ("request, no match", prefix + "zz", 5000), ("request, month 50", prefix + "bk-202503", 50), ("request, month 5000", prefix + "bk-202503", 5000), ("request, all 50", prefix, 50), ("request, all 5000", prefix, 5000) })
            await TimeAsync(what, async () =>
            {
                await foreach (var page in container.GetBlobsByHierarchyAsync(new Azure.Storage.Blobs.Models.GetBlobsByHierarchyOptions { Prefix = p, Delimiter = "/" }).AsPages(null, size))
                    return $"{page.Values.Count} names";
                return "none";
            });
    }

    private static async Task TimeAsync(string what, Func<Task<string>> part)
    {
        if (Only is { } only && !only.Split(',').Any(o => what.StartsWith(o, StringComparison.Ordinal))) return;
        var times = new List<string>();
        var said = "";
        var served = ServerCpuMs();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            said = await part();
            times.Add(clock.Elapsed.TotalMilliseconds.ToString("0"));
        }
        var server = served is { } before ? $", server CPU {(ServerCpuMs()!.Value - before) / 3:0} ms each" : "";
        Console.WriteLine($"{what,-19} {string.Join(" / ", times),-22} ms  ({said}{server})");
    }

    /// <summary>MEASURE_ONLY: run only the parts whose name starts with one of its comma-separated words.</summary>
    private static string? Only => Environment.GetEnvironmentVariable("MEASURE_ONLY") is { Length: > 0 } v ? v : null;

    /// <summary>The CPU milliseconds (user+system) the store's server process (STORE_PID, e.g. Azurite's
    /// node) has used, which unlike wall time does not depend on how busy the machine is; null without it.</summary>
    private static double? ServerCpuMs()
    {
        if (Environment.GetEnvironmentVariable("STORE_PID") is not { Length: > 0 } pid) return null;
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11]) + long.Parse(fields[12])) * 1000.0 / 100; // utime, stime in clock ticks (100 Hz)
    }
}
