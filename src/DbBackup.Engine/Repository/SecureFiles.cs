using System.Text;

namespace DbBackup.Engine.Repository;

/// <summary>File-system writes with the repository's rules: on Unix folders are 0700 and files 0600
/// (backups hold whole databases); whole-file writes are atomic (temp file + fsync + rename).
/// Shared repositories: inside a folder with the setgid bit (<c>chmod g+s</c>, the usual opt-in for
/// group-shared folders) new folders also get that folder's group bits and the setgid bit, and new
/// files its group read/write bits, whatever the umask: a 2750 root makes a repository its group can
/// read, a 2770 root one its group can also write. Others never get any bit.</summary>
public static class SecureFiles
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupBits = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;

    /// <summary>The group bits a new entry of <paramref name="folder"/> shares: the folder's own, when it
    /// has the setgid bit; none otherwise (the owner-only default).</summary>
    private static UnixFileMode SharedGroupBits(string? folder)
    {
        if (OperatingSystem.IsWindows() || folder is null) return UnixFileMode.None;
        try
        {
            var mode = File.GetUnixFileMode(folder);
            return (mode & UnixFileMode.SetGroup) != 0 ? mode & GroupBits : UnixFileMode.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return UnixFileMode.None; }
    }

    /// <summary>Gives a file just created at <paramref name="path"/> the group read/write bits of its
    /// folder when that folder is shared (see the class remarks); owner-only files are left as they are.</summary>
    public static void ShareLikeFolder(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path)
    {
        var group = SharedGroupBits(Path.GetDirectoryName(Path.GetFullPath(path))) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        if (group == UnixFileMode.None || OperatingSystem.IsWindows()) return;
        // Another member's file (an empty lock or log it created) is theirs to chmod, and already shared.
        try { File.SetUnixFileMode(handle, FileMode0600 | group); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { }
    }

    /// <summary>Creates a folder (and parents) readable by the owner only.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; missing parents
        // get 0777 & umask (e.g. payload/ when payload/data/ is created first on import). So create
        // each missing ancestor, outermost first, with the owner-only mode.
        var missing = new Stack<string>();
        for (var p = Path.GetFullPath(path); !Directory.Exists(p); p = Path.GetDirectoryName(p)!)
        {
            missing.Push(p);
            if (Path.GetDirectoryName(p) == null) break;
        }
        while (missing.TryPop(out var folder))
        {
            Directory.CreateDirectory(folder, FolderMode);
            // Set explicitly: mkdir's mode passes through the umask, which would drop group write.
            var group = SharedGroupBits(Path.GetDirectoryName(folder));
            if (group != UnixFileMode.None) File.SetUnixFileMode(folder, FolderMode | group | UnixFileMode.SetGroup);
        }
    }

    /// <summary>Options for a new owner-only file.</summary>
    public static FileStreamOptions NewFileOptions(FileMode mode = FileMode.CreateNew, FileAccess access = FileAccess.Write, int bufferSize = 1 << 16)
    {
        var o = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows()) o.UnixCreateMode = FileMode0600;
        return o;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically: readers see
    /// the old or the new content, never a mix, and a crash leaves no half-written file.</summary>
    public static void WriteAllTextAtomic(string path, string content) => WriteAllBytesAtomic(path, Encoding.UTF8.GetBytes(content));

    /// <summary>As <see cref="WriteAllTextAtomic"/>, for bytes. The temp file is named
    /// "&lt;path&gt;.&lt;pid&gt;.&lt;8 hex&gt;.tmp" so a leftover names its writer (see <see cref="RemoveDeadTempFiles"/>).</summary>
    public static void WriteAllBytesAtomic(string path, byte[] content)
    {
        var tmp = TempNameFor(path);
        try
        {
            using (var fs = new FileStream(tmp, NewFileOptions(FileMode.CreateNew, FileAccess.Write, 4096)))
            {
                ShareLikeFolder(fs.SafeFileHandle, tmp);
                fs.Write(content);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>A fresh temp file name beside <paramref name="path"/>, naming this process as its writer.</summary>
    public static string TempNameFor(string path) => path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";

    /// <summary>A dead writer's temp file is removed this long after it was last written (a pid of
    /// another host sharing the folder means nothing here, and its writes take milliseconds).</summary>
    internal static readonly TimeSpan DeadWriterGrace = TimeSpan.FromSeconds(10);

    /// <summary>Any temp file is removed once this old, whoever wrote it.</summary>
    internal static readonly TimeSpan TempMaxAge = TimeSpan.FromHours(1);

    /// <summary>Deletes the atomic-write leftovers of <paramref name="path"/> (left when a kill hit the
    /// write) whose writer process is gone, or that are older than <see cref="TempMaxAge"/>. Returns
    /// how many were removed.</summary>
    public static int RemoveDeadTempFiles(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        var prefix = Path.GetFileName(path) + ".";
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(folder, prefix + "*.tmp").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        return candidates.Count(tmp => Path.GetFileName(tmp).Length > prefix.Length && IsTempFile(tmp) && RemoveIfDeadTempFile(tmp));
    }

    /// <summary>True when <paramref name="path"/> is named as an atomic write's temp file
    /// ("&lt;name&gt;.&lt;pid&gt;.&lt;8 hex&gt;.tmp").</summary>
    public static bool IsTempFile(string path)
    {
        var parts = Path.GetFileName(path).Split('.');
        return parts.Length >= 4 && parts[^1] == "tmp" && parts[^2].Length == 8 && parts[^2].All(char.IsAsciiHexDigit) && int.TryParse(parts[^3], out _);
    }

    /// <summary>Deletes the temp file <paramref name="tmp"/> when its writer process is gone (after
    /// <see cref="DeadWriterGrace"/>) or it is older than <see cref="TempMaxAge"/>; true when deleted.</summary>
    public static bool RemoveIfDeadTempFile(string tmp)
    {
        var parts = Path.GetFileName(tmp).Split('.');
        if (parts.Length < 4 || !int.TryParse(parts[^3], out var pid)) return false;
        var age = DateTime.UtcNow - File.GetLastWriteTimeUtc(tmp);
        var writerGone = pid != Environment.ProcessId && !Operations.ProcessLiveness.IsAlive(pid);
        if ((!writerGone || age <= DeadWriterGrace) && age <= TempMaxAge) return false;
        TryDelete(tmp);
        return true;
    }

    /// <summary>Deletes a file, ignoring one that is already gone.</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
