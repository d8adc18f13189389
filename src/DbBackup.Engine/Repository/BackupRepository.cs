using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>A repository (layout in README "Repository format"): repository.json,
/// backups/&lt;id&gt;/manifest.json + payload, restores/&lt;id&gt;/record.json, the activity log,
/// locks/. Every byte goes through an <see cref="IRepositoryStore"/> (a local folder, an object store,
/// memory in tests); this class knows the keys and the rules (seals, compare-and-swap of records),
/// never the file system. Nothing is created until the first write, so read-only calls (and -WhatIf)
/// leave no trace. The synchronous members are the async ones through <see cref="StoreSync"/>.</summary>
public sealed partial class BackupRepository
{
    /// <summary>The repository layout version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private const string RepositoryKey = "repository.json";
    private const string ManifestFile = "manifest.json";
    private const string RestoreFile = "record.json";
    private volatile bool _created;

    /// <summary>Opens the repository at <paramref name="path"/> (null: DBBACKUP_REPOSITORY, else the
    /// per-user default folder): a local folder, s3://bucket/prefix, azure://container/prefix or a blob
    /// URL (<see cref="RepositoryAddress"/>). An address with a scheme it does not know is refused, never
    /// taken as a relative folder. Opening does no I/O; credentials come from the environment.</summary>
    public BackupRepository(string? path)
        : this(StoreFactory.Open(RepositoryAddress.Parse(ResolvePath(path))))
    {
    }

    /// <summary>Opens the repository held by <paramref name="store"/>.</summary>
    public BackupRepository(IRepositoryStore store) => Store = store;

    /// <summary>Where every byte of the repository lives.</summary>
    public IRepositoryStore Store { get; }

    /// <summary>Where the repository is, for messages (a full path for a local folder).</summary>
    public string Location => Store.Location;

    /// <summary>The path used when none is given: DBBACKUP_REPOSITORY, else XDG data dir (Linux) or
    /// LocalAppData (Windows) + dbbackup.</summary>
    public static string ResolvePath(string? path)
    {
        if (!string.IsNullOrWhiteSpace(path)) return path;
        var env = Environment.GetEnvironmentVariable("DBBACKUP_REPOSITORY");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        return DefaultLocalPath();
    }

    /// <summary>The per-user default folder: XDG data dir (Linux) or LocalAppData (Windows) + dbbackup.</summary>
    public static string DefaultLocalPath()
    {
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data))
            data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, OperatingSystem.IsWindows() ? "DbBackup" : "dbbackup");
    }

    /// <summary>True once repository.json exists.</summary>
    public bool Exists => StoreSync.Run(() => ExistsAsync(CancellationToken.None));

    /// <summary>True once repository.json exists.</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken)
        => _created || await Store.TryReadAsync(RepositoryKey, cancellationToken).ConfigureAwait(false) != null;

    /// <summary>Creates repository.json if missing; refuses a newer format.</summary>
    public void EnsureCreated() => StoreSync.Run(() => EnsureCreatedAsync(CancellationToken.None));

    /// <summary>Creates repository.json if missing (exclusively: two first writers agree on one);
    /// refuses a newer format. Checked once per instance.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created) return;
        if (await Store.TryReadAsync(RepositoryKey, cancellationToken).ConfigureAwait(false) == null)
            await Store.TryWriteAsync(RepositoryKey, System.Text.Encoding.UTF8.GetBytes(Json.Write(new RepositoryFile())), WriteCondition.IfAbsent, cancellationToken).ConfigureAwait(false);
        await ReadRepositoryFileAsync(cancellationToken).ConfigureAwait(false);
        _created = true;
    }

    /// <summary>repository.json (defaults when the repository does not exist yet).</summary>
    public RepositoryFile ReadRepositoryFile() => StoreSync.Run(() => ReadRepositoryFileAsync(CancellationToken.None));

    /// <summary>repository.json (defaults when the repository does not exist yet).</summary>
    public async Task<RepositoryFile> ReadRepositoryFileAsync(CancellationToken cancellationToken)
    {
        if (await Store.TryReadAsync(RepositoryKey, cancellationToken).ConfigureAwait(false) is not { } stored) return new RepositoryFile();
        var f = Json.Parse<RepositoryFile>(stored.Content, Describe(RepositoryKey));
        if (f.FormatVersion > CurrentFormatVersion)
            throw new DbBackupException(ErrorKind.NotSupported, "RepositoryFormatTooNew",
                $"The repository at '{Location}' has format version {f.FormatVersion}; this DbBackup reads versions up to {CurrentFormatVersion}. Upgrade DbBackup.");
        return f;
    }

    /// <summary>Writes new settings atomically.</summary>
    public void WriteSettings(RepositorySettings settings) => StoreSync.Run(async () =>
    {
        await EnsureCreatedAsync(CancellationToken.None).ConfigureAwait(false);
        var f = await ReadRepositoryFileAsync(CancellationToken.None).ConfigureAwait(false);
        f.Settings = settings;
        await Store.TryWriteAsync(RepositoryKey, System.Text.Encoding.UTF8.GetBytes(Json.Write(f)), WriteCondition.None, CancellationToken.None).ConfigureAwait(false);
    });

    /// <summary>The key prefix of a backup's objects ("backups/&lt;id&gt;/").</summary>
    public static string BackupPrefix(string id) => "backups/" + Ids.Validate(id) + "/";

    /// <summary>The key prefix of a restore's objects ("restores/&lt;id&gt;/").</summary>
    public static string RestorePrefix(string id) => "restores/" + Ids.Validate(id) + "/";

    /// <summary>The key prefix of the objects of the operation <paramref name="id"/> (backup or restore).</summary>
    public static string RecordPrefix(string id) => Ids.IsRestoreId(Ids.Validate(id)) ? RestorePrefix(id) : BackupPrefix(id);

    private static string RecordKey(OperationRecord r) => r is RestoreRecord ? RestorePrefix(r.Id) + RestoreFile : BackupPrefix(r.Id) + ManifestFile;

    /// <summary>How an object is named in messages: its file for a local folder, else location/key.</summary>
    public string Describe(string key) => Store is LocalFolderStore local ? local.PathOf(key) : $"{Location.TrimEnd('/')}/{key}";

    /// <summary>How long a record write waits for the record's lock before giving up (not written).</summary>
    internal static TimeSpan RecordLockTimeout
    {
        get => LocalFolderStore.LockTimeout;
        set => LocalFolderStore.LockTimeout = value;
    }

    /// <summary>Reads a backup record, or null when it does not exist. A damaged, foreign or altered
    /// manifest, or one naming another id than its folder, throws CorruptMetadata.</summary>
    public BackupRecord? TryReadBackup(string id) => TryReadBackupSealed(id)?.Record;

    /// <summary>As <see cref="TryReadBackup"/>, also telling whether the manifest carries a seal
    /// (false: written by a DbBackup older than seals; its contents cannot be checked).</summary>
    public (BackupRecord Record, bool Sealed)? TryReadBackupSealed(string id)
        => StoreSync.Run(() => TryReadBackupSealedAsync(id, CancellationToken.None));

    /// <summary>As <see cref="TryReadBackupSealed"/>.</summary>
    public Task<(BackupRecord Record, bool Sealed)?> TryReadBackupSealedAsync(string id, CancellationToken cancellationToken)
        => ReadRecordAsync<BackupRecord>(BackupPrefix(id) + ManifestFile, id, cancellationToken);

    /// <summary>As <see cref="TryReadBackup"/>.</summary>
    public async Task<BackupRecord?> TryReadBackupAsync(string id, CancellationToken cancellationToken)
        => (await TryReadBackupSealedAsync(id, cancellationToken).ConfigureAwait(false))?.Record;

    /// <summary>Reads a restore record, or null (damage throws as for backups).</summary>
    public RestoreRecord? TryReadRestore(string id) => StoreSync.Run(() => TryReadRestoreAsync(id, CancellationToken.None));

    /// <summary>As <see cref="TryReadRestore"/>.</summary>
    public async Task<RestoreRecord?> TryReadRestoreAsync(string id, CancellationToken cancellationToken)
        => (await ReadRecordAsync<RestoreRecord>(RestorePrefix(id) + RestoreFile, id, cancellationToken).ConfigureAwait(false))?.Record;

    private async Task<(T Record, bool Sealed)?> ReadRecordAsync<T>(string key, string id, CancellationToken ct) where T : OperationRecord
    {
        if (await Store.TryReadAsync(key, ct).ConfigureAwait(false) is not { } stored) return null;
        return ParseRecord<T>(stored.Content, id, key);
    }

    private (T Record, bool Sealed) ParseRecord<T>(byte[] bytes, string id, string key) where T : OperationRecord
    {
        var source = Describe(key);
        if (bytes.Length > 64 << 20) throw RecordFile.Damaged(source, $"it is {bytes.Length} bytes, far larger than any record");
        var read = RecordFile.Parse<T>(bytes, source);
        RecordChecks.Validate(read.Record, id, source);
        return read;
    }

    /// <summary>Writes a backup record if the stored copy is still the revision it was read as (or
    /// there is none and it is new): a compare-and-swap. Returns false, writing nothing, when someone
    /// else wrote it since (or its lock stayed busy).</summary>
    public bool WriteBackup(BackupRecord record) => WriteRecord(record, claim: false, out _) == RecordWrite.Written;

    /// <summary>As <see cref="WriteBackup"/>, for a restore record.</summary>
    public bool WriteRestore(RestoreRecord record) => WriteRecord(record, claim: false, out _) == RecordWrite.Written;

    /// <summary>As <see cref="WriteBackup"/> / <see cref="WriteRestore"/>, for either kind of record.</summary>
    public async Task<bool> WriteAsync(OperationRecord record, CancellationToken cancellationToken)
        => (await WriteRecordAsync(record, claim: false, cancellationToken).ConfigureAwait(false)).Result == RecordWrite.Written;

    /// <summary>As <see cref="WriteRecordAsync"/>, for the synchronous callers (the worker's tracker
    /// writes under its own lock).</summary>
    internal RecordWrite WriteRecord(OperationRecord record, bool claim, out OperationRecord? stored)
    {
        var (result, read) = StoreSync.Run(() => WriteRecordAsync(record, claim, CancellationToken.None));
        stored = read;
        return result;
    }

    /// <summary>The compare-and-swap write of a record. With <paramref name="claim"/> the condition is
    /// "the stored copy is Pending" (a worker taking its record over from the launcher, whichever of the
    /// two wrote last); otherwise "the stored revision is the record's". The write itself is conditional
    /// on the stored version just read (If-Match on object stores; locally under the record's flock),
    /// so nobody can write between the check and the write. On success the record's Revision is the one
    /// written; on Conflict Stored is the stored copy (null when unreadable or gone).</summary>
    internal async Task<(RecordWrite Result, OperationRecord? Stored)> WriteRecordAsync(OperationRecord record, bool claim, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct).ConfigureAwait(false);
        // A claim that lost to another write of a record still Pending (the launcher filling in the worker's
        // pid, at the same instant when the worker runs in the launcher's own process) tries again: only a
        // record that left Pending fences the worker.
        for (var attempt = 0; ; attempt++)
        {
            var (result, stored) = await TryWriteRecordOnceAsync(record, claim, ct).ConfigureAwait(false);
            if (!(claim && result == RecordWrite.Conflict && stored is { State: OperationState.Pending } && attempt < 10)) return (result, stored);
        }
    }

    private async Task<(RecordWrite Result, OperationRecord? Stored)> TryWriteRecordOnceAsync(OperationRecord record, bool claim, CancellationToken ct)
    {
        var key = RecordKey(record);
        var current = await Store.TryReadAsync(key, ct).ConfigureAwait(false);
        OperationRecord? stored;
        try { stored = current == null ? null : Parse(current.Content); }
        catch (DbBackupException) { return (RecordWrite.Conflict, null); } // never overwrite what cannot be read
        var ok = claim ? stored is { State: OperationState.Pending } : stored == null ? record.Revision == 0 : stored.Revision == record.Revision;
        if (!ok) return (RecordWrite.Conflict, stored);
        if (stored is { IsActive: false })
        {
            try { await CheckNotRolledBackAsync(stored, ct).ConfigureAwait(false); }
            // A writer may have moved the record on (manifest, then entry) since it was read: then this
            // is a conflict to retry. Only a manifest still as read while a later entry exists is older.
            catch (DbBackupException e) when (e.ErrorId == "RecordRolledBack")
            {
                if ((await Store.TryReadAsync(key, ct).ConfigureAwait(false))?.Version == current!.Version) throw;
                return (RecordWrite.Conflict, stored);
            }
        }
        var previous = record.Revision;
        record.Revision = (claim ? stored!.Revision : record.Revision) + 1;
        // The catalog trusts the entry of an ended record: it is marked changing before the manifest moves on.
        var marked = stored is { IsActive: false };
        string? written;
        try
        {
            if (marked) await MarkChangingAsync(record, record.Revision, ct).ConfigureAwait(false);
            var condition = current == null ? WriteCondition.IfAbsent : WriteCondition.IfVersion(current.Version);
            written = await Store.TryWriteAsync(key, RecordFile.Serialize(record), condition, ct).ConfigureAwait(false);
        }
        catch (DbBackupException e) when (StoreErrors.IsBusy(e))
        {
            record.Revision = previous;
            return (RecordWrite.Busy, stored);
        }
        catch
        {
            record.Revision = previous;
            throw;
        }
        if (written != null)
        {
            await NoteWrittenAsync(record, marked, ct).ConfigureAwait(false);
            return (RecordWrite.Written, stored);
        }
        record.Revision = previous;
        // Someone wrote between the read and the write: report what they wrote.
        try { stored = await Store.TryReadAsync(key, ct).ConfigureAwait(false) is { } now ? Parse(now.Content) : null; }
        catch (DbBackupException) { stored = null; }
        return (RecordWrite.Conflict, stored);

        OperationRecord Parse(byte[] bytes) => record is RestoreRecord
            ? ParseRecord<RestoreRecord>(bytes, record.Id, key).Record
            : ParseRecord<BackupRecord>(bytes, record.Id, key).Record;
    }

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
    public bool IsEmpty => !Exists && StoreSync.Run(async () =>
    {
        await foreach (var _ in Store.ListAsync("", CancellationToken.None).ConfigureAwait(false)) return false;
        return true;
    });

    /// <summary>True when anything is stored under backup <paramref name="id"/> (a readable manifest or not).</summary>
    public bool HasBackupObjects(string id) => StoreSync.Run(async () =>
    {
        await foreach (var _ in Store.ListAsync(BackupPrefix(id), CancellationToken.None).ConfigureAwait(false)) return true;
        return false;
    });

    /// <summary>Deletes a backup (payload and manifest). It disappears from listings first (a local
    /// folder renamed aside; elsewhere the manifest deleted first), so a crash half-way leaves an
    /// unlisted remainder rather than a record pointing at missing files.</summary>
    public void DeleteBackup(string id) => StoreSync.Run(() => DeleteBackupAsync(id, CancellationToken.None));

    /// <summary>As <see cref="DeleteBackup"/>.</summary>
    public async Task DeleteBackupAsync(string id, CancellationToken cancellationToken)
    {
        _backupCatalog?.ForgetLastRead();
        // A local folder is renamed away whole in one step; elsewhere the manifest goes first.
        if (Store is not LocalFolderStore) await Store.DeleteAsync(BackupPrefix(id) + ManifestFile, null, cancellationToken).ConfigureAwait(false);
        await Store.DeletePrefixAsync(BackupPrefix(id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a restore's record (and anything beside it), as <see cref="DeleteBackupAsync"/> does a
    /// backup: the record goes first where the folder cannot be renamed away whole. Its catalog entry is no
    /// longer shown at once (the folder listing is the set of records) and is dropped from the snapshot and
    /// journal at the next fold.</summary>
    public async Task DeleteRestoreAsync(string id, CancellationToken cancellationToken)
    {
        _restoreCatalog?.ForgetLastRead();
        if (Store is not LocalFolderStore) await Store.DeleteAsync(RestorePrefix(id) + RestoreFile, null, cancellationToken).ConfigureAwait(false);
        await Store.DeletePrefixAsync(RestorePrefix(id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a backup's payload (uploads in progress included, where the store can: a
    /// fenced worker's) and any other object beside its manifest (the worker's scratch files),
    /// keeping the manifest and a pending cancel request. False when the credential may not delete (a
    /// create-only SAS): the files stay, unlisted, since the record that ends Failed lists none of them.</summary>
    public async Task<bool> RemovePayloadAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await Store.DeletePrefixAsync(BackupPrefix(id) + "payload/", cancellationToken).ConfigureAwait(false);
            await DeleteAllAsync(BackupPrefix(id), key => !key.EndsWith("/" + ManifestFile, StringComparison.Ordinal) && !key.EndsWith("/" + CancelFile, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbBackupException e) when (StoreErrors.IsDenied(e, StoreRight.Delete)) { return false; }
    }

    private async Task DeleteAllAsync(string prefix, Func<string, bool> which, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var e in Store.ListAsync(prefix, ct).ConfigureAwait(false))
            if (which(e.Key)) keys.Add(e.Key);
        foreach (var key in keys) await Store.DeleteAsync(key, null, ct).ConfigureAwait(false);
    }

    /// <summary>Stores the manifest of an imported backup whose payload is already written, only if no
    /// backup holds the id yet. False when another writer stored one first.</summary>
    public async Task<bool> TryCreateManifestAsync(BackupRecord record, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        if (await Store.TryWriteAsync(BackupPrefix(record.Id) + ManifestFile, RecordFile.Serialize(record), WriteCondition.IfAbsent, cancellationToken).ConfigureAwait(false) == null) return false;
        await NoteWrittenAsync(record, markedChanging: false, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
