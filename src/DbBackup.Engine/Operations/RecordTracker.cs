using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Inside a worker: owns the running record, applies updates under a lock, writes it to the
/// repository at most about once a second (and at once when asked), writes a heartbeat on a timer,
/// and turns a cancel request (an object beside the record, written by any other process) into cancellation of <see cref="Token"/>.
/// Every write is a compare-and-swap on the record's revision (the first one a claim of the Pending
/// record): when stale detection ended the record meanwhile (the worker was paused, e.g. SIGSTOP) the
/// write fails, the worker is fenced: <see cref="Token"/> is cancelled, nothing more is written, and
/// ending it as Succeeded throws instead, so the worker stops, cleans up and exits.</summary>
internal sealed class RecordTracker<T> : IDisposable where T : OperationRecord
{
    private readonly T _record;
    private readonly BackupRepository _repository;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _cts;
    private readonly Timer _timer;
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;
    private bool _dirty;
    private bool _finished;
    private bool _claimed;

    public RecordTracker(T record, BackupRepository repository, CancellationToken outer)
    {
        _record = record;
        _repository = repository;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _timer = new Timer(_ => Tick(), null, BackupEngine.HeartbeatInterval, BackupEngine.HeartbeatInterval);
    }

    /// <summary>Cancelled when the caller cancels or someone asks for cancellation through the repository.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True when the cancellation came from a cancel request.</summary>
    public bool CancelRequested { get; private set; }

    /// <summary>True once a write found the record taken from this worker (ended by stale detection
    /// or a cancel before the worker started): the worker must stop without touching the record.</summary>
    public bool Fenced { get; private set; }

    /// <summary>What the stored record said when this worker was fenced.</summary>
    private string? _fencedBecause;

    /// <summary>Applies a change; writes now if <paramref name="flush"/> or if the last write is older than a second.</summary>
    public void Update(Action<T> change, bool flush = false) => Apply(change, flush, mustRecord: false);

    /// <summary>As <see cref="Update"/>; with <paramref name="mustRecord"/> a fenced worker gets
    /// WorkerFenced instead of carrying on as if the change had been recorded.</summary>
    private void Apply(Action<T> change, bool flush, bool mustRecord)
    {
        var fencedNow = false;
        lock (_lock)
        {
            if (!_finished)
            {
                change(_record);
                if (_record.Progress is { } p) p.UpdatedAt = DateTimeOffset.UtcNow;
                _dirty = true;
                fencedNow = (flush || DateTimeOffset.UtcNow - _lastWrite > TimeSpan.FromSeconds(1)) && !WriteLocked();
                if (!_record.IsActive) _finished = true;
            }
        }
        if (fencedNow) OnFenced();
        if (mustRecord && Fenced)
            throw new DbBackupException(ErrorKind.InvalidOperation, "WorkerFenced", FencedMessage) { TargetObject = _record.Id };
    }

    /// <summary>Moves the record to Running in this process and writes it at once.</summary>
    public void Start(string phase) => Apply(r =>
    {
        var now = DateTimeOffset.UtcNow;
        DebugTimings.Mark("record Running");
        r.State = OperationState.Running;
        r.StatusMessage = "Running.";
        r.StartedAt = now;
        r.WorkerProcessId = Environment.ProcessId;
        r.WorkerHost = Environment.MachineName;
        r.WorkerHostId = HostIdentity.Current;
        r.Progress = new OperationProgress { Phase = phase, UpdatedAt = now };
    }, flush: true, mustRecord: true);

    /// <summary>Ends the record (state, message, times; the worker no longer runs it), applies
    /// <paramref name="more"/> in the same write, and writes it at once. <paramref name="announce"/>
    /// (the activity-log line) runs on the ended record just before that write: a reader who sees the
    /// final state also finds its log line. A fenced worker's success throws WorkerFenced (it must not
    /// report what it could not record); other ends are dropped.</summary>
    public void End(OperationState state, string message, Action<T>? more = null, Action<T>? announce = null)
    {
        var announced = false;
        DebugTimings.Mark("record ending");
        Apply(r =>
        {
            more?.Invoke(r);
            Ended(r, state, message);
            announce?.Invoke(r);
            announced = true;
            // A reader who sees the final state finds no stale cancel request beside it.
            _repository.ClearCancelRequest(_record.Id);
        }, flush: true, mustRecord: state == OperationState.Succeeded);
        // A worker fenced earlier records nothing, but the activity log still says why it stopped
        // (its message is the fenced one): the record stays as stale detection left it.
        if (!announced && Fenced && announce is not null)
        {
            lock (_lock) Ended(_record, state, message);
            announce(_record);
        }
    }

    /// <summary>Why the operation stopped: the cancellation kind when it was cancelled, else the error.</summary>
    public string FailureMessage(Exception e) => Fenced ? FencedMessage : Token.IsCancellationRequested
        ? (CancelRequested ? "Cancelled on request." : "Cancelled (the worker was stopped).")
        : OperationFailures.Describe(e);

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

    private string FencedMessage => $"This worker (pid {Environment.ProcessId}) no longer owns {_record.OperationKind.ToString().ToLowerInvariant()} {_record.Id}: {_fencedBecause?.TrimEnd('.')}. It stopped without recording anything.";

    /// <summary>Writes the record (compare-and-swap); false when the worker was fenced. A busy lock
    /// only skips a progress write (the next one carries the same state); the final write waits for
    /// it, since a worker that exits with its record still Running would be failed afterwards.</summary>
    private bool WriteLocked()
    {
        _record.HeartbeatAt = DateTimeOffset.UtcNow;
        var result = _repository.WriteRecord(_record, claim: !_claimed, out var stored);
        for (var attempt = 0; result == RecordWrite.Busy && !_record.IsActive && attempt < 6; attempt++)
            result = _repository.WriteRecord(_record, claim: !_claimed, out stored);
        if (result == RecordWrite.Busy)
        {
            if (!_record.IsActive)
                throw new DbBackupException(ErrorKind.Timeout, "RecordBusy", $"The record of {_record.Id} stayed locked by another process; its end could not be written.");
            return true;
        }
        if (result == RecordWrite.Conflict)
        {
            Fenced = true;
            _finished = true;
            _fencedBecause = stored == null ? "its record is gone or unreadable" : $"another process set the record to {stored.State} ({stored.StatusMessage?.TrimEnd('.')})";
            if (stored != null) TakeOutcome(stored);
            return false;
        }
        _claimed = true;
        _lastWrite = DateTimeOffset.UtcNow;
        _dirty = false;
        return true;
    }

    /// <summary>Makes the in-memory record say what the stored one says, so what the worker does
    /// afterwards (log, callback) reports the real outcome rather than its own, and why it stopped.</summary>
    private void TakeOutcome(OperationRecord stored)
    {
        _record.State = stored.State;
        _record.StatusMessage = FencedMessage;
        _record.CompletedAt = stored.CompletedAt;
        _record.Duration = stored.Duration;
        _record.WorkerProcessId = stored.WorkerProcessId;
        _record.Revision = stored.Revision;
        if (_record is BackupRecord mine && stored is BackupRecord theirs)
        {
            mine.Files = theirs.Files;
            mine.SizeBytes = theirs.SizeBytes;
        }
    }

    /// <summary>Stops the operation (outside the lock: cancellation callbacks may call back in).</summary>
    private void OnFenced()
    {
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    private void Tick()
    {
        try
        {
            if (!CancelRequested && _repository.IsCancelRequested(_record.Id))
            {
                CancelRequested = true;
                _cts.Cancel();
            }
            var fencedNow = false;
            lock (_lock)
            {
                if (_finished) return;
                if (_dirty || DateTimeOffset.UtcNow - _lastWrite >= BackupEngine.HeartbeatInterval) fencedNow = !WriteLocked();
            }
            if (fencedNow) OnFenced();
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
