using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>Runs an operation's worker on a background task of this process instead of a new
    /// process: for callers that wait for the end anyway (Start-DbBackup -Wait), where starting a pwsh
    /// worker would cost seconds. The record, heartbeat, cancel request and stale detection work as
    /// for a detached worker (this process's id is the worker's); if this process ends first, the
    /// operation is found abandoned and ends Failed, as when a worker is killed.</summary>
    public void RunWorkerInBackground(string operationId, string? password)
    {
        InSessionWorkers.Track(operationId, Task.Run(async () =>
        {
            try
            {
                await RunWorkerAsync(operationId, password, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // RunWorkerAsync records every failure it can; this is the one it could not.
                try { FinishAbandoned(GetOperation(operationId), OperationState.Failed, "The worker stopped unexpectedly: " + e.Message); }
                catch (Exception) { /* the heartbeat's age ends the record */ }
            }
        }));
    }
}
