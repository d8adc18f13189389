using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Engine.Repository;

/// <summary>An OS lock on one record (locks/records/&lt;id&gt;.lock, outside the record's folder so
/// payload clean-ups never touch it), held for the
/// read-check-write of every record write so that a worker and stale detection never both act on the
/// same stored version. .NET takes flock(LOCK_EX) on Unix and a share-none handle on Windows; both
/// end with the process, so a killed holder never leaves the lock held.</summary>
internal sealed class RecordLock : IDisposable
{
    private readonly FileStream _handle;

    private RecordLock(FileStream handle) => _handle = handle;

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/>; null when it stayed busy
    /// (a holder stopped mid-write, e.g. by SIGSTOP).</summary>
    public static RecordLock? TryAcquire(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var handle = new FileStream(path, SecureFiles.NewFileOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, 0));
                // A sweep (TryDeleteUnused) may have unlinked the file while this open waited for it: a lock
                // on a file no longer at the path keeps nobody out, so open the path again.
                if (!File.Exists(path))
                {
                    handle.Dispose();
                    continue;
                }
                // Every writer of a shared repository opens it read-write: give it the folder's group bits.
                if (handle.Length == 0) SecureFiles.ShareLikeFolder(handle.SafeFileHandle, path);
                return new RecordLock(handle);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (DateTime.UtcNow >= deadline) return null;
                Thread.Sleep(Math.Min(1 + attempt, 20));
            }
        }
    }

    /// <summary>Deletes the lock file at <paramref name="path"/> when nobody holds it and
    /// <paramref name="unused"/> still says so once it is taken (without waiting). On Unix the file is
    /// unlinked while held, so an opener that waited on it finds it gone and opens the path afresh (see
    /// <see cref="TryAcquire"/>); on Windows the share-none handle keeps everyone out until it is closed, and
    /// the delete after it fails while anyone has the file open. True when deleted.</summary>
    public static bool TryDeleteUnused(string path, Func<bool> unused)
    {
        FileStream handle;
        try { handle = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1); }
        catch (IOException) { return false; } // gone, or held right now
        catch (UnauthorizedAccessException) { return false; }
        using (handle)
        {
            if (!unused()) return false;
            if (!OperatingSystem.IsWindows()) return LocalFiles.Delete(path);
        }
        try { return LocalFiles.Delete(path); }
        catch (IOException) { return false; }
    }

    public void Dispose() => _handle.Dispose();
}
