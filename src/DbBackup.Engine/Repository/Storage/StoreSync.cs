namespace DbBackup.Engine.Repository.Storage;

/// <summary>The one bridge from the synchronous callers that remain (record writes under the worker's
/// tracker lock, cmdlet code paths, IPayloadSink.Create) to the asynchronous store. It blocks the
/// calling thread until the store answers. Safe from deadlock because the storage layer awaits with
/// ConfigureAwait(false) throughout, and a caller that does run under a SynchronizationContext is
/// moved to the thread pool first. The local store completes synchronously, so there it costs nothing.</summary>
internal static class StoreSync
{
    /// <summary>Runs <paramref name="operation"/> to completion and returns its result.</summary>
    public static T Run<T>(Func<Task<T>> operation)
        => SynchronizationContext.Current == null
            ? operation().GetAwaiter().GetResult()
            : Task.Run(operation).GetAwaiter().GetResult();

    /// <summary>As <see cref="Run{T}"/>, without a result.</summary>
    public static void Run(Func<Task> operation)
    {
        if (SynchronizationContext.Current == null) operation().GetAwaiter().GetResult();
        else Task.Run(operation).GetAwaiter().GetResult();
    }
}
