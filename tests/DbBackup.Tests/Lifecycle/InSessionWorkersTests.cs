using DbBackup.Engine.Operations;

namespace DbBackup.Tests.Lifecycle;

/// <summary>A wait in the process that runs the worker (`--wait`) wakes when the worker ends, not at
/// its next poll; a wait on an operation whose worker runs elsewhere keeps polling.</summary>
public sealed class InSessionWorkersTests
{
    [Fact]
    public async Task A_pause_ends_when_the_operation_s_worker_in_this_process_ends()
    {
        var id = "bk-test-" + Guid.NewGuid().ToString("N");
        var worker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        InSessionWorkers.Track(id, worker.Task);

        var pause = InSessionWorkers.PauseAsync(id, TimeSpan.FromHours(1), CancellationToken.None);
        Assert.False(pause.IsCompleted);
        worker.SetResult();

        // An hour-long interval: only the worker's end can finish the pause within the test's timeout.
        Assert.Same(pause, await Task.WhenAny(pause, Task.Delay(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public async Task A_pause_for_an_operation_without_a_worker_here_lasts_its_interval_and_honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        var pause = InSessionWorkers.PauseAsync("bk-elsewhere-" + Guid.NewGuid().ToString("N"), TimeSpan.FromHours(1), cts.Token);
        await Task.Delay(50);
        Assert.False(pause.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pause);
    }

    [Fact]
    public async Task A_cancelled_wait_on_a_running_in_session_worker_throws()
    {
        var id = "bk-test-" + Guid.NewGuid().ToString("N");
        var worker = new TaskCompletionSource();
        InSessionWorkers.Track(id, worker.Task);
        using var cts = new CancellationTokenSource();
        var pause = InSessionWorkers.PauseAsync(id, TimeSpan.FromHours(1), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pause);
        worker.SetResult();
    }

    [Fact]
    public async Task A_wait_that_saw_the_record_end_returns_only_once_the_worker_here_has_finished_its_after_work()
    {
        // The record ends before the worker releases its lock, prunes and calls back; a `--wait` CLI that
        // returned then would exit under it (a lock left behind, no callback).
        var id = "bk-test-" + Guid.NewGuid().ToString("N");
        var worker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        InSessionWorkers.Track(id, worker.Task);
        var finished = InSessionWorkers.FinishedAsync(id, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(finished.IsCompleted);
        worker.SetResult();
        Assert.Same(finished, await Task.WhenAny(finished, Task.Delay(TimeSpan.FromSeconds(30))));
        await InSessionWorkers.FinishedAsync("bk-elsewhere-" + Guid.NewGuid().ToString("N"), CancellationToken.None); // no worker here: at once
    }
}
