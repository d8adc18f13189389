using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>How a backup or a restore, once validated and its target locked, is recorded and handed to
/// its worker.</summary>
internal sealed class WorkerLaunch(EngineContext context)
{
    /// <summary>Writes a Pending record (its target lock already taken), logs the request and starts the
    /// worker. If the worker cannot be started the record ends Failed, the lock is released and the
    /// caller gets WorkerStartFailed.</summary>
    public T RecordAndLaunch<T>(T record, string lockKey, string? password, string requestMessage) where T : OperationRecord
    {
        var records = context.Records;
        var recorded = false;
        try
        {
            records.Write(record);
            recorded = true;
            context.Log($"{record.OperationKind}Requested", record, requestMessage, record.Note);
            record.WorkerProcessId = context.Launcher.Launch(context.RepositoryPath, record.Id, password);
            record.WorkerHost = Environment.MachineName;
            record.WorkerHostId = HostIdentity.Current;
            // The worker may already have moved the record on; only fill in the pid if it has not.
            var current = records.Reread(record) as T;
            if (current is { State: OperationState.Pending, WorkerProcessId: null })
            {
                current.WorkerProcessId = record.WorkerProcessId;
                current.WorkerHost = record.WorkerHost;
                current.WorkerHostId = record.WorkerHostId;
                records.Write(current);
            }
            return current ?? record;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The lock goes whatever else fails here: the same cause (a full disk) may refuse the
            // Failed record too, and a lock left to a live caller (a pwsh session) blocks the target
            // until that session ends.
            try
            {
                if (!recorded) throw;
                record.State = OperationState.Failed;
                record.StatusMessage = "The worker could not be started: " + e.Message;
                record.CompletedAt = DateTimeOffset.UtcNow;
                context.Log($"{record.OperationKind}Failed", record, record.StatusMessage, record.Note, isError: true);
                records.Write(record);
            }
            finally { TargetLock.Release(context.Repository, lockKey, record.Id); }
            throw new DbBackupException(ErrorKind.InvalidOperation, "WorkerStartFailed", record.StatusMessage, e);
        }
    }
}
