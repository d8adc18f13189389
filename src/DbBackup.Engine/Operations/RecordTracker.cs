using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Inside a worker: owns the running record, applies updates under a lock, writes it to the
/// repository at most about once a second (and at once when asked), writes a heartbeat on a timer,
/// and turns a cancel request file (written by any other process) into cancellation of <see cref="Token"/>.</summary>
internal sealed class RecordTracker<T> : IDisposable where T : class, IOperationRecord
{
    private readonly T _record;
    private readonly Action<T> _write;
    private readonly string _cancelFile;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _cts;
    private readonly Timer _timer;
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;
    private bool _dirty;
    private bool _finished;

    public RecordTracker(T record, Action<T> write, string cancelFile, CancellationToken outer)
    {
        _record = record;
        _write = write;
        _cancelFile = cancelFile;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _timer = new Timer(_ => Tick(), null, BackupEngine.HeartbeatInterval, BackupEngine.HeartbeatInterval);
    }

    /// <summary>Cancelled when the caller cancels or someone asks for cancellation through the repository.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True when the cancellation came from a cancel request.</summary>
    public bool CancelRequested { get; private set; }

    /// <summary>Applies a change; writes now if <paramref name="flush"/> or if the last write is older than a second.</summary>
    public void Update(Action<T> change, bool flush = false)
    {
        lock (_lock)
        {
            if (_finished) return;
            change(_record);
            if (_record.Progress is { } p) p.UpdatedAt = DateTimeOffset.UtcNow;
            _dirty = true;
            if (flush || DateTimeOffset.UtcNow - _lastWrite > TimeSpan.FromSeconds(1)) WriteLocked();
            if (!_record.IsActive) _finished = true;
        }
    }

    private void WriteLocked()
    {
        SetHeartbeat(_record, DateTimeOffset.UtcNow);
        _write(_record);
        _lastWrite = DateTimeOffset.UtcNow;
        _dirty = false;
    }

    private static void SetHeartbeat(T record, DateTimeOffset now)
    {
        switch (record)
        {
            case BackupRecord b: b.HeartbeatAt = now; break;
            case RestoreRecord r: r.HeartbeatAt = now; break;
        }
    }

    private void Tick()
    {
        try
        {
            if (!CancelRequested && File.Exists(_cancelFile))
            {
                CancelRequested = true;
                _cts.Cancel();
            }
            lock (_lock)
            {
                if (_finished) return;
                if (_dirty || DateTimeOffset.UtcNow - _lastWrite >= BackupEngine.HeartbeatInterval) WriteLocked();
            }
        }
        catch (Exception)
        {
            // A failed heartbeat write (e.g. disk full) must not crash the worker; the main path reports it.
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _cts.Dispose();
    }
}
