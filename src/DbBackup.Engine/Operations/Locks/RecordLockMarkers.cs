using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Engine.Operations;

/// <summary>The empty lock files of a local repository (locks/records/&lt;id&gt;.lock for a record,
/// locks/records/&lt;key with '~' for '/'&gt;.lock for any other object written compare-and-swap: target locks,
/// the catalog, policies). Removing a record removes its file; this sweep removes those whose object no longer
/// exists (records removed by hand or by an older DbBackup, restores removed before restore retention, the
/// target locks of databases no longer backed up) so that locks/ does not grow for ever. Only files at least
/// <see cref="SecureFiles.TempMaxAge"/> old (the rule for a killed writer's temp file) and held by nobody are
/// taken, and the object is checked again while the file is held: a lock being taken now is never removed.
/// Object stores have no such files (their conditional writes need none).</summary>
internal sealed class RecordLockMarkers(EngineContext context)
{
    /// <summary>Deletes the lock files whose object is gone; returns how many.</summary>
    public int SweepOrphans()
    {
        if (context.Repository.Store is not LocalFolderStore local) return 0;
        var folder = Path.Combine(local.Root, "locks", "records");
        List<string> files;
        try { files = Directory.EnumerateFiles(folder, "*.lock").ToList(); }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException) { return 0; }
        var records = RecordFolders(local);
        var oldEnough = DateTime.UtcNow - SecureFiles.TempMaxAge;
        var removed = 0;
        foreach (var file in files)
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) > oldEnough || ObjectExists(local, records, file)) continue;
                if (RecordLock.TryDeleteUnused(file, () => !ObjectExists(local, null, file))) removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the next sweep tries again */ }
        }
        return removed;
    }

    /// <summary>The record folders (backups/ and restores/) as one listing each: the common case of a lock file
    /// whose record is there costs no file-system call of its own.</summary>
    private static HashSet<string> RecordFolders(LocalFolderStore local)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in new[] { "backups", "restores" })
        {
            try { ids.UnionWith(Directory.EnumerateDirectories(Path.Combine(local.Root, kind)).Select(Path.GetFileName).OfType<string>()); }
            catch (DirectoryNotFoundException) { }
        }
        return ids;
    }

    /// <summary>Whether the object a lock file serves exists: a record by its folder (an import writes its
    /// payload before its manifest), any other object by its file. With <paramref name="records"/> null the
    /// record folders are checked afresh. A name this layout does not know is kept.</summary>
    private static bool ObjectExists(LocalFolderStore local, HashSet<string>? records, string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        if (Ids.IsValid(name) && (Ids.IsBackupId(name) || Ids.IsRestoreId(name)))
            return records?.Contains(name) ?? (Directory.Exists(Path.Combine(local.Root, "backups", name)) || Directory.Exists(Path.Combine(local.Root, "restores", name)));
        try { return File.Exists(local.PathOf(name.Replace('~', '/'))); }
        catch (DbBackupException) { return true; }
    }
}
