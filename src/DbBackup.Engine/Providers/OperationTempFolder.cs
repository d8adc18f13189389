using DbBackup.Engine.Repository;

namespace DbBackup.Engine.Providers;

/// <summary>Where an operation's temporary files go: a local folder named after the operation
/// (<see cref="Repository.BackupRepository.ScratchFolder"/>: inside its record folder for a local
/// repository), so whoever finds a dead worker's operation can remove what it left there. Code not
/// running inside an operation gets the system temp folder.</summary>
public static class OperationTempFolder
{
    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The folder for temporary files of the running operation (created, owner-only), or the
    /// system temp folder outside an operation.</summary>
    public static string Path
    {
        get
        {
            if (Current.Value is not { } folder) return System.IO.Path.GetTempPath();
            SecureFiles.CreateFolder(folder);
            return folder;
        }
    }

    /// <summary>Makes <paramref name="folder"/> the temp folder of the code that runs in this async flow.</summary>
    public static void Use(string folder) => Current.Value = folder;

    /// <summary>Removes an operation's temp folder and everything in it.</summary>
    public static void Remove(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a later cleanup retries */ }
    }
}
