using DbBackup.Model;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Keeps the counters of a running dump or restore (updated from several connections at once)
/// and reports them at most a few times a second; phase changes and the end are always reported.</summary>
internal sealed class ProgressThrottle(IProgress<OperationProgress> target)
{
    private static readonly long IntervalMs = 250;
    private readonly object _gate = new();
    private readonly OperationProgress _state = new();
    private long _lastReport = long.MinValue;

    /// <summary>Enters a phase with its totals.</summary>
    public void Phase(string phase, int tablesTotal, long bytesEstimated)
    {
        DebugTimings.Mark("phase " + phase);
        lock (_gate)
        {
            _state.Phase = phase;
            _state.TablesTotal = tablesTotal;
            _state.BytesEstimated = bytesEstimated;
            _state.CurrentTable = null;
            Report(force: true);
        }
    }

    /// <summary>A table started.</summary>
    public void TableStarted(string table)
    {
        lock (_gate)
        {
            _state.CurrentTable = table;
            Report(force: false);
        }
    }

    /// <summary>A table finished.</summary>
    public void TableDone()
    {
        lock (_gate)
        {
            _state.TablesDone++;
            Report(force: false);
        }
    }

    /// <summary>Bytes moved.</summary>
    public void AddBytes(long bytes)
    {
        lock (_gate)
        {
            _state.BytesDone += bytes;
            Report(force: false);
        }
    }

    /// <summary>The operation finished: 100 %.</summary>
    public void Complete()
    {
        DebugTimings.Mark("phase complete");
        lock (_gate)
        {
            _state.CurrentTable = null;
            _state.Percent = 100;
            Report(force: true, final: true);
        }
    }

    private void Report(bool force, bool final = false)
    {
        var now = Environment.TickCount64;
        if (!force && now - _lastReport < IntervalMs) return;
        _lastReport = now;
        if (!final)
            _state.Percent = _state.BytesEstimated > 0
                ? (int)Math.Clamp(_state.BytesDone * 100 / _state.BytesEstimated, 0, 99)
                : _state.TablesTotal > 0 ? Math.Min(99, _state.TablesDone * 100 / _state.TablesTotal) : 0;
        _state.UpdatedAt = DateTimeOffset.UtcNow;
        target.Report(_state.Clone());
    }
}
