using System.Security.Cryptography;
using System.Text;

namespace DbBackup.Engine.Repository;

/// <summary>An exclusive OS lock on this host, per repository and lock key, held while a lock object
/// of that repository is read and created. A store that ignores conditional writes (s3rver) lets two
/// processes that both read "absent" both create the lock object and both run; the two starts on one
/// host are serialised here, so the second one reads the first one's lock object and is refused. On
/// stores that honour conditional writes it changes nothing. Two hosts stay as the README says.</summary>
internal static class HostLocalLock
{
    /// <summary>How long a taker waits for another process on this host to finish taking the lock object
    /// (a read and a write of one small object).</summary>
    internal static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The folder of the lock files: the user's data folder (beside the default repository,
    /// never inside it), so no other user can pre-create or hold them.</summary>
    internal static string Folder { get; set; } = Path.Combine(Path.GetDirectoryName(BackupRepository.DefaultLocalPath())!, "dbbackup-locks");

    /// <summary>The lock file of <paramref name="key"/> in the repository at <paramref name="location"/>.</summary>
    public static string PathOf(string location, string key)
        => Path.Combine(Folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(location + "\n" + key)))[..32] + ".lock");

    /// <summary>Takes the lock (waiting up to <see cref="Timeout"/>); throws TargetBusy when another
    /// process on this host kept it that long (stopped mid-take, e.g. by SIGSTOP).</summary>
    public static IDisposable Take(string location, string key)
    {
        var path = PathOf(location, key);
        SecureFiles.CreateFolder(Folder);
        if (RecordLock.TryAcquire(path, TimeSpan.Zero) is { } free) return free;
        Operations.WorkerPausePoints.At("lock:host-wait");
        return RecordLock.TryAcquire(path, Timeout)
            ?? throw new DbBackupException(ErrorKind.InvalidOperation, "TargetBusy",
                $"Another process on this host has been taking the lock '{key}' of the repository '{location}' for more than {Timeout.TotalSeconds:0} s (host lock file '{path}'). Try again once it has started or ended.") { TargetObject = key };
    }
}
