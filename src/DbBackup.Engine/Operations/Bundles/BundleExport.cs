using System.Formats.Tar;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Saving a backup as one bundle file (a tar: manifest first, then the payload).</summary>
internal sealed class BundleExport(EngineContext context)
{
    /// <summary>Writes the backup as one bundle file, re-checking every checksum while copying. The file
    /// appears under its name only when complete; an existing file is refused unless <paramref name="force"/>.</summary>
    public async Task<FileInfo> SaveAsync(string id, string path, bool force, CancellationToken cancellationToken)
    {
        var b = context.Records.GetBackup(id);
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
                        await using var verifying = new VerifyingStream(await context.Payloads.OpenPayloadAsync(b, f, cancellationToken).ConfigureAwait(false), f);
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
        catch (IOException e) when (Repository.Storage.StoreFailures.IsDiskFull(e))
        {
            SecureFiles.TryDelete(tmp);
            throw Repository.Storage.StoreFailures.DiskFull(full, e);
        }
        catch
        {
            SecureFiles.TryDelete(tmp);
            throw;
        }
        context.Log("Saved", b, $"Bundle written to {full}");
        return new FileInfo(full);
    }
}
