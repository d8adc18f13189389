using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The restores of backups read from this repository that were kept in the local state repository
/// because the credential could only read this one (see <see cref="EngineContext.LocalState"/>): status and the
/// restore history of this repository show them beside its own.</summary>
internal sealed class LocallyKeptRestores(EngineContext context)
{
    /// <summary>Those passing <paramref name="filter"/>, newest first; none for a repository on this host's
    /// file system or while the state repository does not exist.</summary>
    public List<RestoreRecord> Matching(Func<CatalogEntry, bool> filter)
    {
        if (context.LocalState is not { } state || !state.Repository.Exists) return [];
        return new CatalogQuery(state).Page<RestoreRecord>(filter, 0, null).Items
            .Where(r => r.SourceRepository is { } from && EngineContext.SameLocation(from, context.RepositoryPath)).ToList();
    }

    /// <summary>The page <paramref name="skip"/>/<paramref name="first"/> of this repository's restores
    /// (<paramref name="pageHere"/>) and the kept ones together, newest first.</summary>
    public Page<RestoreRecord> Page(Func<CatalogEntry, bool> filter, Func<int, int?, Page<RestoreRecord>> pageHere, int skip, int? first)
    {
        var kept = Matching(filter);
        if (kept.Count == 0) return pageHere(skip, first);
        // Enough of this repository's newest to fill the page whichever side its records come from.
        var here = pageHere(0, first is { } n ? skip + n : null);
        var all = here.Items.Concat(kept)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).Skip(skip);
        if (first is { } count) all = all.Take(count);
        return new Page<RestoreRecord> { Items = all.ToList(), TotalCount = here.TotalCount + kept.Count };
    }
}
