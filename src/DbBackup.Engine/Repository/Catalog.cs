using System.Collections.Concurrent;
using System.Globalization;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>The catalog of one kind of record (backups or restores; README "Repository format",
/// *Catalog*): a cache that lets list and status skip reading every manifest, derivable from the
/// manifests and never the only copy of a fact. It is a snapshot <c>catalog/&lt;kind&gt;.json</c>
/// (<see cref="CatalogFile"/>), replaced compare-and-swap, plus a journal <c>catalog/&lt;kind&gt;.log/</c>
/// of small objects that record writers add without contention, as pgBackRest's backup.info is
/// a cache of its backup manifests. The rules that keep it from ever showing a stale fact:
/// <list type="bullet">
/// <item>Only an entry of an ended record (Succeeded, Failed, Cancelled) is trusted; an active record's
/// manifest is always read (it changes with every heartbeat, which therefore never touches the catalog).</item>
/// <item>A writer about to change an ended record first adds "&lt;id&gt;.&lt;revision&gt;.intent" to the
/// journal; after the manifest write it adds "&lt;id&gt;.&lt;revision&gt;.json", the new entry. An intent
/// newer than every entry makes readers read the manifest, so a writer that dies between the two
/// writes leaves a slower list, never a wrong one.</item>
/// <item>The folder listing (<see cref="IRepositoryStore.ListFoldersAsync(string, CancellationToken)"/>; on
/// object stores in parallel parts, <see cref="CatalogRanges"/>) is the set of records: a folder copied
/// in by hand has no entry and is read; a removed one is not listed.</item>
/// <item>A missing, damaged or unknown snapshot is rebuilt from the manifests by the next reader, who
/// also folds a long journal into a new snapshot, and rewrites one of an older format.</item>
/// </list></summary>
internal sealed class Catalog<T> where T : OperationRecord
{
    /// <summary>Journal objects a reader accepts before it folds them into a new snapshot.</summary>
    internal static int JournalLimit { get; set; } = 100;

    /// <summary>Ended records without a trusted entry a reader accepts reading before it writes a new snapshot.</summary>
    internal static int ReadLimit { get; set; } = 32;

    private const int Parallelism = 16;
    private const string IntentSuffix = ".intent";
    private const string EntrySuffix = ".json";

    private readonly IRepositoryStore _store;
    private readonly string _folder;
    private readonly string _snapshotKey;
    private readonly string _journal;
    private readonly Func<string, CancellationToken, Task<T?>> _read;
    private readonly Func<CancellationToken, Task<bool>> _repositoryExists;
    private readonly Func<string, string> _describe;
    private readonly Func<string, CancellationToken, Task<DbBackupException?>>? _missing;
    private ParsedSnapshot? _parsed;

    /// <summary>The catalog of the records under <paramref name="kind"/>/ ("backups", "restores"),
    /// read with <paramref name="read"/> (which throws for a damaged record); <paramref name="missing"/> says
    /// why a folder that holds objects but no record is damage (null: such folders are skipped silently).</summary>
    public Catalog(IRepositoryStore store, string kind, Func<string, CancellationToken, Task<T?>> read, Func<CancellationToken, Task<bool>> repositoryExists, Func<string, string> describeRecord,
        Func<string, CancellationToken, Task<DbBackupException?>>? missing = null)
    {
        _missing = missing;
        _describe = describeRecord;
        _store = store;
        _folder = kind + "/";
        _snapshotKey = "catalog/" + kind + ".json";
        _journal = "catalog/" + kind + ".log/";
        _read = read;
        _repositoryExists = repositoryExists;
    }

    /// <summary>Before a record that had ended is written again: marks its entry as changing, so no
    /// reader trusts the old entry while the manifest moves on. Throws when it cannot (nothing written).</summary>
    public Task MarkChangingAsync(string id, int revision, CancellationToken ct)
    {
        ForgetLastRead();
        return _store.TryWriteAsync(JournalKey(id, revision, IntentSuffix), "{}"u8.ToArray(), WriteCondition.None, ct);
    }

    /// <summary>After <paramref name="record"/> was written: records its entry when it has ended (an
    /// active record's manifest is always read) and drops the intent written before. Best effort: a
    /// failure here leaves the record marked active or changing, which readers resolve by reading it.</summary>
    public async Task NoteWrittenAsync(T record, bool markedChanging, CancellationToken ct)
    {
        ForgetLastRead();
        var entry = CatalogEntry.From(record);
        if (!entry.IsFinal) return;
        try
        {
            await _store.TryWriteAsync(JournalKey(record.Id, record.Revision, EntrySuffix), CatalogFile.SerializeEntry(entry), WriteCondition.None, ct).ConfigureAwait(false);
            if (markedChanging) await _store.DeleteAsync(JournalKey(record.Id, record.Revision, IntentSuffix), null, ct).ConfigureAwait(false);
        }
        catch (DbBackupException) { }
    }

    private IReadOnlyList<string>? _lastProblems;

    /// <summary>The problems (<see cref="CatalogView{T}.Problems"/>) of the latest <see cref="ReadAsync"/>
    /// through this instance, once: null when taken already, or when a record was written or removed
    /// through it since (the caller then reads afresh).</summary>
    public IReadOnlyList<string>? TakeLastProblems() => Interlocked.Exchange(ref _lastProblems, null);

    /// <summary>Drops what <see cref="TakeLastProblems"/> would give: a record changed or went.</summary>
    public void ForgetLastRead() => _lastProblems = null;

    /// <summary>Every record of the kind: trusted entries as they are, the manifest of every other one
    /// read. With <paramref name="trustNothing"/> every manifest is read and the snapshot rebuilt from them.</summary>
    public async Task<CatalogView<T>> ReadAsync(bool trustNothing, CancellationToken ct)
    {
        var snapshot = await _store.TryReadAsync(_snapshotKey, ct).ConfigureAwait(false);
        // A session that lists again (or the CLI asking for the problems of the list it printed) parses
        // an unchanged snapshot once.
        var cached = _parsed;
        var parsed = snapshot is null ? null : cached?.Version == snapshot.Version ? cached.Parsed : CatalogFile.TryRead(snapshot.Content);
        if (snapshot is not null && parsed is not null) _parsed = new ParsedSnapshot(snapshot.Version, parsed);
        var stored = parsed?.Entries;
        var known = new Dictionary<string, CatalogEntry>(stored?.Count ?? 0, StringComparer.Ordinal);
        foreach (var e in stored ?? []) Newest(known, e);
        // The journal and the folder listing at once: on an object store each is requests that wait.
        var journalRead = ReadJournalAsync(known, ct);
        var folders = await ListFoldersAsync(stored, ct).ConfigureAwait(false);
        var journal = await journalRead.ConfigureAwait(false);

        var view = new CatalogView<T>();
        var toRead = new List<string>();
        foreach (var id in folders)
        {
            if (!trustNothing && known.TryGetValue(id, out var entry) && entry.IsFinal
                && !(journal.Intents.TryGetValue(id, out var changing) && changing > entry.Revision))
                view.Items.Add(new CatalogItem<T>(entry, null));
            else toRead.Add(id);
        }
        var problems = new ConcurrentBag<(string Id, string Message)>();
        var read = new ConcurrentBag<CatalogItem<T>>();
        var rolledBack = new ConcurrentBag<CatalogEntry>();
        await Parallel.ForEachAsync(toRead, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (id, token) =>
        {
            try
            {
                // None: a folder whose manifest is not written yet (an import or a copy in progress), or
                // was deleted or lost: said, since its files are still stored and take space.
                if (await _read(id, token).ConfigureAwait(false) is not { } record)
                {
                    if (_missing != null && await _missing(id, token).ConfigureAwait(false) is { } gone) problems.Add((id, Problem(gone)));
                    return;
                }
                // An ended record's manifest put back as an older copy (active, or ended at an earlier
                // revision: an undone hold): damage, and the entry that says what it is now is kept (a
                // rebuilt snapshot would otherwise forget it, and retention act on the older copy).
                if (known.TryGetValue(id, out var ended) && RecordChecks.IsRolledBack(record, ended))
                {
                    problems.Add((id, Problem(RecordChecks.RolledBack(_describe(id), record, ended))));
                    rolledBack.Add(ended);
                }
                else read.Add(new CatalogItem<T>(CatalogEntry.From(record), record));
            }
            catch (DbBackupException e) { problems.Add((id, Problem(e))); }
        }).ConfigureAwait(false);
        view.Items.AddRange(read);
        view.Problems.AddRange(problems.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => p.Message));
        _lastProblems = view.Problems.ToList();

        var folded = read.Count(i => i.Entry.IsFinal && !(known.TryGetValue(i.Entry.Id, out var k) && k.Revision == i.Entry.Revision));
        if (trustNothing || parsed is not { Outdated: false } || journal.Objects.Count > JournalLimit || folded > ReadLimit)
            await CompactAsync(snapshot, view.Items.Select(i => i.Entry).Concat(rolledBack), folders, journal.Objects, ct).ConfigureAwait(false);
        return view;
    }

    /// <summary>The record folders (which records exist). On an object store, past one listing page, the
    /// listing is split by the months of the records <paramref name="stored"/> knows and listed in
    /// parallel (<see cref="CatalogRanges"/>: the parts cover every name, so this is still the whole
    /// listing); a local folder is listed in one call, its cheapest.</summary>
    private async Task<List<string>> ListFoldersAsync(List<CatalogEntry>? stored, CancellationToken ct)
    {
        List<string> names;
        if (_store.Features.SameHostOnly || stored is null || !CatalogRanges.Worthwhile(stored.Count))
        {
            names = [];
            await foreach (var name in _store.ListFoldersAsync(_folder, ct).ConfigureAwait(false)) names.Add(name);
        }
        else names = await CatalogRanges.ListAsync(_store, _folder, CatalogRanges.Of(stored.Select(e => e.Id)), ct).ConfigureAwait(false);
        names.RemoveAll(name => name.StartsWith('.'));
        return names;
    }

    /// <summary>Reads the manifests of <paramref name="items"/> that were not read yet. Null when one of
    /// them is at another revision than its entry said (the catalog fell behind: the caller reads
    /// everything instead); a record removed meanwhile is left out.</summary>
    public async Task<List<T>?> LoadAsync(IReadOnlyList<CatalogItem<T>> items, CancellationToken ct)
    {
        var records = new T?[items.Count];
        var behind = false;
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (i, token) =>
        {
            var item = items[i];
            var record = item.Record;
            try { record ??= await _read(item.Entry.Id, token).ConfigureAwait(false) ?? await GoneAsync(item.Entry.Id, token).ConfigureAwait(false); }
            catch (DbBackupException e) when (e.Kind == ErrorKind.InvalidData) { behind = true; }
            // A manifest older than its ended entry is never current either (records do not go back):
            // the full read that follows reports it.
            if (record != null && (record.Revision != item.Entry.Revision || RecordChecks.IsRolledBack(record, item.Entry))) behind = true;
            records[i] = record;
        }).ConfigureAwait(false);
        return behind ? null : records.OfType<T>().ToList();
    }

    /// <summary>Null when record <paramref name="id"/> is gone whole (removed meanwhile); throws when its
    /// folder still holds objects without it, so the caller reads everything and reports it.</summary>
    private async Task<T?> GoneAsync(string id, CancellationToken ct)
        => _missing != null && await _missing(id, ct).ConfigureAwait(false) is { } gone ? throw gone : null;

    /// <summary>A problem as listings show it: the stable error id, then what is wrong with which record.</summary>
    private static string Problem(DbBackupException e) => $"{e.ErrorId}: {e.Message}";

    /// <summary>The newest entry saying record <paramref name="id"/> had ended (snapshot or journal), or
    /// null. Read only where a wrong "active" would destroy something (stale detection), so it reads
    /// the snapshot afresh rather than trusting this instance's cache.</summary>
    public async Task<CatalogEntry?> EndedEntryAsync(string id, CancellationToken ct)
    {
        CatalogEntry? found = null;
        if (await _store.TryReadAsync(_snapshotKey, ct).ConfigureAwait(false) is { } snapshot && CatalogFile.TryRead(snapshot.Content) is { } parsed)
            found = parsed.Entries.Where(e => e.Id == id && e.IsFinal).MaxBy(e => e.Revision);
        await foreach (var e in _store.ListAsync(_journal + Ids.Validate(id) + ".", ct).ConfigureAwait(false))
        {
            var o = ParseKey(e);
            if (o.Intent || o.Id != id || o.Revision <= (found?.Revision ?? 0)) continue;
            if (await _store.TryReadAsync(o.Key, ct).ConfigureAwait(false) is { } stored
                && CatalogFile.TryParseEntry(stored.Content) is { IsFinal: true } entry && entry.Id == id && entry.Revision == o.Revision)
                found = entry;
        }
        return found;
    }

    private sealed record ParsedSnapshot(string Version, ParsedCatalog Parsed);

    private sealed record JournalObject(string Key, string Id, int Revision, bool Intent, DateTimeOffset LastModified);

    private sealed record Journal(List<JournalObject> Objects, Dictionary<string, int> Intents);

    /// <summary>Lists the journal, reads each entry newer than <paramref name="known"/> holds for its
    /// record into it, and returns every object with the newest intent of each record.</summary>
    private async Task<Journal> ReadJournalAsync(Dictionary<string, CatalogEntry> known, CancellationToken ct)
    {
        var objects = new List<JournalObject>();
        var intents = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var e in _store.ListAsync(_journal, ct).ConfigureAwait(false))
        {
            var o = ParseKey(e);
            objects.Add(o);
            if (o.Intent && o.Revision > intents.GetValueOrDefault(o.Id)) intents[o.Id] = o.Revision;
        }
        var newer = objects.Where(o => !o.Intent && o.Id.Length > 0)
            .GroupBy(o => o.Id, StringComparer.Ordinal).Select(g => g.MaxBy(o => o.Revision)!)
            .Where(o => !known.TryGetValue(o.Id, out var k) || o.Revision > k.Revision).ToList();
        var entries = new ConcurrentBag<CatalogEntry>();
        await Parallel.ForEachAsync(newer, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (o, token) =>
        {
            if (await _store.TryReadAsync(o.Key, token).ConfigureAwait(false) is { } stored
                && CatalogFile.TryParseEntry(stored.Content) is { } entry && entry.Id == o.Id && entry.Revision == o.Revision)
                entries.Add(entry);
        }).ConfigureAwait(false);
        foreach (var entry in entries) Newest(known, entry);
        return new Journal(objects, intents);
    }

    /// <summary>Writes a new snapshot of <paramref name="view"/> over the one read (compare-and-swap: if
    /// another reader replaced it meanwhile, theirs stays), then deletes the journal objects it holds.
    /// Best effort, and only in an existing repository: a credential that may only read still lists.</summary>
    private async Task CompactAsync(StoredObject? snapshot, IEnumerable<CatalogEntry> held, List<string> folders, List<JournalObject> journal, CancellationToken ct)
    {
        try
        {
            if (!await _repositoryExists(ct).ConfigureAwait(false)) return;
            var entries = held.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
            var condition = snapshot is null ? WriteCondition.IfAbsent : WriteCondition.IfVersion(snapshot.Version);
            if (await _store.TryWriteAsync(_snapshotKey, CatalogFile.Serialize(entries), condition, ct).ConfigureAwait(false) is null) return;
            var byId = entries.ToDictionary(e => e.Id, StringComparer.Ordinal);
            var present = folders.ToHashSet(StringComparer.Ordinal);
            // Where a store ignores conditional writes two snapshots may overwrite each other, so only
            // journal objects every recent snapshot already holds (an hour old) are removed there.
            var before = _store.Features.ConditionalWrites ? DateTimeOffset.MaxValue : DateTimeOffset.UtcNow.AddHours(-1);
            var stale = journal.Where(o => o.LastModified < before
                && (o.Id.Length == 0 || !present.Contains(o.Id) || (byId.TryGetValue(o.Id, out var e) && o.Revision <= e.Revision))).ToList();
            await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
                async (o, token) => await _store.DeleteAsync(o.Key, null, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (DbBackupException) { }
    }

    private string JournalKey(string id, int revision, string suffix)
        => _journal + Ids.Validate(id) + "." + revision.ToString("D10", CultureInfo.InvariantCulture) + suffix;

    /// <summary>"&lt;id&gt;.&lt;revision&gt;.json|.intent" → its parts; anything else is junk (Id "").</summary>
    private JournalObject ParseKey(StoreEntry e)
    {
        var name = e.Key[_journal.Length..];
        var intent = name.EndsWith(IntentSuffix, StringComparison.Ordinal);
        var stem = intent ? name[..^IntentSuffix.Length] : name.EndsWith(EntrySuffix, StringComparison.Ordinal) ? name[..^EntrySuffix.Length] : null;
        var dot = stem?.LastIndexOf('.') ?? -1;
        if (stem is null || dot <= 0 || !int.TryParse(stem.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) || !Ids.IsValid(stem[..dot]))
            return new JournalObject(e.Key, "", 0, false, e.LastModified);
        return new JournalObject(e.Key, stem[..dot], revision, intent, e.LastModified);
    }

    private static void Newest(Dictionary<string, CatalogEntry> known, CatalogEntry e)
    {
        if (!known.TryGetValue(e.Id, out var k) || e.Revision > k.Revision) known[e.Id] = e;
    }
}
