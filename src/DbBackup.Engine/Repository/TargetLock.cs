using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
    /// <summary>When the lock was taken.</summary>
    public DateTimeOffset AcquiredAt { get; set; }
    /// <summary>Human-readable target.</summary>
    public string Target { get; set; } = "";
}

/// <summary>One lock file per target database under locks/, created with CreateNew so two processes
/// can never both hold it. A lock whose operation has ended, or whose holder is gone, is stale and
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

    private static string PathOf(BackupRepository repo, string key) => Path.Combine(repo.LocksFolder, key + ".lock");

    /// <summary>Tries to take the lock for <paramref name="owner"/>; returns null on success, else the current owner.</summary>
    public static LockOwner? TryAcquire(BackupRepository repo, string key, LockOwner owner)
    {
        repo.EnsureCreated();
        var path = PathOf(repo, key);
        try
        {
            using var fs = new FileStream(path, SecureFiles.NewFileOptions(FileMode.CreateNew, FileAccess.Write, 4096));
            fs.Write(JsonSerializer.SerializeToUtf8Bytes(owner, Json.Indented));
            fs.Flush(flushToDisk: true);
            return null;
        }
        catch (IOException) when (File.Exists(path))
        {
            // The holder creates the file and writes it in two steps: an empty or half-written file
            // may be a lock taken a moment ago, so read again briefly before calling it unreadable.
            for (var attempt = 0; attempt < 10; attempt++)
            {
                if (Read(repo, key) is { } current) return current;
                Thread.Sleep(20);
            }
            var written = File.Exists(path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero) : DateTimeOffset.MinValue;
            return new LockOwner { OperationId = "(unknown)", Target = owner.Target, AcquiredAt = written };
        }
    }

    /// <summary>Current owner, or null when unlocked.</summary>
    public static LockOwner? Read(BackupRepository repo, string key)
    {
        var path = PathOf(repo, key);
        try { return File.Exists(path) ? Json.ReadFile<LockOwner>(path) : null; }
        catch (DbBackupException) { return null; }
        catch (IOException) { return null; }
    }

    /// <summary>Rewrites the lock for a new holder process of the same operation (the worker taking over).</summary>
    public static void TakeOver(BackupRepository repo, string key, LockOwner owner)
        => SecureFiles.WriteAllTextAtomic(PathOf(repo, key), Json.Write(owner));

    /// <summary>Releases the lock if <paramref name="operationId"/> holds it.</summary>
    public static void Release(BackupRepository repo, string key, string operationId)
    {
        var current = Read(repo, key);
        if (current == null || current.OperationId == operationId || current.OperationId == "(unknown)")
            SecureFiles.TryDelete(PathOf(repo, key));
    }

    /// <summary>Removes a lock found stale, but only while it still names <paramref name="staleOperationId"/>:
    /// two callers that both saw the same stale lock must not have the slower one delete the lock the
    /// faster one has just taken.</summary>
    public static void Break(BackupRepository repo, string key, string staleOperationId)
    {
        var current = Read(repo, key);
        if (current == null ? staleOperationId == "(unknown)" : current.OperationId == staleOperationId)
            SecureFiles.TryDelete(PathOf(repo, key));
    }
}
