using DbBackup.Model;

namespace DbBackup.Engine.Repository;

// A backup folder that holds objects but no manifest: its manifest was deleted or lost (or an import,
// copy or removal is writing or deleting it). Said as such, never as "no such backup", so whoever
// looks for it learns that its files are still there and how to remove them.
public sealed partial class BackupRepository
{
    /// <summary>ManifestMissing (InvalidData) naming backup <paramref name="id"/>, its missing manifest
    /// and how many objects are stored under it, or null when nothing is stored there at all.</summary>
    public async Task<DbBackupException?> MissingManifestAsync(string id, CancellationToken cancellationToken)
    {
        var count = 0;
        var newest = DateTimeOffset.MinValue;
        await foreach (var e in Store.ListAsync(BackupPrefix(id), cancellationToken).ConfigureAwait(false))
        {
            if (e.Key.EndsWith("/" + ManifestFile, StringComparison.Ordinal)) return null; // written meanwhile
            count++;
            if (e.LastModified > newest) newest = e.LastModified;
        }
        if (count == 0) return null;
        return new DbBackupException(ErrorKind.InvalidData, "ManifestMissing",
            $"'{Describe(BackupPrefix(id) + ManifestFile)}' is missing, though {count} other object(s) of backup {id} are stored beside it (the newest written {newest:u}): " +
            "its manifest was deleted or lost, or an import, copy or removal of that backup is under way. Without its manifest none of its files can be checked, so it is never restored, verified or copied; " +
            $"remove what is left with dbbackup remove --id {id} --force / Remove-DbBackup -Id {id} -Force.") { TargetObject = id };
    }
}
