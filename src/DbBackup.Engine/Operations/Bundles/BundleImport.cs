using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Bringing a bundle file or a copied backup folder into the repository (Kind = Imported), and
/// the checks a stored manifest and an incoming one must pass.</summary>
internal sealed class BundleImport(EngineContext context)
{
    /// <summary>Validates and imports a bundle file or a copied backup folder as Kind = Imported.
    /// Every check (format, names, sizes, checksums) passes before anything is written.</summary>
    public async Task<BackupRecord> ImportAsync(string path, CancellationToken cancellationToken)
        => (await ImportOrReuseAsync(path, cancellationToken).ConfigureAwait(false)).Record;

    /// <summary>The manifest of a bundle file or backup folder, validated, without importing it.</summary>
    public async Task<BackupRecord> ReadBundleManifestAsync(string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return ValidateImportedManifest(RecordFile.Read<BackupRecord>(Path.Combine(full, "manifest.json")).Record, full);
        if (File.Exists(full)) return (await BundleReader.ReadBundleAsync(full, null, cancellationToken).ConfigureAwait(false)).Manifest;
        throw new DbBackupException(ErrorKind.NotFound, "FileNotFound", $"'{full}' does not exist; give a .dbbackup bundle or a backup folder containing manifest.json.") { TargetObject = path };
    }

    /// <summary>As <see cref="ImportAsync"/>; Reused is true when the repository already held this very
    /// backup (same id and manifest), which is then returned as it is: a nightly runbook may import or
    /// restore the same bundle again.</summary>
    public async Task<ImportResult> ImportOrReuseAsync(string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        ImportResult imported;
        if (Directory.Exists(full)) imported = await ImportFolderAsync(full, cancellationToken).ConfigureAwait(false);
        else if (File.Exists(full)) imported = await ImportBundleAsync(full, cancellationToken).ConfigureAwait(false);
        else throw new DbBackupException(ErrorKind.NotFound, "FileNotFound", $"'{full}' does not exist; give a .dbbackup bundle or a backup folder containing manifest.json.") { TargetObject = path };
        if (imported.Reused)
        {
            context.Log("ImportReused", imported.Record, $"From {full}: backup {imported.Record.Id} is already in the repository with the same manifest; the stored copy is used.", imported.Record.Note);
            return imported;
        }
        // An unsealed manifest (from a DbBackup older than seals) is accepted: its file list and every
        // payload checksum were still checked. It is sealed from now on, as stored here.
        context.Log("Imported", imported.Record, $"From {full}" + (imported.Sealed ? "" : " (its manifest had no seal: written by an older DbBackup, so only its file list and payload checksums could be checked)"), imported.Record.Note);
        return imported;
    }

    /// <summary>The backup already stored under the incoming manifest's id, when it is the same backup
    /// (same target, time and payload); a different backup under the same id is refused.</summary>
    public BackupRecord? AlreadyStored(BackupRecord incoming, string done = "imported")
    {
        if (context.Repository.TryReadBackup(incoming.Id) is not { } existing) return null;
        var same = existing.Engine == incoming.Engine && existing.Database == incoming.Database && existing.Server == incoming.Server
            && existing.Port == incoming.Port && existing.CreatedAt == incoming.CreatedAt && existing.State == OperationState.Succeeded
            && BackupJob.FileListHash(existing.Files) == BackupJob.FileListHash(incoming.Files);
        if (!same)
            throw new DbBackupException(ErrorKind.InvalidOperation, "BackupAlreadyExists",
                $"The repository '{context.RepositoryPath}' already holds a different backup under the id {incoming.Id} ('{existing.Name}'); nothing was {done}.") { TargetObject = incoming.Id };
        return existing;
    }

    public static BackupRecord ValidateImportedManifest(BackupRecord b, string source)
    {
        if (b.FormatVersion > BackupEngine.PayloadFormatVersion || b.FormatVersion < 1)
            throw new DbBackupException(ErrorKind.NotSupported, "FormatVersionTooNew", $"'{source}' holds payload format version {b.FormatVersion}; this DbBackup reads versions 1 to {BackupEngine.PayloadFormatVersion}. Upgrade DbBackup to import it.") { TargetObject = source };
        Ids.Validate(b.Id);
        if (b.State != OperationState.Succeeded)
            throw new DbBackupException(ErrorKind.InvalidData, "BackupNotRestorable", $"'{source}' holds a backup in state {b.State}; only Succeeded backups can be imported.") { TargetObject = source };
        if (b.Files.Count == 0 || b.Files.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() != b.Files.Count)
            throw new DbBackupException(ErrorKind.InvalidData, "CorruptMetadata", $"'{source}' has an empty or duplicated file list.") { TargetObject = source };
        foreach (var f in b.Files)
        {
            PayloadPaths.Validate(f.Name);
            if (!f.Name.StartsWith("payload/", StringComparison.Ordinal) || f.Size < 0 || f.Sha256.Length != 64)
                throw new DbBackupException(ErrorKind.InvalidData, "CorruptMetadata", $"'{source}' lists an invalid payload file '{f.Name}'.") { TargetObject = source };
        }
        if (b.Sha256 != null && BackupJob.FileListHash(b.Files) != b.Sha256)
            throw new DbBackupException(ErrorKind.InvalidData, "ChecksumMismatch", $"'{source}': the manifest's file list does not match its recorded checksum.") { TargetObject = source };
        return b;
    }

    private static BackupRecord AsImported(BackupRecord b)
    {
        b.Kind = BackupKind.Imported;
        b.WorkerProcessId = null;
        b.WorkerHost = null;
        b.WorkerHostId = null;
        b.CallbackUrl = null;
        return b;
    }

    private async Task<ImportResult> ImportBundleAsync(string full, CancellationToken ct)
    {
        // The tar structure (header checksums, padding, end marker) first; then pass 1 reads and checks
        // everything without writing; pass 2 extracts (checking again).
        TarArchiveCheck.Validate(full);
        var (manifest, isSealed) = await BundleReader.ReadBundleAsync(full, null, ct).ConfigureAwait(false);
        if (AlreadyStored(manifest) is { } stored) return new ImportResult(stored, isSealed, Reused: true);
        return new ImportResult(await ImportThroughStagingAsync(manifest, staging => BundleReader.ReadBundleAsync(full, staging, ct), ct).ConfigureAwait(false), isSealed, Reused: false);
    }

    /// <summary>Writes the payload with <paramref name="fill"/> (each file a streaming upload, checked as
    /// it passes), then the imported manifest, created only if the id is still free: the backup is
    /// listed only once whole (a backup without a manifest is skipped by listings, and stores have no
    /// folder rename). On any failure what was written is removed, unless another import of the same
    /// backup stored its manifest first (then those are its very files, already checked).</summary>
    private async Task<BackupRecord> ImportThroughStagingAsync(BackupRecord manifest, Func<PayloadTarget, Task> fill, CancellationToken ct)
    {
        var record = AsImported(manifest);
        await context.Repository.EnsureCreatedAsync(ct).ConfigureAwait(false);
        try
        {
            await fill(new PayloadTarget(context.Repository.Store, BackupRepository.BackupPrefix(record.Id))).ConfigureAwait(false);
            if (await context.Repository.TryCreateManifestAsync(record, ct).ConfigureAwait(false)) return record;
        }
        catch when (!Stored(record.Id))
        {
            await context.Repository.DeleteBackupAsync(record.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return AlreadyStored(manifest) ?? throw new DbBackupException(ErrorKind.InvalidOperation, "BackupAlreadyExists",
            $"The repository '{context.RepositoryPath}' already holds a backup under the id {record.Id}; nothing was imported.") { TargetObject = record.Id };
    }

    /// <summary>True when a manifest (readable or not) is stored under <paramref name="id"/>.</summary>
    public bool Stored(string id)
    {
        try { return context.Repository.TryReadBackup(id) != null; }
        catch (DbBackupException) { return true; }
    }

    private async Task<ImportResult> ImportFolderAsync(string folder, CancellationToken ct)
    {
        var manifestPath = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifestPath))
            throw new DbBackupException(ErrorKind.InvalidData, "NotABackupFolder", $"'{folder}' has no manifest.json; it is not a DbBackup backup folder.") { TargetObject = folder };
        var (read, isSealed) = RecordFile.Read<BackupRecord>(manifestPath);
        var manifest = ValidateImportedManifest(read, folder);
        var buffer = new byte[1 << 16];
        foreach (var f in manifest.Files)
        {
            var src = PayloadPaths.Resolve(folder, f.Name);
            if (!File.Exists(src)) throw new DbBackupException(ErrorKind.InvalidData, "PayloadFileMissing", $"'{folder}' lacks payload file '{f.Name}'. Nothing was imported.") { TargetObject = folder };
            await using var v = new VerifyingStream(File.OpenRead(src), f);
            while (await v.ReadAsync(buffer, ct).ConfigureAwait(false) > 0) { }
        }
        if (AlreadyStored(manifest) is { } stored) return new ImportResult(stored, isSealed, Reused: true);
        var record = await ImportThroughStagingAsync(manifest, async staging =>
        {
            foreach (var f in manifest.Files)
            {
                await using var v = new VerifyingStream(File.OpenRead(PayloadPaths.Resolve(folder, f.Name)), f);
                await staging.CopyAsync(f.Name, v, ct).ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false);
        return new ImportResult(record, isSealed, Reused: false);
    }
}
