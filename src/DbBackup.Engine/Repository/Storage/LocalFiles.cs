using System.Runtime.InteropServices;
namespace DbBackup.Engine.Repository.Storage;

/// <summary>The file operations under <see cref="LocalFolderStore"/>, each with the repository's
/// rules (owner-only modes, atomic replacement, waiting out another process's flock).</summary>
internal static class LocalFiles
{
    /// <summary>How long a reader or appender waits for another process's lock on a file (the
    /// activity log's appender holds it for one small write).</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);

    /// <summary>Opens a file for reading, sharing it with writers and renames. .NET takes a shared
    /// flock on Unix and fails at once while a writer holds it exclusively, so this waits its turn.</summary>
    public static FileStream OpenShared(string path)
        => Retry(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16));

    /// <summary>Creates <paramref name="path"/> with <paramref name="bytes"/> only when it does not
    /// exist, atomically: the bytes go to a temp file first, which is then linked into place without
    /// replacing anything (File.Move without overwrite: link(2) on Unix, so EEXIST is O_EXCL's answer,
    /// and a reader never sees a half-written file). False when the file existed.</summary>
    public static bool CreateExclusive(string path, byte[] bytes)
    {
        EnsureParent(path);
        var tmp = SecureFiles.TempNameFor(path);
        try
        {
            using (var fs = new FileStream(tmp, SecureFiles.NewFileOptions(FileMode.CreateNew, FileAccess.Write, 4096)))
            {
                SecureFiles.ShareLikeFolder(fs.SafeFileHandle, tmp);
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            return LinkExclusive(tmp, path);
        }
        finally
        {
            SecureFiles.TryDelete(tmp);
        }
    }

    /// <summary>Puts the complete file <paramref name="tmp"/> in place as <paramref name="path"/> unless
    /// something is already there, atomically: on Unix link(2), which fails with EEXIST whatever another
    /// process does at the same instant (File.Move without overwrite checks and then renames, so two
    /// racing creators could both win); on Windows MoveFileEx without replace, which is atomic there.</summary>
    private static bool LinkExclusive(string tmp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try { File.Move(tmp, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { return false; }
            return true;
        }
        if (link(tmp, path) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST) return false;
        throw new IOException($"Could not create '{path}' (link failed with errno {errno}).");
    }

    private const int EEXIST = 17;

    [DllImport("libc", SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath);

    /// <summary>Replaces <paramref name="path"/> atomically (temp file, fsync, rename).</summary>
    public static void WriteAtomic(string path, byte[] bytes)
    {
        EnsureParent(path);
        SecureFiles.WriteAllBytesAtomic(path, bytes);
    }

    /// <summary>Appends under an exclusive lock. .NET's FileMode.Append is not O_APPEND (it seeks to the
    /// end once, then writes at its own offset), so concurrent writers (callers and workers) would
    /// overwrite each other's lines. FileShare.None holds an exclusive flock while the bytes are
    /// written; a writer that finds the file busy waits its turn instead of failing (which crashed
    /// workers mid-operation).</summary>
    public static void AppendLocked(string path, ReadOnlySpan<byte> bytes)
    {
        EnsureParent(path);
        using var fs = Retry(() => new FileStream(path, SecureFiles.NewFileOptions(FileMode.Append, FileAccess.Write, 0)));
        if (fs.Position == 0) SecureFiles.ShareLikeFolder(fs.SafeFileHandle, path);
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Deletes a file; false when it was not there.</summary>
    public static bool Delete(string path)
    {
        try
        {
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException) { return false; }
    }

    /// <summary>Removes <paramref name="folder"/> and its parents while they are empty, stopping below
    /// the repository's top-level folders (backups/, restores/, locks/ stay).</summary>
    public static void RemoveEmptyFolders(string folder, string root)
    {
        for (var f = folder; Path.GetDirectoryName(f) is { } parent && !SamePath(parent, root) && !SamePath(f, root); f = parent)
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(f).Any()) return;
                Directory.Delete(f);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        }
    }

    /// <summary>Creates the parent folder of <paramref name="path"/> (owner-only).</summary>
    public static void EnsureParent(string path) => SecureFiles.CreateFolder(Path.GetDirectoryName(path)!);

    private static bool SamePath(string a, string b)
        => string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Runs <paramref name="open"/>, retrying while another process holds the file's lock.</summary>
    private static FileStream Retry(Func<FileStream> open)
    {
        var deadline = DateTime.UtcNow + LockWait;
        for (var attempt = 0; ; attempt++)
        {
            try { return open(); }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && DateTime.UtcNow < deadline)
            {
                // The holder keeps it for one small write; opening fails only on the lock.
                Thread.Sleep(Math.Min(2 + attempt, 20));
            }
        }
    }
}
