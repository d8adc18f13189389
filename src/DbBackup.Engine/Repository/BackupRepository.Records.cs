using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

// Reading one record: a backup's manifest or a restore's record, parsed and checked against its id.
public sealed partial class BackupRepository
{
    private static string RecordKey(OperationRecord r) => r is RestoreRecord ? RestorePrefix(r.Id) + RestoreFile : BackupPrefix(r.Id) + ManifestFile;

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
}
