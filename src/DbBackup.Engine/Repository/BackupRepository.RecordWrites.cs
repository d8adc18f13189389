using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

// Writing one record: the compare-and-swap that keeps two writers (launcher and worker, two hosts)
// from overwriting each other, and the exclusive create of an imported manifest.
public sealed partial class BackupRepository
{
    /// <summary>How long a record write waits for the record's lock before giving up (not written).</summary>
    internal static TimeSpan RecordLockTimeout
    {
        get => LocalFolderStore.LockTimeout;
        set => LocalFolderStore.LockTimeout = value;
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
