using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

// Reading every record: the record folders listed, each record read (an unreadable one skipped, with
// the reason kept for listings), and whether anything is stored at all.
public sealed partial class BackupRepository
{
    /// <summary>Every backup record (unordered). Entries without a readable manifest (an import in
    /// progress, a damaged copy) are skipped.</summary>
    public IEnumerable<BackupRecord> ReadAllBackups()
        => ScanBackups().Where(x => x.Record != null).Select(x => x.Record!);

    /// <summary>As <see cref="ReadAllBackups"/>.</summary>
    public async Task<List<BackupRecord>> ReadAllBackupsAsync(CancellationToken cancellationToken)
        => (await ScanBackupsAsync(cancellationToken).ConfigureAwait(false)).Where(x => x.Record != null).Select(x => x.Record!).ToList();

    /// <summary>Why each backup that <see cref="ReadAllBackups"/> skips was skipped (a manifest that is
    /// not valid JSON, of another shape, altered, or naming another id), so listings can say so: as the
    /// latest list through this repository found them (read afresh when there was none).</summary>
    public IEnumerable<string> DescribeUnreadableBackups() => ProblemsOfLastBackupRead();

    /// <summary>As <see cref="DescribeUnreadableBackups"/>, for restore records: a damaged one must not
    /// silently drop out of the restore history.</summary>
    public IEnumerable<string> DescribeUnreadableRestores() => ProblemsOfLastRestoreRead();

    private List<(BackupRecord? Record, string? Problem)> ScanBackups()
        => StoreSync.Run(() => ScanBackupsAsync(CancellationToken.None));

    private async Task<List<(BackupRecord? Record, string? Problem)>> ScanBackupsAsync(CancellationToken ct)
    {
        var found = new List<(BackupRecord?, string?)>();
        // A backup without a manifest is one being created or imported (its payload comes first).
        foreach (var id in await RecordIdsAsync("backups/", ct).ConfigureAwait(false))
        {
            try
            {
                if (await TryReadBackupSealedAsync(id, ct).ConfigureAwait(false) is { } r) found.Add((r.Record, null));
            }
            catch (DbBackupException e) { found.Add((null, e.Message)); }
        }
        return found;
    }

    /// <summary>Every restore record (unordered); unreadable ones are skipped.</summary>
    public IEnumerable<RestoreRecord> ReadAllRestores() => StoreSync.Run(() => ReadAllRestoresAsync(CancellationToken.None));

    /// <summary>As <see cref="ReadAllRestores"/>.</summary>
    public async Task<List<RestoreRecord>> ReadAllRestoresAsync(CancellationToken cancellationToken)
    {
        var found = new List<RestoreRecord>();
        foreach (var id in await RecordIdsAsync("restores/", cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (await TryReadRestoreAsync(id, cancellationToken).ConfigureAwait(false) is { } r) found.Add(r);
            }
            catch (DbBackupException) { }
        }
        return found;
    }

    /// <summary>The names of the entries under <paramref name="folder"/> (hidden names, such as an older
    /// DbBackup's ".staging-…" folders, excluded). Whether each holds its record is found by reading it:
    /// one without is being created or imported (its payload comes first).</summary>
    private async Task<List<string>> RecordIdsAsync(string folder, CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var name in Store.ListFoldersAsync(folder, ct).ConfigureAwait(false))
            if (!name.StartsWith('.')) ids.Add(name);
        return ids;
    }

    /// <summary>True when nothing at all is stored (no repository there yet, or a wrong address).</summary>
    public bool IsEmpty => !Exists && !StoreSync.Run(() => AnyObjectUnderAsync("", CancellationToken.None));

    /// <summary>True when anything is stored under backup <paramref name="id"/> (a readable manifest or not).</summary>
    public bool HasBackupObjects(string id) => StoreSync.Run(() => AnyObjectUnderAsync(BackupPrefix(id), CancellationToken.None));

    /// <summary>True when at least one object is stored under <paramref name="prefix"/> (the first listed is enough).</summary>
    private async Task<bool> AnyObjectUnderAsync(string prefix, CancellationToken ct)
    {
        await foreach (var _ in Store.ListAsync(prefix, ct).ConfigureAwait(false)) return true;
        return false;
    }
}
