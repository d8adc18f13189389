using System.Collections.Concurrent;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>Finds out whether a store really honours conditional writes: it writes one probe object
/// with IfAbsent twice under a unique key (the second write must be refused), then deletes it. Some S3
/// emulators accept <c>If-None-Match</c> and ignore it; on those two hosts could both take one lock, so
/// the engine must know, and say so, instead of silently losing a race. Runs once per store location
/// per process.</summary>
public static class ConditionalWriteProbe
{
    /// <summary>Where probe objects are written (outside every key the engine lists).</summary>
    public const string KeyPrefix = ".dbbackup-probe/";

    private static readonly ConcurrentDictionary<string, bool> Results = new(StringComparer.Ordinal);

    /// <summary>True when a second IfAbsent write of one key was refused. Needs the write right (a
    /// credential without it fails here, naming the right, as any write would); without the delete
    /// right the probe object is left behind.</summary>
    public static async Task<bool> HonouredAsync(IRepositoryStore store, CancellationToken cancellationToken)
    {
        if (Results.TryGetValue(store.Location, out var known)) return known;
        var key = KeyPrefix + Environment.MachineName + "-" + Guid.NewGuid().ToString("N");
        var first = await store.TryWriteAsync(key, "probe 1"u8.ToArray(), WriteCondition.IfAbsent, cancellationToken).ConfigureAwait(false);
        try
        {
            if (first is null) return false; // refused on an absent key: not a store that works as it says
            var second = await store.TryWriteAsync(key, "probe 2"u8.ToArray(), WriteCondition.IfAbsent, cancellationToken).ConfigureAwait(false);
            return Results[store.Location] = second is null;
        }
        finally
        {
            // A create-only credential (no delete right) may still back up: its probe object stays,
            // outside every key the engine lists, rather than refusing the repository.
            try { await store.DeleteAsync(key, null, CancellationToken.None).ConfigureAwait(false); }
            catch (DbBackupException e) when (e.ErrorId == "StoreAccessDenied") { }
        }
    }

    /// <summary>Probes <paramref name="store"/> when its support must be found out, and records the result in its features.</summary>
    internal static async Task ProbeAsync(IRepositoryStore store, CancellationToken cancellationToken)
    {
        if (store is IProbedStore probed) probed.SetConditionalWrites(await HonouredAsync(store, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The warning the engine shows for a store whose probe failed: what is lost and what the
    /// tool does instead.</summary>
    public static string UnavailableWarning(string location)
        => $"Cross-host locking is unavailable on this store: {location} accepted a second create-if-absent write of one object, " +
           "so it ignores conditional writes (If-None-Match), as some S3 emulators do. DbBackup checks each lock there by reading it " +
           "first: that refuses an operation started while another runs on the same database, but two hosts starting the same " +
           "database at the same instant can both run. Run the backups and restores of each database from one host (one scheduler), " +
           "or use AWS S3, MinIO or Azure Blob, which honour conditional writes.";

}
