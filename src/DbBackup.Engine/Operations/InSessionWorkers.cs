using System.Collections.Concurrent;

namespace DbBackup.Engine.Operations;

/// <summary>The workers running on background tasks of this process (<see cref="BackupEngine.RunWorkerInBackground"/>),
/// so a wait in the same process wakes the moment its worker ends instead of at its next poll: with
/// `--wait` on a small database the poll interval was a fifth of the command's time.</summary>
internal static class InSessionWorkers
{
    private static readonly ConcurrentDictionary<string, Task> Running = new(StringComparer.Ordinal);

    /// <summary>Tracks <paramref name="worker"/> for <paramref name="operationId"/> until it ends.</summary>
    public static void Track(string operationId, Task worker)
    {
        Running[operationId] = worker;
        worker.ContinueWith(_ => Running.TryRemove(new KeyValuePair<string, Task>(operationId, worker)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Returns once the operation's worker in this process (if any) has finished everything it
    /// does after its record ends: releasing the lock, retention, the callback.</summary>
    public static async Task FinishedAsync(string operationId, CancellationToken cancellationToken)
    {
        if (Running.TryGetValue(operationId, out var worker)) await worker.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits <paramref name="interval"/>, or less when the operation's worker in this process ends first.</summary>
    public static async Task PauseAsync(string operationId, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (!Running.TryGetValue(operationId, out var worker))
        {
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            return;
        }
        await Task.WhenAny(worker, Task.Delay(interval, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
