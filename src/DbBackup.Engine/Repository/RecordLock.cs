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

    public void Dispose() => _handle.Dispose();
}
