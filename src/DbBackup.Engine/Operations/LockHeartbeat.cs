using DbBackup.Engine.Repository;

namespace DbBackup.Engine.Operations;

/// <summary>Keeps a worker's target lock fresh while it runs: every <see cref="BackupEngine.LockRefreshInterval"/>
/// it rewrites the lock's heartbeat, a compare-and-swap on the version read, while the lock still names
/// the operation. Across hosts a holder's pid cannot be checked, so a lock is judged by that age
/// (see TargetLocks.HolderMayBeStarting): without the refresh a backup longer than the grace could
/// have its lock taken over while it still runs. Once the lock names another operation (it was taken
/// over as stale after this process stood still) the refresh stops; the record's own fencing then
/// stops the worker.</summary>
internal sealed class LockHeartbeat : IDisposable
{
    private readonly BackupRepository _repository;
    private readonly string _key;
    private readonly string _operationId;
    private readonly Timer _timer;
    private int _running;

    public LockHeartbeat(BackupRepository repository, string key, string operationId)
    {
        _repository = repository;
        _key = key;
        _operationId = operationId;
        _timer = new Timer(_ => Beat(), null, BackupEngine.LockRefreshInterval, BackupEngine.LockRefreshInterval);
    }

    /// <summary>False once a refresh found the lock gone or held by another operation.</summary>
    public bool Held { get; private set; } = true;

    private void Beat()
    {
        // One beat at a time: a slow store must not stack up writes that race each other's versions.
        if (!Held || Interlocked.Exchange(ref _running, 1) == 1) return;
        try { Held = TargetLock.Refresh(_repository, _key, _operationId); }
        catch (Exception)
        {
            // A failed write (store unreachable for a moment) is retried at the next beat; the lock
            // stays fresh enough as long as one beat in the grace period gets through.
        }
        finally { Volatile.Write(ref _running, 0); }
    }

    public void Dispose() => _timer.Dispose();
}
