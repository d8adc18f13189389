using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>Writes the backup as one bundle file, re-checking every checksum while copying. The file
    /// appears under its name only when complete; an existing file is refused unless <paramref name="force"/>.</summary>
    public async Task<FileInfo> SaveAsync(string id, string path, bool force, CancellationToken cancellationToken)
    {
        var b = GetBackup(id);
        if (b.State != OperationState.Succeeded)
            throw new DbBackupException(ErrorKind.InvalidOperation, "BackupNotSaveable", $"Backup {id} is {b.State}; only Succeeded backups can be saved.") { TargetObject = id };
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new DbBackupException(ErrorKind.InvalidArgument, "PathIsFolder", $"'{full}' is a folder; give a file path such as '{Path.Combine(full, b.Name + BundleFormat.Extension)}'.") { TargetObject = path };
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new DbBackupException(ErrorKind.NotFound, "FolderNotFound", $"The folder '{dir}' does not exist.") { TargetObject = path };
        if (File.Exists(full) && !force)
            throw new DbBackupException(ErrorKind.InvalidOperation, "FileExists", $"'{full}' already exists; pass --force / -Force to overwrite it.") { TargetObject = path };
        var tmp = full + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using (var output = new FileStream(tmp, SecureFiles.NewFileOptions(FileMode.CreateNew, FileAccess.ReadWrite)))
            {
                await using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
                {
                    var manifest = RecordFile.Serialize(b);
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, BundleFormat.ManifestEntry) { DataStream = new MemoryStream(manifest), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite }, cancellationToken).ConfigureAwait(false);
                    foreach (var f in b.Files)
                    {
                        await using var verifying = new VerifyingStream(await OpenPayloadAsync(b, f, cancellationToken).ConfigureAwait(false), f);
                        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, f.Name) { DataStream = verifying, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite }, cancellationToken).ConfigureAwait(false);
                        // TarWriter stops at the declared length; drain so the verifier sees the end and checks.
                        var one = new byte[1];
                        if (await verifying.ReadAsync(one, cancellationToken).ConfigureAwait(false) != 0)
                            throw new DbBackupException(ErrorKind.InvalidData, "ChecksumMismatch", $"Payload file '{f.Name}' is longer than recorded.");
                    }
                }
                output.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: force);
        }
        catch
        {
            SecureFiles.TryDelete(tmp);
            throw;
        }
        Log("Saved", b, $"Bundle written to {full}");
        return new FileInfo(full);
    }

    /// <summary>Validates and imports a bundle file or a copied backup folder as Kind = Imported.
    /// Every check (format, names, sizes, checksums) passes before anything is written.</summary>
    public async Task<BackupRecord> ImportAsync(string path, CancellationToken cancellationToken)
        => (await ImportOrReuseAsync(path, cancellationToken).ConfigureAwait(false)).Record;

    /// <summary>As <see cref="ImportAsync"/>; Reused is true when the repository already held this very
    /// backup (same id and manifest), which is then returned as it is: a nightly runbook may import or
    /// restore the same bundle again.</summary>
    private async Task<ImportResult> ImportOrReuseAsync(string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        ImportResult imported;
        if (Directory.Exists(full)) imported = await ImportFolderAsync(full, cancellationToken).ConfigureAwait(false);
        else if (File.Exists(full)) imported = await ImportBundleAsync(full, cancellationToken).ConfigureAwait(false);
        else throw new DbBackupException(ErrorKind.NotFound, "FileNotFound", $"'{full}' does not exist; give a .dbbackup bundle or a backup folder containing manifest.json.") { TargetObject = path };
        if (imported.Reused)
        {
            Log("ImportReused", imported.Record, $"From {full}: backup {imported.Record.Id} is already in the repository with the same manifest; the stored copy is used.", imported.Record.Note);
            return imported;
        }
        // An unsealed manifest (from a DbBackup older than seals) is accepted: its file list and every
        // payload checksum were still checked. It is sealed from now on, as stored here.
        Log("Imported", imported.Record, $"From {full}" + (imported.Sealed ? "" : " (its manifest had no seal: written by an older DbBackup, so only its file list and payload checksums could be checked)"), imported.Record.Note);
        return imported;
    }

    private sealed record ImportResult(BackupRecord Record, bool Sealed, bool Reused);

    /// <summary>The backup already stored under the incoming manifest's id, when it is the same backup
    /// (same target, time and payload); a different backup under the same id is refused.</summary>
    private BackupRecord? AlreadyStored(BackupRecord incoming, string done = "imported")
    {
        if (Repository.TryReadBackup(incoming.Id) is not { } existing) return null;
        var same = existing.Engine == incoming.Engine && existing.Database == incoming.Database && existing.Server == incoming.Server
            && existing.Port == incoming.Port && existing.CreatedAt == incoming.CreatedAt && existing.State == OperationState.Succeeded
            && FileListHash(existing.Files) == FileListHash(incoming.Files);
        if (!same)
            throw new DbBackupException(ErrorKind.InvalidOperation, "BackupAlreadyExists",
                $"The repository '{RepositoryPath}' already holds a different backup under the id {incoming.Id} ('{existing.Name}'); nothing was {done}.") { TargetObject = incoming.Id };
        return existing;
    }

    private BackupRecord ValidateImportedManifest(BackupRecord b, string source)
    {
        if (b.FormatVersion > PayloadFormatVersion || b.FormatVersion < 1)
            throw new DbBackupException(ErrorKind.NotSupported, "FormatVersionTooNew", $"'{source}' holds payload format version {b.FormatVersion}; this DbBackup reads versions 1 to {PayloadFormatVersion}. Upgrade DbBackup to import it.") { TargetObject = source };
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
        if (b.Sha256 != null && FileListHash(b.Files) != b.Sha256)
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
        var (manifest, isSealed) = await ReadBundleAsync(full, null, ct).ConfigureAwait(false);
        if (AlreadyStored(manifest) is { } stored) return new ImportResult(stored, isSealed, Reused: true);
        return new ImportResult(await ImportThroughStagingAsync(manifest, staging => ReadBundleAsync(full, staging, ct), ct).ConfigureAwait(false), isSealed, Reused: false);
    }

    /// <summary>Writes the payload with <paramref name="fill"/> (each file a streaming upload, checked as
    /// it passes), then the imported manifest, created only if the id is still free: the backup is
    /// listed only once whole (a backup without a manifest is skipped by listings, and stores have no
    /// folder rename). On any failure what was written is removed, unless another import of the same
    /// backup stored its manifest first (then those are its very files, already checked).</summary>
    private async Task<BackupRecord> ImportThroughStagingAsync(BackupRecord manifest, Func<PayloadTarget, Task> fill, CancellationToken ct)
    {
        var record = AsImported(manifest);
        await Repository.EnsureCreatedAsync(ct).ConfigureAwait(false);
        try
        {
            await fill(new PayloadTarget(Repository.Store, BackupRepository.BackupPrefix(record.Id))).ConfigureAwait(false);
            if (await Repository.TryCreateManifestAsync(record, ct).ConfigureAwait(false)) return record;
        }
        catch when (!Stored(record.Id))
        {
            await Repository.DeleteBackupAsync(record.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return AlreadyStored(manifest) ?? throw new DbBackupException(ErrorKind.InvalidOperation, "BackupAlreadyExists",
            $"The repository '{RepositoryPath}' already holds a backup under the id {record.Id}; nothing was imported.") { TargetObject = record.Id };
    }

    /// <summary>True when a manifest (readable or not) is stored under <paramref name="id"/>.</summary>
    private bool Stored(string id)
    {
        try { return Repository.TryReadBackup(id) != null; }
        catch (DbBackupException) { return true; }
    }

    /// <summary>Where an import writes payload files: streaming uploads under the backup's keys.</summary>
    private sealed record PayloadTarget(Repository.Storage.IRepositoryStore Store, string Prefix)
    {
        /// <summary>Copies <paramref name="source"/> (already verifying) into the file <paramref name="name"/>.</summary>
        public async Task CopyAsync(string name, Stream source, CancellationToken ct)
        {
            await using var upload = await Store.CreateAsync(Prefix + PayloadPaths.Validate(name), ct).ConfigureAwait(false);
            await source.CopyToAsync(upload, 1 << 16, ct).ConfigureAwait(false);
            await upload.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a bundle, validating it; extracts into <paramref name="extractTo"/> when given.</summary>
    private async Task<(BackupRecord Manifest, bool Sealed)> ReadBundleAsync(string full, PayloadTarget? extractTo, CancellationToken ct)
    {
        await using var input = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        await using var tar = new TarReader(input);
        BackupRecord? manifest = null;
        var sealedManifest = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var buffer = new byte[1 << 16];
        try
        {
            while (await tar.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
            {
                if (entry.EntryType is TarEntryType.Directory) continue;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new DbBackupException(ErrorKind.InvalidData, "UnsafeBundleEntry", $"Bundle '{full}' contains '{entry.Name}' of type {entry.EntryType}; only regular files are allowed. Nothing was imported.") { TargetObject = full };
                if (manifest == null)
                {
                    if (entry.Name != BundleFormat.ManifestEntry || entry.DataStream == null || entry.Length > 64 << 20)
                        throw new DbBackupException(ErrorKind.InvalidData, "NotABundle", $"'{full}' is not a DbBackup bundle: its first entry is '{entry.Name}', expected '{BundleFormat.ManifestEntry}'.") { TargetObject = full };
                    var bytes = new byte[entry.Length];
                    await entry.DataStream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
                    (manifest, var isSealed) = RecordFile.Parse<BackupRecord>(bytes, $"{full}:{BundleFormat.ManifestEntry}");
                    manifest = ValidateImportedManifest(manifest, full);
                    sealedManifest = isSealed;
                    continue;
                }
                var name = entry.Name;
                try { PayloadPaths.Validate(name); }
                catch (DbBackupException e) { throw new DbBackupException(ErrorKind.InvalidData, "UnsafeBundleEntry", $"Bundle '{full}': {e.Message} Nothing was imported.", e) { TargetObject = full }; }
                var expected = manifest.Files.FirstOrDefault(f => f.Name == name)
                    ?? throw new DbBackupException(ErrorKind.InvalidData, "UnexpectedBundleEntry", $"Bundle '{full}' contains '{name}', which its manifest does not list. Nothing was imported.") { TargetObject = full };
                if (!seen.Add(name))
                    throw new DbBackupException(ErrorKind.InvalidData, "UnexpectedBundleEntry", $"Bundle '{full}' contains '{name}' twice.") { TargetObject = full };
                await using var verifying = new VerifyingStream(entry.DataStream ?? Stream.Null, expected);
                if (extractTo == null)
                {
                    while (await verifying.ReadAsync(buffer, ct).ConfigureAwait(false) > 0) { }
                }
                else await extractTo.CopyAsync(name, verifying, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new DbBackupException(ErrorKind.InvalidData, "CorruptBundle", $"Bundle '{full}' is damaged or truncated ({e.Message}). Nothing was imported.", e) { TargetObject = full };
        }
        if (manifest == null)
            throw new DbBackupException(ErrorKind.InvalidData, "NotABundle", $"'{full}' is empty or not a DbBackup bundle.") { TargetObject = full };
        var missing = manifest.Files.Where(f => !seen.Contains(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
            throw new DbBackupException(ErrorKind.InvalidData, "CorruptBundle", $"Bundle '{full}' is incomplete: missing {string.Join(", ", missing)} (truncated?). Nothing was imported.") { TargetObject = full };
        return (manifest, sealedManifest);
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
