using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Following and stopping started operations: waiting for one to end, asking one to stop, and
/// keeping a many-database call to a number of operations at a time.</summary>
internal sealed class OperationControl(EngineContext context)
{
    /// <summary>Returns once fewer than <paramref name="limit"/> of <paramref name="started"/> are still
    /// active, removing the finished ones from it: a call that backs up many databases runs at most that
    /// many at a time (each with its own jobs), instead of one worker per database at once. Returns how
    /// many are still active.</summary>
    public async Task<int> WaitForFreeSlotAsync(List<string> started, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            started.RemoveAll(id => !context.Records.GetOperation(id).IsActive);
            if (started.Count < limit) return started.Count;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the operation ends or the timeout passes (then throws Timeout), reporting progress.</summary>
    public async Task<IOperationRecord> WaitAsync(string id, TimeSpan? timeout, IProgress<IOperationRecord>? progress, CancellationToken cancellationToken)
    {
        var deadline = timeout is { } t ? DateTimeOffset.UtcNow + t : (DateTimeOffset?)null;
        DateTimeOffset? lastProgress = null;
        var lastState = (OperationState)(-1);
        while (true)
        {
            var r = context.Records.GetOperation(id);
            if (progress != null && (r.Progress?.UpdatedAt != lastProgress || r.State != lastState))
            {
                lastProgress = r.Progress?.UpdatedAt;
                lastState = r.State;
                progress.Report(r);
            }
            if (!r.IsActive) return await EndedAsync(r, cancellationToken).ConfigureAwait(false);
            if (deadline is { } d && DateTimeOffset.UtcNow >= d)
                throw new DbBackupException(ErrorKind.Timeout, "WaitTimeout",
                    $"Operation {id} is still {r.State} after {timeout!.Value.TotalSeconds:0.#} s ({r.Progress?.Phase} {r.Progress?.Percent}%). It keeps running; wait again or cancel it.") { TargetObject = id };
            await InSessionWorkers.PauseAsync(id, TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Asks the worker to stop; returns once the record says Cancelled (or it had already ended)
    /// and a worker of this process has finished what it does after that (see <see cref="EndedAsync"/>).</summary>
    public async Task<IOperationRecord> CancelAsync(string id, CancellationToken cancellationToken)
    {
        var r = context.Records.GetOperation(id);
        if (!r.IsActive) return await EndedAsync(r, cancellationToken).ConfigureAwait(false);
        // A restore from a read-only repository is recorded, and listens for its cancel request, in the state repository.
        var holder = context.Records.HolderOf(id);
        await holder.Repository.RequestCancelAsync(id, EngineContext.Me, cancellationToken).ConfigureAwait(false);
        holder.Log(r is RestoreRecord ? "RestoreCancelRequested" : "BackupCancelRequested", r);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            r = context.Records.GetOperation(id);
            if (!r.IsActive) return await EndedAsync(r, cancellationToken).ConfigureAwait(false);
            // A Pending record whose worker never started cannot be told; cancel it here.
            if (r.State == OperationState.Pending && (r is BackupRecord { WorkerProcessId: null } || r is RestoreRecord { WorkerProcessId: null }))
            {
                holder.Records.FinishAbandoned(r, OperationState.Cancelled, "Cancelled before the worker started.");
                return context.Records.GetOperation(id);
            }
        }
        throw new DbBackupException(ErrorKind.Timeout, "CancelTimeout", $"Operation {id} did not stop within 60 s of the cancel request; it is still {r.State}.") { TargetObject = id };
    }

    /// <summary>Returns <paramref name="ended"/> once a worker of this process running it has finished: it still
    /// releases the target's lock, prunes and calls back after its record ends, and the caller (a `--wait` CLI about to exit, also after Ctrl+C; a runbook's last line) must not
    /// end the process under it.</summary>
    private static async Task<IOperationRecord> EndedAsync(IOperationRecord ended, CancellationToken cancellationToken)
    {
        await InSessionWorkers.FinishedAsync(ended.Id, cancellationToken).ConfigureAwait(false);
        return ended;
    }
}
