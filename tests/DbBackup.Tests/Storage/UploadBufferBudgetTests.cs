using System.Collections.Concurrent;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests.Storage;

/// <summary>One budget bounds the part buffers of every upload open at once: parts wait for it, a failed
/// or cancelled upload gives its share back, and uploads never wait on each other forever.</summary>
public sealed class UploadBufferBudgetTests
{
    private const int PartSize = 64 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Concurrent_uploads_never_hold_more_part_buffers_than_the_budget_and_store_exact_bytes()
    {
        // Unbounded, three uploads hold up to 3 parts each (9); the budget allows 4.
        var budget = new UploadBufferBudget(4 * PartSize);
        var uploads = Enumerable.Range(0, 3).Select(_ => new MemoryPartUpload(budget, SlowSend)).ToList();
        var contents = uploads.Select((_, i) => Content(i, 25 * PartSize + 123)).ToList();

        await Task.WhenAll(uploads.Select((u, i) => Task.Run(() => WriteAndCommitAsync(u, contents[i])))).WaitAsync(Patience);

        Assert.InRange(budget.HighWaterMark, PartSize, budget.Limit);
        for (var i = 0; i < uploads.Count; i++) Assert.Equal(contents[i], uploads[i].Result);
        foreach (var u in uploads) await u.DisposeAsync();
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task More_uploads_than_the_budget_has_parts_each_still_proceed_with_one_part()
    {
        // Eight uploads, a budget of two parts: each must still get the one part it fills (no deadlock),
        // and no upload gets a second one while that would pass the budget.
        var budget = new UploadBufferBudget(2 * PartSize);
        var uploads = Enumerable.Range(0, 8).Select(_ => new MemoryPartUpload(budget, SlowSend)).ToList();
        var contents = uploads.Select((_, i) => Content(i, 6 * PartSize + 7)).ToList();

        await Task.WhenAll(uploads.Select((u, i) => Task.Run(() => WriteAndCommitAsync(u, contents[i])))).WaitAsync(Patience);

        Assert.InRange(budget.HighWaterMark, PartSize, uploads.Count * PartSize);
        for (var i = 0; i < uploads.Count; i++) Assert.Equal(contents[i], uploads[i].Result);
        foreach (var u in uploads) await u.DisposeAsync();
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task A_failed_upload_gives_its_buffers_back_and_the_next_upload_proceeds()
    {
        var budget = new UploadBufferBudget(2 * PartSize);
        var failing = new MemoryPartUpload(budget, (_, _) => Task.FromException(new IOException("connection reset")));
        await Assert.ThrowsAsync<IOException>(() => WriteAndCommitAsync(failing, Content(1, 5 * PartSize)));
        await failing.DisposeAsync();
        Assert.Equal(0, budget.InUse);

        var next = new MemoryPartUpload(budget, SlowSend);
        var content = Content(2, 5 * PartSize + 1);
        await WriteAndCommitAsync(next, content).WaitAsync(Patience);
        Assert.Equal(content, next.Result);
        await next.DisposeAsync();
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task A_cancelled_upload_frees_the_budget_another_upload_is_waiting_for()
    {
        // The first upload's parts hang until it is cancelled and hold the whole budget (a part filling,
        // one being sent, the writer waiting for it); the second upload's next part waits for budget.
        var budget = new UploadBufferBudget(2 * PartSize);
        using var cancel = new CancellationTokenSource();
        var stuck = new MemoryPartUpload(budget, (_, ct) => Task.Delay(Timeout.Infinite, ct));
        var stuckWrite = stuck.WriteAsync(Content(1, 3 * PartSize), cancel.Token).AsTask();
        var waiting = new MemoryPartUpload(budget, SlowSend);
        var content = Content(2, 4 * PartSize + 5);
        var waitingWrite = Task.Run(() => WriteAndCommitAsync(waiting, content));

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuckWrite);
        await stuck.DisposeAsync();
        await waitingWrite.WaitAsync(Patience);
        Assert.Equal(content, waiting.Result);
        await waiting.DisposeAsync();
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task A_part_waiting_for_budget_stops_waiting_when_its_upload_is_cancelled()
    {
        var budget = new UploadBufferBudget(PartSize);
        using var hang = new CancellationTokenSource();
        var stuck = new MemoryPartUpload(budget, (_, _) => Task.Delay(Timeout.Infinite, hang.Token));
        await stuck.WriteAsync(Content(1, PartSize)); // its one part is being sent, for ever
        var waiting = new MemoryPartUpload(budget, SlowSend);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WriteAsync(new byte[10], cancel.Token).AsTask().WaitAsync(Patience));
        Assert.Equal(PartSize, budget.InUse);
        hang.Cancel();
        await stuck.DisposeAsync();
        await waiting.DisposeAsync();
        Assert.Equal(0, budget.InUse);
    }

    private static async Task SlowSend(int partNumber, CancellationToken cancellationToken) => await Task.Delay(2, cancellationToken);

    private static byte[] Content(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Writes in odd-sized chunks, as a compressor does, then commits.</summary>
    private static async Task WriteAndCommitAsync(StoreUpload upload, byte[] content)
    {
        for (var offset = 0; offset < content.Length; offset += 10_007)
            await upload.WriteAsync(content.AsMemory(offset, Math.Min(10_007, content.Length - offset)));
        await upload.CommitAsync(CancellationToken.None);
    }

    /// <summary>An upload into memory with small parts; <c>send</c> decides how each part's send goes.</summary>
    private sealed class MemoryPartUpload(UploadBufferBudget budget, Func<int, CancellationToken, Task> send) : PartBufferedUpload(budget)
    {
        private readonly ConcurrentDictionary<int, byte[]> _parts = new();

        public byte[]? Result { get; private set; }
        protected override string Key => "k";
        protected override int FirstPartSize => PartSize;

        protected override async Task SendPartAsync(int partNumber, ArraySegment<byte> part, CancellationToken cancellationToken)
        {
            await send(partNumber, cancellationToken);
            _parts[partNumber] = part.ToArray();
        }

        protected override Task CompleteAsync(int partNumber, ArraySegment<byte> lastPart, CancellationToken cancellationToken)
        {
            _parts[partNumber] = lastPart.ToArray();
            Result = [.. Enumerable.Range(1, partNumber).SelectMany(n => _parts[n])];
            return Task.CompletedTask;
        }

        protected override Task AbortAsync() => Task.CompletedTask;
    }
}
