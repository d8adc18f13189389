using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Records read through the catalog: only the manifests a page needs (and those the catalog
/// cannot vouch for), each active one checked for a dead worker first.</summary>
internal sealed class CatalogQuery(EngineContext context)
{
    /// <summary>The page <paramref name="skip"/>/<paramref name="first"/> of the records whose entries
    /// pass <paramref name="filter"/>, newest first, read through the catalog: only the manifests of the
    /// page and of records without a trusted entry are read. When a manifest turns out newer than its
    /// entry (a writer the catalog did not hear of), everything is read instead and the catalog rebuilt,
    /// so a list never shows a stale entry.</summary>
    public Page<T> Page<T>(Func<CatalogEntry, bool> filter, int skip, int? first) where T : OperationRecord
    {
        for (var trustNothing = false; ; trustNothing = true)
        {
            var matching = Matching<T>(context.Repository.ReadCatalog<T>(trustNothing), filter);
            var page = matching.Skip(Math.Max(0, skip)).Take(first is { } n ? Math.Max(0, n) : int.MaxValue).ToList();
            if (context.Repository.LoadRecords(page) is { } records) return new Page<T> { Items = records, TotalCount = matching.Count };
        }
    }

    /// <summary>The items of <paramref name="view"/> that pass <paramref name="filter"/>, newest first,
    /// each read record checked for a dead worker first (which may end it as Failed).</summary>
    public List<CatalogItem<T>> Matching<T>(CatalogView<T> view, Func<CatalogEntry, bool> filter) where T : OperationRecord
    {
        var matching = new List<CatalogItem<T>>();
        foreach (var item in view.Items)
        {
            if (item.Record is { IsActive: true } active)
            {
                item.Record = context.Records.DetectStale(active);
                item.Entry = CatalogEntry.From(item.Record);
            }
            if (filter(item.Entry)) matching.Add(item);
        }
        matching.Sort((a, b) => b.Entry.CreatedAt != a.Entry.CreatedAt ? b.Entry.CreatedAt.CompareTo(a.Entry.CreatedAt) : string.CompareOrdinal(b.Entry.Id, a.Entry.Id));
        return matching;
    }

    public static bool MatchesLabels(CatalogEntry e, IReadOnlyDictionary<string, string>? labels)
        => labels == null || labels.All(l => e.Labels != null && e.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
}
