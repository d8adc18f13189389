using System.Collections.Concurrent;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Engine.Repository;

/// <summary>The folder listing of a catalog's records (backups/, restores/) split into parts listed at
/// once, for object stores, where one listing of 100,000 folders is 20 requests one after another
/// (5,000 names each) and a store serves parallel listings side by side. Ids begin with their UTC
/// time (<c>bk-YYYYMMDD…</c>), so the parts are the record months the snapshot knows
/// (<c>bk-202501</c>, one listing by prefix each; a month of more than <see cref="MonthLimit"/> records
/// by day) and the gaps around them (a range listing each: before the first month, between months that
/// do not follow each other, after the last). Together they cover every folder name exactly once, so
/// the split listing is the whole listing: a folder copied in by hand into an old month, or with a
/// name no id has, is still found, and a removed one still goes.</summary>
internal static class CatalogRanges
{
    /// <summary>Known records above which the listing is split: up to one listing page (Azure's 5,000
    /// names) one request is cheapest, and each part is a request of its own.</summary>
    internal static int SplitAbove { get; set; } = 5_000;

    /// <summary>Known records of one month above which that month is listed by day.</summary>
    internal static int MonthLimit { get; set; } = 25_000;

    private const int MonthLength = 9;  // "bk-YYYYMM"
    private const int DayLength = 11;   // "bk-YYYYMMDD"
    private const int Parallelism = 16;

    /// <summary>Whether a listing of about <paramref name="known"/> folders is worth splitting.</summary>
    public static bool Worthwhile(int known) => known > SplitAbove;

    /// <summary>The parts of a listing of the folders named by <paramref name="ids"/> (valid ids) and
    /// of any other folder: one unbounded range when there are none.</summary>
    public static List<FolderRange> Of(IEnumerable<string> ids)
    {
        var prefixes = new List<string>();
        foreach (var month in ids.GroupBy(id => id[..MonthLength], StringComparer.Ordinal))
        {
            if (month.Count() <= MonthLimit) prefixes.Add(month.Key);
            else prefixes.AddRange(month.Select(id => id[..DayLength]).Distinct(StringComparer.Ordinal));
        }
        prefixes.Sort(StringComparer.Ordinal);
        var ranges = new List<FolderRange>(2 * prefixes.Count + 1);
        string? from = null;
        foreach (var prefix in prefixes)
        {
            if (from is null || string.CompareOrdinal(from, prefix) < 0) ranges.Add(new FolderRange("", from, prefix));
            ranges.Add(new FolderRange(prefix, null, null));
            from = Following(prefix);
        }
        ranges.Add(new FolderRange("", from, null));
        return ranges;
    }

    /// <summary>The folders under <paramref name="folder"/> in all of <paramref name="ranges"/>,
    /// listed at once, in the order of the ranges.</summary>
    public static async Task<List<string>> ListAsync(IRepositoryStore store, string folder, IReadOnlyList<FolderRange> ranges, CancellationToken ct)
    {
        var parts = new ConcurrentDictionary<int, List<string>>();
        await Parallel.ForEachAsync(Enumerable.Range(0, ranges.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (i, token) =>
        {
            var names = new List<string>();
            await foreach (var name in store.ListFoldersAsync(folder, ranges[i], token).ConfigureAwait(false)) names.Add(name);
            parts[i] = names;
        }).ConfigureAwait(false);
        var all = new List<string>(parts.Values.Sum(p => p.Count));
        for (var i = 0; i < ranges.Count; i++) all.AddRange(parts[i]);
        return all;
    }

    /// <summary>The lowest string above every string that starts with <paramref name="prefix"/> (its
    /// last character, a digit here, raised by one).</summary>
    private static string Following(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);
}
