using DbBackup.Engine.Providers.PostgreSql;

namespace DbBackup.Tests.PostgreSql;

/// <summary>The order a restore's sessions take data files and early builds in.</summary>
public sealed class PostgreSqlLoadQueueTests
{
    private static async Task<PostgreSqlLoadQueue.Work> TakeAsync(PostgreSqlLoadQueue queue)
        => await queue.TakeAsync(default).WaitAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("the queue said there is no work left");

    [Fact]
    public async Task A_second_session_takes_another_table_while_one_is_loaded_and_joins_a_table_only_when_none_is_left()
    {
        // Table 0 has three files, table 1 two, table 2 one; priority 0, 1, 2.
        var queue = new PostgreSqlLoadQueue([3, 2, 1], [0, 1, 2]);
        var a = await TakeAsync(queue);
        var b = await TakeAsync(queue);
        var c = await TakeAsync(queue);
        Assert.Equal((0, 0), (a.Table, a.Piece));
        Assert.Equal((1, 0), (b.Table, b.Piece));
        Assert.Equal((2, 0), (c.Table, c.Piece));
        // Every table has a session: the next joins the one with the fewest, the first among equals.
        var d = await TakeAsync(queue);
        Assert.Equal((0, 1), (d.Table, d.Piece));
        var e = await TakeAsync(queue);
        Assert.Equal((1, 1), (e.Table, e.Piece));
        queue.Done(a);
        // Only table 0 has a file left: the next session takes it, in the table's order.
        var f = await TakeAsync(queue);
        Assert.Equal((0, 2), (f.Table, f.Piece));
    }

    [Fact]
    public async Task A_loaded_tables_key_is_built_alone_before_other_data_and_its_indexes_side_by_side_at_the_end()
    {
        var queue = new PostgreSqlLoadQueue([1, 1, 1], [0, 1, 2]);
        var a = await TakeAsync(queue);
        var b = await TakeAsync(queue);
        queue.AddBuilds(a.Table, [("index 1", true), ("key", false), ("index 2", true)]);
        queue.Done(a);
        // Alone on table 0: its key first, ahead of table 2's data.
        var key = await TakeAsync(queue);
        Assert.Equal((0, "key"), (key.Table, key.Build));
        var data = await TakeAsync(queue);
        Assert.Equal((2, null), (data.Table, data.Build));
        // Nothing else is left, but an index would wait for the key's lock: no session joins table 0 until it is built.
        var waiting = queue.TakeAsync(default);
        queue.Done(b);
        queue.Done(data);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        queue.Done(key);
        var first = await waiting.WaitAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("no build");
        Assert.Equal("index 1", first.Build);
        // Two index builds of one table run side by side.
        var second = await TakeAsync(queue);
        Assert.Equal((0, "index 2"), (second.Table, second.Build));
        queue.Done(first);
        queue.Done(second);
        Assert.Null(await queue.TakeAsync(default));
    }

    [Fact]
    public async Task A_session_with_nothing_to_take_waits_for_the_builds_a_last_file_adds_and_ends_when_all_is_done()
    {
        var queue = new PostgreSqlLoadQueue([1], [0]);
        var only = await TakeAsync(queue);
        var waiting = queue.TakeAsync(default);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        queue.AddBuilds(only.Table, [("build", true)]);
        queue.Done(only);
        var build = await waiting.WaitAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("no build");
        Assert.Equal("build", build.Build);
        var ending = queue.TakeAsync(default);
        Assert.False(ending.IsCompleted);
        queue.Done(build);
        Assert.Null(await ending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_waiting_session_stops_when_the_restore_is_cancelled()
    {
        var queue = new PostgreSqlLoadQueue([1], [0]);
        await TakeAsync(queue);
        using var cts = new CancellationTokenSource();
        var waiting = queue.TakeAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
