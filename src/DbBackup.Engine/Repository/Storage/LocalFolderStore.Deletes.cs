namespace DbBackup.Engine.Repository.Storage;

// Deletes: single objects (conditional under the key's lock) and whole folders, renamed aside first
// so readers see all or nothing, and the clean-up of folders a killed deleter left renamed aside.
public sealed partial class LocalFolderStore
{
    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string key, string? ifVersion, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try { return Task.FromResult(Delete(key, ifVersion)); }
        catch (UnauthorizedAccessException e) { throw Denied(e, key, StoreRight.Delete); }
    }

    private bool Delete(string key, string? ifVersion)
    {
        var path = PathOf(key);
        bool deleted;
        if (ifVersion == null) deleted = LocalFiles.Delete(path);
        else
        {
            using var held = HoldLock(key);
            deleted = File.Exists(path) && CurrentVersion(path) == ifVersion && LocalFiles.Delete(path);
        }
        if (deleted)
        {
            // A removed record also loses its lock file, as the old folder delete did.
            if (RecordIdOf(key) is { } id) LocalFiles.Delete(RecordLockPath(id));
            LocalFiles.RemoveEmptyFolders(Path.GetDirectoryName(path)!, Root);
        }
        return deleted;
    }

    /// <inheritdoc/>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        StoreKeys.ValidatePrefix(prefix);
        if (!prefix.EndsWith('/')) throw new ArgumentException($"A prefix to delete names a folder and ends with '/'; got '{prefix}'.", nameof(prefix));
        var folder = PathOf(prefix.TrimEnd('/'));
        // First renamed aside in one step (readers see all of it or none of it, as the old folder
        // delete did), then deleted whole: a stopped writer's temp files go with it (it keeps writing
        // into unlinked files if it resumes).
        var trash = Path.Combine(Path.GetDirectoryName(folder)!, "." + Path.GetFileName(folder) + TrashMark + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        try { Directory.Move(folder, trash); }
        catch (DirectoryNotFoundException) { return; }
        catch (UnauthorizedAccessException e) { throw Denied(e, prefix, StoreRight.Delete); }
        // .NET reports a refused rename as an IOException carrying errno (EACCES 13, EPERM 1).
        catch (IOException e) when (!OperatingSystem.IsWindows() && e.HResult is 13 or 1) { throw Denied(e, prefix, StoreRight.Delete); }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(trash, recursive: true);
                break;
            }
            catch (DirectoryNotFoundException) { break; }
            catch (IOException) when (attempt < 5) { Thread.Sleep(20); } // a resumed writer created a file meanwhile
        }
        var parts = prefix.Split('/');
        if (parts.Length == 3 && parts[0] is "backups" or "restores" && Ids.IsValid(parts[1])) LocalFiles.Delete(RecordLockPath(parts[1]));
        LocalFiles.RemoveEmptyFolders(Path.GetDirectoryName(folder)!, Root);
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Marks a folder renamed aside to be deleted: ".&lt;name&gt;.deleting-&lt;pid&gt;-&lt;8 hex&gt;"
    /// (before 2026-11-26 without the pid).</summary>
    private const string TrashMark = ".deleting-";

    /// <summary>A dead deleter's folder is removed this long after it last changed.</summary>
    private static readonly TimeSpan TrashGrace = TimeSpan.FromMinutes(1);

    /// <summary>Deletes the folders renamed aside under <paramref name="folder"/> by a remove, prune or
    /// stale clean-up that was killed before it finished (whole backups' payloads, which would
    /// otherwise stay on disk unlisted for ever): those whose deleter is gone, or that are older than
    /// <see cref="SecureFiles.TempMaxAge"/>. Best effort.</summary>
    private static void RemoveAbandonedTrash(string folder)
    {
        List<string> trash;
        try { trash = Directory.EnumerateDirectories(folder, "." + "*" + TrashMark + "*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var dir in trash)
        {
            var tail = dir[(dir.LastIndexOf(TrashMark, StringComparison.Ordinal) + TrashMark.Length)..];
            var dash = tail.IndexOf('-');
            var deleterGone = dash > 0 && int.TryParse(tail[..dash], out var pid) && pid != Environment.ProcessId && !Operations.ProcessLiveness.IsAlive(pid);
            var age = DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir);
            if ((!deleterGone || age <= TrashGrace) && age <= SecureFiles.TempMaxAge) continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
