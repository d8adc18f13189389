using System.Formats.Tar;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Reads a bundle file entry by entry, checking every rule of the format and every checksum.</summary>
internal static class BundleReader
{
    /// <summary>Reads a bundle, validating it; extracts into <paramref name="extractTo"/> when given.</summary>
    public static async Task<(BackupRecord Manifest, bool Sealed)> ReadBundleAsync(string full, PayloadTarget? extractTo, CancellationToken ct)
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
                    manifest = BundleImport.ValidateImportedManifest(manifest, full);
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
}
