namespace DbBackup.Engine.Repository.Storage;

// The OS locks that serialise conditional writes and deletes of one key, and the record keys whose lock
// files older DbBackup versions share.
public sealed partial class LocalFolderStore
{
    /// <summary>How long a conditional write waits for the object's lock before giving up with
    /// <see cref="StoreErrors.Busy"/> (a holder stopped mid-write, e.g. by SIGSTOP).</summary>
    internal static TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The OS lock that serialises conditional writes of one key: for a manifest or restore
    /// record the very file older DbBackup versions lock (so both can share a repository), for any
    /// other key a file named after the key beside them.</summary>
    private RecordLock HoldLock(string key)
    {
        var path = RecordIdOf(key) is { } id ? RecordLockPath(id) : Path.Combine(Root, "locks", "records", key.Replace('/', '~') + ".lock");
        SecureFiles.CreateFolder(Path.GetDirectoryName(path)!);
        return RecordLock.TryAcquire(path, LockTimeout) ?? throw StoreErrors.Busy(Location, key);
    }

    private string RecordLockPath(string id) => Path.Combine(Root, "locks", "records", id + ".lock");

    /// <summary>The id of a record key ("backups/&lt;id&gt;/manifest.json", "restores/&lt;id&gt;/record.json"), else null.</summary>
    private static string? RecordIdOf(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 3) return null;
        return (parts[0], parts[2]) is ("backups", "manifest.json") or ("restores", "record.json") && Ids.IsValid(parts[1]) ? parts[1] : null;
    }
}
