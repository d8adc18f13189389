namespace DbBackup.Engine.Repository.Storage;

/// <summary>What a store guarantees. Conditional writes are what make locks and record updates safe
/// between hosts; a store that ignores them (some S3 emulators) is found by a probe when the
/// repository is opened, and the engine then says that cross-host locking is unavailable.</summary>
/// <param name="ConditionalWrites">IfAbsent and IfVersion are honoured atomically.</param>
/// <param name="Appends">AppendAsync is available (local files, Azure append blobs).</param>
/// <param name="SameHostOnly">Every writer is on this host (a local folder), so a lock holder's
/// process id can be checked; elsewhere staleness is judged by heartbeat age.</param>
public sealed record StoreFeatures(bool ConditionalWrites, bool Appends, bool SameHostOnly);
