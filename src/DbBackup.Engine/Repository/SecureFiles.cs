using System.Text;

namespace DbBackup.Engine.Repository;

/// <summary>File-system writes with the repository's rules: on Unix folders are 0700 and files 0600
/// (backups hold whole databases); whole-file writes are atomic (temp file + fsync + rename).</summary>
public static class SecureFiles
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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
        while (missing.TryPop(out var folder)) Directory.CreateDirectory(folder, FolderMode);
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
    public static void WriteAllTextAtomic(string path, string content)
    {
        var tmp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, NewFileOptions(FileMode.CreateNew, FileAccess.Write, 4096)))
            {
                var bytes = Encoding.UTF8.GetBytes(content);
                fs.Write(bytes);
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

    /// <summary>Deletes a file, ignoring one that is already gone.</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
