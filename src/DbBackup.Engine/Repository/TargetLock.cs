using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>Who holds a target: the operation and the process that runs it.</summary>
public sealed class LockOwner
{
    /// <summary>Operation id.</summary>
    public string OperationId { get; set; } = "";
    /// <summary>Process id of the holder (the caller until the worker takes over).</summary>
    public int ProcessId { get; set; }
    /// <summary>Host of the holder.</summary>
    public string Host { get; set; } = "";
    /// <summary>The holder's pid space (<see cref="Operations.HostIdentity"/>), so callers in the same
    /// one can check its pid even on a store shared between hosts.</summary>
    public string? HostId { get; set; }
    /// <summary>When the lock was taken.</summary>
    public DateTimeOffset AcquiredAt { get; set; }
    /// <summary>When the holder last said it is alive (taking or taking over the lock). On a store
    /// shared between hosts a holder's pid cannot be checked, so a lock without a record is judged by
    /// this age instead.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }
    /// <summary>Human-readable target.</summary>
    public string Target { get; set; } = "";
    /// <summary>Set when the holder released the lock but its credential may not delete objects (a
    /// create-only SAS): the lock object stays, marked free, and the next taker replaces it by a
    /// compare-and-swap on its version.</summary>
    public DateTimeOffset? ReleasedAt { get; set; }

    /// <summary>This process as the holder of <paramref name="operationId"/>'s lock on <paramref name="target"/>.</summary>
    public static LockOwner OfThisProcess(string operationId, string target) => new()
    {
        OperationId = operationId,
        ProcessId = Environment.ProcessId,
        Host = Environment.MachineName,
        HostId = Operations.HostIdentity.Current,
        AcquiredAt = DateTimeOffset.UtcNow,
        Target = target,
    };
}

/// <summary>One lock object per target database under locks/, created with a conditional create so
/// two processes (or hosts) can never both hold it. A lock whose operation has ended, or whose holder is gone, is stale and
/// may be broken by the next caller.</summary>
public static class TargetLock
{
    /// <summary>Stable file-name key of a target (engine, host, port, database).</summary>
    public static string Key(DatabaseEngine engine, string server, int port, string database)
    {
        // The server in the form every other comparison of targets uses, so 'localhost' and
        // '127.0.0.1' (one server, as list, status and retention see it) also share one lock.
        var text = $"{engine}|{Providers.ServerNames.Canonical(server)}|{port}|{database}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        var readable = new string(database.Where(char.IsAsciiLetterOrDigit).Take(32).ToArray());
        return $"{engine.ToString().ToLowerInvariant()}-{readable}-{hash}";
    }

    private static string KeyOf(string key) => "locks/" + key + ".lock";

    /// <summary>Tries to take the lock for <paramref name="owner"/> (a conditional create: O_EXCL
    /// locally, If-None-Match on object stores); returns null on success, else the current owner. Callers
    /// on one host take it one at a time (<see cref="HostLocalLock"/>), so on a store that ignores
    /// If-None-Match the second one reads the first one's lock instead of writing over it.</summary>
    public static LockOwner? TryAcquire(BackupRepository repo, string key, LockOwner owner)
    {
        repo.EnsureCreated();
        using var onThisHost = HostLocalLock.Take(repo.Location, key);
        return TryAcquireHeld(repo, key, owner);
    }

    private static LockOwner? TryAcquireHeld(BackupRepository repo, string key, LockOwner owner)
    {
        Operations.WorkerPausePoints.At("lock:taking");
        owner.HeartbeatAt = DateTimeOffset.UtcNow;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(owner, Json.Indented);
        if (StoreSync.Run(() => repo.Store.TryWriteAsync(KeyOf(key), bytes, WriteCondition.IfAbsent, CancellationToken.None)) != null) return null;
        // An older DbBackup creates the file and writes it in two steps: an empty or half-written lock
        // may be one taken a moment ago, so read again briefly before calling it unreadable.
        DateTimeOffset written = DateTimeOffset.MinValue;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var (current, stored) = ReadVersioned(repo, key);
            if (current is { ReleasedAt: not null })
            {
                // Released by a holder that could not delete it: free, taken by replacing exactly that version.
                if (StoreSync.Run(() => repo.Store.TryWriteAsync(KeyOf(key), bytes, WriteCondition.IfVersion(stored!.Version), CancellationToken.None)) != null) return null;
                continue;
            }
            if (current is not null) return current;
            if (stored is null) return TryAcquireHeld(repo, key, owner); // released meanwhile: try again
            written = stored.LastModified;
            Thread.Sleep(20);
        }
        return new LockOwner { OperationId = UnknownOwner, Target = owner.Target, AcquiredAt = written };
    }

    /// <summary>The operation id reported for a lock whose contents cannot be read.</summary>
    public const string UnknownOwner = "(unknown)";

    /// <summary>Current owner, or null when unlocked (or unreadable).</summary>
    public static LockOwner? Read(BackupRepository repo, string key) => ReadVersioned(repo, key).Owner is { ReleasedAt: null } owner ? owner : null;

    /// <summary>Writes a fresh <see cref="LockOwner.HeartbeatAt"/> into the lock while it still names
    /// <paramref name="operationId"/> (a compare-and-swap on the version read). A long operation calls
    /// this on a timer: on a store shared between hosts the holder's pid cannot be checked, so a lock is
    /// judged by this age. False when the lock is gone or names another operation (taken over as stale):
    /// the caller no longer holds it.</summary>
    public static bool Refresh(BackupRepository repo, string key, string operationId)
    {
        var (current, stored) = ReadVersioned(repo, key);
        if (current is not { ReleasedAt: null } || current.OperationId != operationId) return false;
        current.HeartbeatAt = DateTimeOffset.UtcNow;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(current, Json.Indented);
        return StoreSync.Run(() => repo.Store.TryWriteAsync(KeyOf(key), bytes, WriteCondition.IfVersion(stored!.Version), CancellationToken.None)) != null;
    }

    private static (LockOwner? Owner, StoredObject? Stored) ReadVersioned(BackupRepository repo, string key)
    {
        var stored = StoreSync.Run(() => repo.Store.TryReadAsync(KeyOf(key), CancellationToken.None));
        if (stored == null) return (null, null);
        try { return (Json.Parse<LockOwner>(stored.Content, repo.Describe(KeyOf(key))), stored); }
        catch (DbBackupException) { return (null, stored); }
    }

    /// <summary>Rewrites the lock for a new holder process of the same operation (the worker taking
    /// over), only while it still names that operation or is gone; a lock another operation took
    /// meanwhile is left alone.</summary>
    public static void TakeOver(BackupRepository repo, string key, LockOwner owner)
    {
        owner.HeartbeatAt = DateTimeOffset.UtcNow;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(owner, Json.Indented);
        var (current, stored) = ReadVersioned(repo, key);
        if (stored != null && current is { ReleasedAt: null, OperationId: { } holder } && holder != owner.OperationId) return;
        var condition = stored == null ? WriteCondition.IfAbsent : WriteCondition.IfVersion(stored.Version);
        StoreSync.Run(() => repo.Store.TryWriteAsync(KeyOf(key), bytes, condition, CancellationToken.None));
    }

    /// <summary>Releases the lock if <paramref name="operationId"/> holds it (or it is unreadable).</summary>
    public static void Release(BackupRepository repo, string key, string operationId) => DeleteIfHeldBy(repo, key, operationId, releasing: true);

    /// <summary>Removes a lock found stale, but only while it still names <paramref name="staleOperationId"/>:
    /// two callers that both saw the same stale lock must not have the slower one delete the lock the
    /// faster one has just taken. The delete is conditional on the version read, so a lock re-taken
    /// between the read and the delete stays.</summary>
    public static void Break(BackupRepository repo, string key, string staleOperationId) => DeleteIfHeldBy(repo, key, staleOperationId, releasing: false);

    private static void DeleteIfHeldBy(BackupRepository repo, string key, string operationId, bool releasing)
    {
        var (current, stored) = ReadVersioned(repo, key);
        if (stored == null) return;
        var holder = current?.OperationId ?? UnknownOwner;
        if (current is { ReleasedAt: not null }) return;
        if (holder == operationId || (releasing && holder == UnknownOwner))
        {
            try { StoreSync.Run(() => repo.Store.DeleteAsync(KeyOf(key), stored.Version, CancellationToken.None)); }
            catch (DbBackupException e) when (StoreErrors.IsBusy(e)) { /* the next caller judges the lock again */ }
            catch (DbBackupException e) when (StoreErrors.IsDenied(e, StoreRight.Delete))
            {
                // A credential that may create but not delete (backups allowed, removal not): mark the lock
                // free in place, at the version read, so a lock re-taken meanwhile stays.
                var released = current ?? new LockOwner { OperationId = UnknownOwner };
                released.ReleasedAt = DateTimeOffset.UtcNow;
                var bytes = JsonSerializer.SerializeToUtf8Bytes(released, Json.Indented);
                StoreSync.Run(() => repo.Store.TryWriteAsync(KeyOf(key), bytes, WriteCondition.IfVersion(stored.Version), CancellationToken.None));
            }
        }
    }
}
