using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

public sealed partial class BackupRepository
{
    private Catalog<BackupRecord>? _backupCatalog;
    private Catalog<RestoreRecord>? _restoreCatalog;

    private Catalog<BackupRecord> BackupCatalog
        => _backupCatalog ??= new(Store, "backups", TryReadBackupAsync, ExistsAsync, id => Describe(BackupPrefix(id) + ManifestFile), MissingManifestAsync);

    private Catalog<RestoreRecord> RestoreCatalog
        => _restoreCatalog ??= new(Store, "restores", TryReadRestoreAsync, ExistsAsync, id => Describe(RestorePrefix(id) + RestoreFile));

    private Catalog<T> CatalogOf<T>() where T : OperationRecord
        => typeof(T) == typeof(RestoreRecord) ? (Catalog<T>)(object)RestoreCatalog : (Catalog<T>)(object)BackupCatalog;

    /// <summary>Every record of type <typeparamref name="T"/> through the catalog: trusted entries of
    /// ended records, the manifest of every other one (see <see cref="Catalog{T}"/>). With
    /// <paramref name="trustNothing"/> every manifest is read and the catalog rebuilt.</summary>
    internal CatalogView<T> ReadCatalog<T>(bool trustNothing) where T : OperationRecord
        => StoreSync.Run(() => CatalogOf<T>().ReadAsync(trustNothing, CancellationToken.None));

    /// <summary>Why each backup the latest list through this repository skipped was skipped, once (read
    /// afresh when taken already, or when a record changed since): a list asks right after its page,
    /// and a second read would list every folder again, on an object store most of a list's time.</summary>
    internal IReadOnlyList<string> ProblemsOfLastBackupRead()
        => BackupCatalog.TakeLastProblems() ?? ReadCatalog<BackupRecord>(trustNothing: false).Problems;

    private IReadOnlyList<string>? _damagedBackups;

    /// <summary>Keeps what the latest list found damaged in listed backups' payloads, for
    /// <see cref="DescribeDamagedBackups"/>.</summary>
    internal void NoteDamagedBackups(IReadOnlyList<string> damaged) => _damagedBackups = damaged;

    /// <summary>The backups the latest list through this repository showed whose payload files are missing
    /// or cut short (marked "Damaged: …" in their StatusMessage), once.</summary>
    public IReadOnlyList<string> DescribeDamagedBackups() => Interlocked.Exchange(ref _damagedBackups, null) ?? [];

    /// <summary>As <see cref="ProblemsOfLastBackupRead"/>, for restore records.</summary>
    internal IReadOnlyList<string> ProblemsOfLastRestoreRead()
        => RestoreCatalog.TakeLastProblems() ?? ReadCatalog<RestoreRecord>(trustNothing: false).Problems;

    /// <summary>The records of <paramref name="items"/> (manifests read where the view holds only the
    /// entry), or null when one manifest is at another revision than its entry.</summary>
    internal List<T>? LoadRecords<T>(IReadOnlyList<CatalogItem<T>> items) where T : OperationRecord
        => StoreSync.Run(() => CatalogOf<T>().LoadAsync(items, CancellationToken.None));

    /// <summary>Throws RecordRolledBack when <paramref name="record"/> is active but the catalog recorded
    /// it ended: the stored file is an older copy (see <see cref="RecordChecks.RolledBack"/>).</summary>
    internal void CheckNotRolledBack(OperationRecord record)
    {
        if (record.IsActive) StoreSync.Run(() => CheckNotRolledBackAsync(record, CancellationToken.None));
    }

    /// <summary>Throws RecordRolledBack when the catalog recorded <paramref name="record"/> ended at a later
    /// revision than it has (<see cref="RecordChecks.IsRolledBack"/>): writing over such an older copy
    /// would bury the newer facts (a hold) the entry still holds.</summary>
    private async Task CheckNotRolledBackAsync(OperationRecord record, CancellationToken ct)
    {
        var ended = await (record is RestoreRecord ? RestoreCatalog.EndedEntryAsync(record.Id, ct) : BackupCatalog.EndedEntryAsync(record.Id, ct)).ConfigureAwait(false);
        if (ended != null && RecordChecks.IsRolledBack(record, ended))
            throw RecordChecks.RolledBack(Describe(record is RestoreRecord ? RestorePrefix(record.Id) + RestoreFile : BackupPrefix(record.Id) + ManifestFile), record, ended);
    }

    private Task MarkChangingAsync(OperationRecord record, int revision, CancellationToken ct) => record is RestoreRecord
        ? RestoreCatalog.MarkChangingAsync(record.Id, revision, ct)
        : BackupCatalog.MarkChangingAsync(record.Id, revision, ct);

    private Task NoteWrittenAsync(OperationRecord record, bool markedChanging, CancellationToken ct) => record switch
    {
        RestoreRecord r => RestoreCatalog.NoteWrittenAsync(r, markedChanging, ct),
        BackupRecord b => BackupCatalog.NoteWrittenAsync(b, markedChanging, ct),
        _ => Task.CompletedTask,
    };
}
