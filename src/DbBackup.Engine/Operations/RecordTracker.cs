using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Inside a worker: owns the running record, applies updates under a lock, writes it to the
/// repository at most about once a second (and at once when asked), writes a heartbeat on a timer,
/// and turns a cancel request file (written by any other process) into cancellation of <see cref="Token"/>.</summary>
internal sealed class RecordTracker<T> : IDisposable where T : OperationRecord
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

    /// <summary>Moves the record to Running in this process and writes it at once.</summary>
    public void Start(string phase) => Update(r =>
    {
        var now = DateTimeOffset.UtcNow;
        r.State = OperationState.Running;
        r.StatusMessage = "Running.";
        r.StartedAt = now;
        r.WorkerProcessId = Environment.ProcessId;
        r.WorkerHost = Environment.MachineName;
        r.Progress = new OperationProgress { Phase = phase, UpdatedAt = now };
    }, flush: true);

    /// <summary>Ends the record (state, message, times; the worker no longer runs it), applies
    /// <paramref name="more"/> in the same write, and writes it at once. <paramref name="announce"/>
    /// (the activity-log line) runs on the ended record just before that write: a reader who sees the
    /// final state also finds its log line.</summary>
    public void End(OperationState state, string message, Action<T>? more = null, Action<T>? announce = null) => Update(r =>
    {
        more?.Invoke(r);
        Ended(r, state, message);
        announce?.Invoke(r);
        // A reader who sees the final state finds no stale cancel request beside it.
        Repository.SecureFiles.TryDelete(_cancelFile);
    }, flush: true);

    /// <summary>Why the operation stopped: the cancellation kind when it was cancelled, else the error.</summary>
    public string FailureMessage(Exception e) => Token.IsCancellationRequested
        ? (CancelRequested ? "Cancelled on request." : "Cancelled (the worker was stopped).")
        : BackupEngine.Describe(e);

    /// <summary>Final progress: 100%, keeping the byte counts reached, with the table count given or reached.</summary>
    public static OperationProgress Completed(OperationProgress? last, int? tables = null) => new()
    {
        Phase = "Completed",
        Percent = 100,
        TablesDone = tables ?? last?.TablesTotal ?? 0,
        TablesTotal = tables ?? last?.TablesTotal ?? 0,
        BytesDone = last?.BytesDone ?? 0,
        BytesEstimated = last?.BytesEstimated ?? 0,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Sets the fields every ended record has.</summary>
    public static void Ended(OperationRecord r, OperationState state, string message)
    {
        var now = DateTimeOffset.UtcNow;
        r.State = state;
        r.StatusMessage = message;
        r.CompletedAt = now;
        r.Duration = now - r.StartedAt;
        r.WorkerProcessId = null;
    }

    private void WriteLocked()
    {
        _record.HeartbeatAt = DateTimeOffset.UtcNow;
        _write(_record);
        _lastWrite = DateTimeOffset.UtcNow;
        _dirty = false;
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
