using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>A stored backup's payload as restore, verify, save and copy read it: whether it is there
/// whole and restorable, each file opened from the store, checked, decrypted.</summary>
internal sealed class StoredPayloads(EngineContext context)
{
    private BackupRepository Repository => context.Repository;

    /// <summary>Keys of a backup's payload: its file list's names ("payload/…") under the backup.</summary>
    public static string PayloadPrefix(string id) => BackupRepository.BackupPrefix(id) + "payload/";

    /// <summary>Checks that need no server: state, format version, files present with their sizes (when
    /// they are in the repository), age window.</summary>
    public void CheckRestorable(BackupRecord b, bool filesInRepository = true)
    {
        if (b.State != OperationState.Succeeded)
            throw new DbBackupException(ErrorKind.InvalidOperation, "BackupNotRestorable", $"Backup {b.Id} is {b.State} ({b.StatusMessage}); only Succeeded backups can be restored.") { TargetObject = b.Id };
        if (b.FormatVersion > BackupEngine.PayloadFormatVersion || b.FormatVersion < 1)
            throw new DbBackupException(ErrorKind.NotSupported, "FormatVersionTooNew", $"Backup {b.Id} has payload format version {b.FormatVersion}; this DbBackup restores versions 1 to {BackupEngine.PayloadFormatVersion}. Upgrade DbBackup.") { TargetObject = b.Id };
        if (filesInRepository && MissingOrResized(b, StoreSync.Run(() => StoredSizesAsync(b.Id, CancellationToken.None))) is { } damage)
            throw new DbBackupException(ErrorKind.InvalidData, "ChecksumMismatch", damage + " Nothing was restored.") { TargetObject = b.Id };
        if (b.Sha256 != null && BackupJob.FileListHash(b.Files) != b.Sha256)
            throw new DbBackupException(ErrorKind.InvalidData, "ChecksumMismatch", $"Backup {b.Id}'s file list does not match its recorded checksum; the manifest was altered. Nothing was restored.") { TargetObject = b.Id };
        var maxAge = Repository.ReadRepositoryFile().Settings.MaxRestoreAgeDays;
        if (maxAge is { } days && DateTimeOffset.UtcNow - (b.CompletedAt ?? b.CreatedAt) > TimeSpan.FromDays(days))
            throw new DbBackupException(ErrorKind.NotSupported, "BackupTooOld",
                $"Backup {b.Id} was taken {b.CompletedAt ?? b.CreatedAt:u}, more than the repository's restore window of {days} days (MaxRestoreAgeDays). Change the setting (Set-DbBackupRepository -MaxRestoreAgeDays) to restore it.") { TargetObject = b.Id };
    }

    /// <summary>"Backup … is damaged: file … is missing" (or of another size than its manifest records)
    /// for the first such file of <paramref name="b"/>'s list; null when every file is there whole.</summary>
    private static string? MissingOrResized(BackupRecord b, Dictionary<string, long> sizes)
    {
        foreach (var f in b.Files)
        {
            PayloadPaths.Validate(f.Name);
            var exists = sizes.TryGetValue(f.Name, out var size);
            if (!exists || size != f.Size)
                return $"Backup {b.Id} is damaged: file '{f.Name}' is {(exists ? $"{size} bytes, the manifest records {f.Size}" : "missing")}.";
        }
        return null;
    }

    /// <summary>How many listed backups <see cref="MarkDamaged"/> checks: a page of the CLI's largest size.</summary>
    private const int MaxDamageChecks = 100;

    /// <summary>The Succeeded backups of <paramref name="listed"/> (manifests a list read) whose payload
    /// files are not all there at their recorded sizes: one listing of each backup's folder, no payload
    /// read. Each is marked in the returned copy's StatusMessage ("Damaged: …", never written back) and
    /// its message returned, so a list never shows a broken backup as a good one.</summary>
    public List<string> MarkDamaged(IReadOnlyList<BackupRecord> listed, CancellationToken ct) => StoreSync.Run(async () =>
    {
        var damaged = new System.Collections.Concurrent.ConcurrentBag<(string Id, string Message)>();
        // At most the newest MaxDamageChecks of a listing: one LIST request each, so Get-DbBackup without -First over
        // thousands of backups in Azure or S3 stays one catalog read. Restore and verify check every backup they use.
        var checkable = listed.Where(b => b.State == OperationState.Succeeded && b.Files.Count > 0).Take(MaxDamageChecks).ToList();
        await Parallel.ForEachAsync(checkable, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (b, token) =>
        {
            string? damage;
            try { damage = MissingOrResized(b, await StoredSizesAsync(b.Id, token).ConfigureAwait(false)); }
            catch (DbBackupException e) when (e.Kind == ErrorKind.InvalidData) { damage = $"Backup {b.Id} is damaged: {e.Message}"; }
            if (damage == null) return;
            b.StatusMessage = "Damaged: " + damage + " Restore refuses it; verify names every bad file.";
            damaged.Add((b.Id, damage));
        }).ConfigureAwait(false);
        return damaged.OrderBy(d => d.Id, StringComparer.Ordinal).Select(d => d.Message).ToList();
    });

    /// <summary>The size of every object stored under a backup, by its name in the file list
    /// ("payload/…"): one listing instead of a request per file.</summary>
    private async Task<Dictionary<string, long>> StoredSizesAsync(string id, CancellationToken ct)
    {
        var prefix = BackupRepository.BackupPrefix(id);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var e in Repository.Store.ListAsync(prefix, ct).ConfigureAwait(false)) sizes[e.Key[prefix.Length..]] = e.Size;
        return sizes;
    }

    /// <summary>Streams every payload file through its checksum check, and through its decryption when
    /// <paramref name="dataKey"/> is given, which proves every chunk authentic too.</summary>
    public async Task<int> VerifyFilesAsync(BackupRecord b, CancellationToken ct, EncryptionDataKey? dataKey = null)
    {
        var buffer = new byte[1 << 16];
        foreach (var f in b.Files)
        {
            var v = new VerifyingStream(await OpenPayloadAsync(b, f, ct).ConfigureAwait(false), f);
            // The decryptor reads the stored file to its end (so the checksum is checked) and disposes it.
            await using var read = dataKey?.Decryptor(v, f.Name["payload/".Length..]) ?? (Stream)v;
            while (await read.ReadAsync(buffer, ct).ConfigureAwait(false) > 0) { }
        }
        return b.Files.Count;
    }

    /// <summary>Opens one file of a backup's file list from the store; a missing one is damage.</summary>
    public async Task<Stream> OpenPayloadAsync(BackupRecord b, BackupFile f, CancellationToken ct)
    {
        try { return await Repository.Store.OpenReadAsync(BackupRepository.BackupPrefix(b.Id) + PayloadPaths.Validate(f.Name), ct).ConfigureAwait(false); }
        catch (DbBackupException e) when (StoreErrors.IsNotFound(e))
        {
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadFileMissing", $"Backup {b.Id} is damaged: file '{f.Name}' is missing.", e) { TargetObject = b.Id };
        }
    }

    /// <summary>The provider's view of a stored backup's payload (names without "payload/").</summary>
    public PayloadReader PayloadReaderOf(BackupRecord b, EncryptionDataKey? dataKey)
        => new(Repository.Store, PayloadPrefix(b.Id),
            b.Files.Select(f => new BackupFile { Name = f.Name["payload/".Length..], Size = f.Size, Sha256 = f.Sha256 }).ToList(), b.Compression, dataKey);
}
