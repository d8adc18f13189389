using System.Collections.Concurrent;
using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Model;

namespace DbBackup.PowerShell.Bridge;

/// <summary>Waits for operations with a progress bar each. The engine's waits run on the thread pool and
/// only post to a queue; the pipeline thread drains it and alone calls WriteProgress, WriteObject and
/// WriteError, as PowerShell requires.</summary>
internal sealed class OperationWatcher
{
    private sealed record Event(int Index, IOperationRecord? Progress, IOperationRecord? Final, Exception? Error);

    private sealed class QueueProgress(BlockingCollection<Event> queue, int index) : IProgress<IOperationRecord>
    {
        public void Report(IOperationRecord value)
        {
            // The pipeline thread may already have stopped draining (Ctrl+C); late reports are dropped.
            try { queue.TryAdd(new Event(index, value, null, null)); } catch (InvalidOperationException) { }
        }
    }

    private readonly PSCmdlet _cmdlet;
    private readonly BackupEngine _engine;

    public OperationWatcher(PSCmdlet cmdlet, BackupEngine engine)
    {
        _cmdlet = cmdlet;
        _engine = engine;
    }

    /// <summary>Waits for every id; writes each final record as it ends (plus an error when it did not
    /// succeed), and an error per id whose wait failed. On Ctrl+C (<paramref name="cancellationToken"/>)
    /// it stops promptly; with <paramref name="cancelOperationsOnStop"/> it also asks the engine to
    /// cancel the operations still running (the -Wait contract of Start/Restore).</summary>
    public void Watch(IReadOnlyList<string> ids, TimeSpan? timeout, bool cancelOperationsOnStop, CancellationToken cancellationToken)
    {
        var queue = new BlockingCollection<Event>();
        var done = new bool[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            var index = i;
            _ = Task.Run(async () =>
            {
                Event result;
                try
                {
                    var final = await _engine.WaitAsync(ids[index], timeout, new QueueProgress(queue, index), cancellationToken).ConfigureAwait(false);
                    result = new Event(index, null, final, null);
                }
                catch (Exception e) { result = new Event(index, null, null, e); }
                try { queue.TryAdd(result); } catch (InvalidOperationException) { }
            }, CancellationToken.None);
        }

        var remaining = ids.Count;
        try
        {
            while (remaining > 0)
            {
                Event ev;
                try { ev = queue.Take(cancellationToken); }
                catch (OperationCanceledException) { break; }

                if (ev.Progress is { } p)
                {
                    Narrate(ev.Index, p);
                    _cmdlet.WriteProgress(ToProgress(ev.Index, p, completed: false));
                    continue;
                }
                done[ev.Index] = true;
                remaining--;
                if (ev.Final is { } final)
                {
                    Narrate(ev.Index, final);
                    _cmdlet.WriteProgress(ToProgress(ev.Index, final, completed: true));
                    _cmdlet.WriteObject(final);
                    if (final.State is OperationState.Failed or OperationState.Cancelled) _cmdlet.WriteError(NotSucceeded(final));
                }
                else if (ev.Error is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                else
                {
                    _cmdlet.WriteError(ErrorRecords.From(ev.Error!, ids[ev.Index]));
                }
            }
        }
        finally
        {
            queue.CompleteAdding();
            if (cancellationToken.IsCancellationRequested)
            {
                var unfinished = ids.Where((_, i) => !done[i]).ToList();
                if (cancelOperationsOnStop)
                {
                    Say($"Cancelling {string.Join(", ", unfinished)} (Ctrl+C): the worker stops and removes its partial files.");
                    CancelUnfinished(ids, done);
                }
                else if (unfinished.Count > 0)
                {
                    Say($"Stopped waiting (Ctrl+C); {string.Join(", ", unfinished)} goes on. Follow it with Wait-DbBackup -Id {unfinished[0]} or Get-DbBackupStatus -Id {unfinished[0]}.");
                }
            }
        }
    }

    private readonly Dictionary<int, string> _phases = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>-Verbose tells each phase as the worker reaches it; -Debug adds when.</summary>
    private void Narrate(int index, IOperationRecord record)
    {
        var phase = record.IsActive ? record.Progress?.Phase ?? record.State.ToString() : record.State.ToString();
        if (_phases.TryGetValue(index, out var last) && last == phase) return;
        _phases[index] = phase;
        _cmdlet.WriteVerbose(record.IsActive ? $"{record.Id}: {phase}" : $"{record.Id}: ended {record.State}: {record.StatusMessage}");
        _cmdlet.WriteDebug($"{record.Id}: {phase} at {_clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>A warning line straight to the host: once the pipeline is stopping, WriteWarning throws,
    /// but the user pressing Ctrl+C must still be told what happens to the operation.</summary>
    private void Say(string message)
    {
        try { _cmdlet.Host?.UI?.WriteWarningLine(message); }
        catch (Exception e) when (e is not OutOfMemoryException) { /* a host without a UI: nothing to tell */ }
    }

    private void CancelUnfinished(IReadOnlyList<string> ids, bool[] done)
    {
        // Bounded, so Ctrl+C stays prompt even when the worker is slow to acknowledge.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var cancels = new List<Task>();
        for (var i = 0; i < ids.Count; i++)
            if (!done[i]) cancels.Add(_engine.CancelAsync(ids[i], limit.Token));
        try { Task.WaitAll(cancels.ToArray()); }
        catch (AggregateException) { /* the pipeline is stopping: nothing can be written any more */ }
    }

    private static ErrorRecord NotSucceeded(IOperationRecord record)
    {
        var what = record.OperationKind == OperationKind.Backup ? "Backup" : "Restore";
        // Literal ids, so the checked list of error ids (docs/error-ids.md) finds them.
        var (id, category) = (record.OperationKind, record.State) switch
        {
            (OperationKind.Backup, OperationState.Cancelled) => ("BackupCancelled", ErrorCategory.OperationStopped),
            (OperationKind.Backup, _) => ("BackupFailed", ErrorCategory.InvalidResult),
            (_, OperationState.Cancelled) => ("RestoreCancelled", ErrorCategory.OperationStopped),
            _ => ("RestoreFailed", ErrorCategory.InvalidResult),
        };
        return ErrorRecords.Create(id, category,
            $"{what} {record.Id} of database '{record.Database}' ended {record.State}: {record.StatusMessage}", record);
    }

    private static ProgressRecord ToProgress(int index, IOperationRecord record, bool completed)
    {
        var what = record.OperationKind == OperationKind.Backup ? "Backing up" : "Restoring";
        var p = record.Progress;
        var status = p is null ? record.State.ToString()
            : p.CurrentTable is { Length: > 0 } table ? $"{p.Phase}: {table} ({p.TablesDone}/{p.TablesTotal} tables)"
            : p.TablesTotal > 0 ? $"{p.Phase} ({p.TablesDone}/{p.TablesTotal} tables)"
            : string.IsNullOrEmpty(p.Phase) ? record.State.ToString() : p.Phase;
        return new ProgressRecord(index + 1, $"{what} {record.Database} ({record.Id})", status)
        {
            PercentComplete = completed ? 100 : Math.Clamp(p?.Percent ?? -1, -1, 100),
            RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
    }
}
