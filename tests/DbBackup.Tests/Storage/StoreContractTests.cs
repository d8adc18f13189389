using System.Text;
using DbBackup.Engine;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests.Storage;

/// <summary>What every <see cref="IRepositoryStore"/> driver must do, run once per driver by a subclass
/// (local folder, in-memory, Azure Blob on Azurite, S3 on s3rver). Each test gets a fresh, empty store
/// from <see cref="OpenEmptyStoreAsync"/>, so tests never see each other's keys.</summary>
public abstract class StoreContractTests
{
    /// <summary>A new, empty store (a fresh folder, container prefix or bucket prefix), opened for writing
    /// (object stores have run their conditional-write probe).</summary>
    protected abstract Task<IRepositoryStore> OpenEmptyStoreAsync();

    /// <summary>True when the driver's store honours conditional writes; a subclass for a store known to
    /// ignore them (s3rver) says false, and the conditional cases then check the probe reported it.</summary>
    protected virtual bool HonoursConditionalWrites => true;

    private static CancellationToken None => CancellationToken.None;
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [StoreFact]
    public async Task A_written_object_reads_back_with_its_bytes_and_a_version()
    {
        var store = await OpenEmptyStoreAsync();
        var version = await store.TryWriteAsync("repository.json", Bytes("{\"a\":1}"), WriteCondition.None, None);
        var read = await store.TryReadAsync("repository.json", None);

        Assert.NotNull(version);
        Assert.NotNull(read);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(read.Content));
        Assert.Equal(version, read.Version);
        Assert.InRange(read.LastModified, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(10));
    }

    [StoreFact]
    public async Task A_missing_object_reads_as_null_and_opening_it_raises_the_not_found_error_naming_the_key()
    {
        var store = await OpenEmptyStoreAsync();
        Assert.Null(await store.TryReadAsync("backups/nope/manifest.json", None));

        var error = await Assert.ThrowsAsync<DbBackupException>(() => store.OpenReadAsync("backups/nope/manifest.json", None));
        Assert.True(StoreErrors.IsNotFound(error));
        Assert.Contains("backups/nope/manifest.json", error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task An_unconditional_write_replaces_the_object_and_changes_its_version()
    {
        var store = await OpenEmptyStoreAsync();
        var first = await store.TryWriteAsync("k", Bytes("one"), WriteCondition.None, None);
        var second = await store.TryWriteAsync("k", Bytes("two"), WriteCondition.None, None);

        Assert.NotEqual(first, second);
        Assert.Equal("two", Encoding.UTF8.GetString((await store.TryReadAsync("k", None))!.Content));
    }

    [StoreFact]
    public async Task IfAbsent_on_an_existing_key_writes_nothing_and_keeps_the_old_bytes()
    {
        var store = await OpenEmptyStoreAsync();
        if (!await ConditionalWritesExpectedAsync(store)) return;
        Assert.NotNull(await store.TryWriteAsync("locks/db", Bytes("first"), WriteCondition.IfAbsent, None));

        Assert.Null(await store.TryWriteAsync("locks/db", Bytes("second"), WriteCondition.IfAbsent, None));
        Assert.Equal("first", Encoding.UTF8.GetString((await store.TryReadAsync("locks/db", None))!.Content));
    }

    [StoreFact]
    public async Task IfAbsent_raced_by_many_writers_has_exactly_one_winner_and_the_winner_s_bytes_are_stored()
    {
        var store = await OpenEmptyStoreAsync();
        if (!await ConditionalWritesExpectedAsync(store)) return;

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            (Writer: i, Version: await store.TryWriteAsync("locks/race", Bytes("writer " + i), WriteCondition.IfAbsent, None)))));

        var winners = results.Where(r => r.Version is not null).ToList();
        Assert.Single(winners);
        var stored = (await store.TryReadAsync("locks/race", None))!;
        Assert.Equal("writer " + winners[0].Writer, Encoding.UTF8.GetString(stored.Content));
        Assert.Equal(winners[0].Version, stored.Version);
    }

    [StoreFact]
    public async Task IfVersion_writes_only_over_the_version_read_and_a_stale_version_is_refused()
    {
        var store = await OpenEmptyStoreAsync();
        if (!await ConditionalWritesExpectedAsync(store)) return;
        var v1 = (await store.TryWriteAsync("record", Bytes("v1"), WriteCondition.None, None))!;

        var v2 = await store.TryWriteAsync("record", Bytes("v2"), WriteCondition.IfVersion(v1), None);
        var stale = await store.TryWriteAsync("record", Bytes("v3"), WriteCondition.IfVersion(v1), None);

        Assert.NotNull(v2);
        Assert.Null(stale);
        var stored = (await store.TryReadAsync("record", None))!;
        Assert.Equal("v2", Encoding.UTF8.GetString(stored.Content));
        Assert.Equal(v2, stored.Version);
        Assert.Null(await store.TryWriteAsync("absent", Bytes("x"), WriteCondition.IfVersion(v1), None));
        Assert.Null(await store.TryReadAsync("absent", None));
    }

    [StoreFact]
    public async Task IfVersion_raced_by_many_writers_from_one_read_has_exactly_one_winner()
    {
        var store = await OpenEmptyStoreAsync();
        if (!await ConditionalWritesExpectedAsync(store)) return;
        var read = (await store.TryWriteAsync("record", Bytes("start"), WriteCondition.None, None))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            store.TryWriteAsync("record", Bytes("writer " + i), WriteCondition.IfVersion(read), None))));

        Assert.Single(results, r => r is not null);
        Assert.Equal(results.Single(r => r is not null), (await store.TryReadAsync("record", None))!.Version);
    }

    [StoreFact]
    public async Task An_upload_is_invisible_until_committed_and_then_reads_back_whole()
    {
        var store = await OpenEmptyStoreAsync();
        var payload = RandomPayload(17 * 1024 * 1024 + 12345); // past two parts of the object-store uploads (8 MiB)
        await using (var upload = await store.CreateAsync("backups/b1/data/0001.copy.gz", None))
        {
            for (var offset = 0; offset < payload.Length; offset += 100_000)
                await upload.WriteAsync(payload.AsMemory(offset, Math.Min(100_000, payload.Length - offset)));
            Assert.Null(await store.TryReadAsync("backups/b1/data/0001.copy.gz", None));
            Assert.Empty(await ListAsync(store, ""));
            await upload.CommitAsync(None);
        }

        await using var read = await store.OpenReadAsync("backups/b1/data/0001.copy.gz", None);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(payload, copy.ToArray());
        var entry = Assert.Single(await ListAsync(store, "backups/"));
        Assert.Equal(("backups/b1/data/0001.copy.gz", (long)payload.Length), (entry.Key, entry.Size));
    }

    [StoreFact]
    public async Task An_upload_disposed_without_commit_leaves_nothing_under_its_key()
    {
        var store = await OpenEmptyStoreAsync();
        await using (var upload = await store.CreateAsync("backups/b2/data/0001.copy.gz", None))
            await upload.WriteAsync(RandomPayload(300_000));

        Assert.Null(await store.TryReadAsync("backups/b2/data/0001.copy.gz", None));
        Assert.Empty(await ListAsync(store, ""));
    }

    [StoreFact]
    public async Task An_empty_upload_commits_an_empty_object()
    {
        var store = await OpenEmptyStoreAsync();
        await using (var upload = await store.CreateAsync("empty", None))
            await upload.CommitAsync(None);

        Assert.Empty((await store.TryReadAsync("empty", None))!.Content);
    }

    [StoreFact]
    public async Task Listing_returns_keys_under_the_prefix_in_ordinal_order_past_one_page()
    {
        var store = await OpenEmptyStoreAsync();
        // 1,050 keys: more than one page of every store's listing (S3 and Azure return at most 1,000).
        var keys = Enumerable.Range(0, 1050).Select(i => $"backups/{i * 7919 % 1050:D4}/manifest.json")
            .Concat(["backups/A", "backups/_", "backups/a", "backups/Z-last", "backupsX/outside", "other/outside"])
            .ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (key, ct) => await store.TryWriteAsync(key, Bytes(key), WriteCondition.None, ct));

        var listed = await ListAsync(store, "backups/");

        var expected = keys.Where(k => k.StartsWith("backups/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, listed.Select(e => e.Key).ToList());
        Assert.All(listed, e => Assert.Equal(Encoding.UTF8.GetByteCount(e.Key), e.Size));
    }

    [StoreFact]
    public async Task Folder_listing_names_each_folder_under_the_prefix_once_in_ordinal_order_past_one_page()
    {
        var store = await OpenEmptyStoreAsync();
        // 1,010 folders (past S3's 1,000 names a page), some holding nested objects that must not show
        // as folders of their own; objects directly under the prefix and beside it are not folders.
        var folders = Enumerable.Range(0, 1010).Select(i => $"bk-{i * 7919 % 1010:D4}").ToList();
        var keys = folders.Select(f => $"backups/{f}/manifest.json")
            .Concat(folders.Take(5).Select(f => $"backups/{f}/payload/data/0001.copy.zst"))
            .Concat(["backups/loose.json", "backupsX/bk-outside/manifest.json", "other/bk-other/manifest.json"])
            .ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (key, ct) => await store.TryWriteAsync(key, Bytes(key), WriteCondition.None, ct));

        var listed = new List<string>();
        await foreach (var folder in store.ListFoldersAsync("backups/", None)) listed.Add(folder);

        Assert.Equal(folders.Order(StringComparer.Ordinal).ToList(), listed);
        await foreach (var _ in store.ListFoldersAsync("nothing-here/", None)) Assert.Fail("an empty prefix has no folders");
    }

    [StoreFact]
    public async Task Folder_listing_split_by_record_month_names_every_folder_exactly_once_whatever_its_name()
        => await CatalogRangesTests.SplitListingIsTheWholeListingAsync(await OpenEmptyStoreAsync());

    [StoreFact]
    public async Task Delete_with_a_stale_version_keeps_the_object_and_with_the_current_version_removes_it()
    {
        var store = await OpenEmptyStoreAsync();
        var v1 = (await store.TryWriteAsync("locks/db", Bytes("one"), WriteCondition.None, None))!;
        var v2 = (await store.TryWriteAsync("locks/db", Bytes("two"), WriteCondition.None, None))!;

        if (await ConditionalWritesExpectedAsync(store))
        {
            Assert.False(await store.DeleteAsync("locks/db", v1, None));
            Assert.NotNull(await store.TryReadAsync("locks/db", None));
        }
        Assert.True(await store.DeleteAsync("locks/db", v2, None));
        Assert.Null(await store.TryReadAsync("locks/db", None));
        Assert.False(await store.DeleteAsync("locks/db", null, None));
    }

    [StoreFact]
    public async Task Appends_from_many_writers_keep_every_entry_whole()
    {
        var store = await OpenEmptyStoreAsync();
        if (!store.Features.Appends)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => store.AppendAsync("activity.jsonl", Bytes("x\n"), None));
            return;
        }
        var lines = Enumerable.Range(0, 20).Select(i => $"{{\"entry\":{i},\"pad\":\"{new string('x', 200 + i)}\"}}\n").ToList();
        await Task.WhenAll(lines.Select(line => Task.Run(() => store.AppendAsync("activity.jsonl", Bytes(line), None))));

        var text = Encoding.UTF8.GetString((await store.TryReadAsync("activity.jsonl", None))!.Content);
        Assert.Equal(lines.Order(StringComparer.Ordinal), text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l + "\n").Order(StringComparer.Ordinal));
    }

    /// <summary>True when the store should honour conditional writes; for a store that does not, checks
    /// that the probe said so (so the engine warns instead of silently losing races).</summary>
    private async Task<bool> ConditionalWritesExpectedAsync(IRepositoryStore store)
    {
        if (HonoursConditionalWrites)
        {
            Assert.True(store.Features.ConditionalWrites, "the store honours conditional writes but its features say it does not");
            return true;
        }
        Assert.False(store.Features.ConditionalWrites, "the store ignores conditional writes but the probe did not find out");
        await Task.CompletedTask;
        return false;
    }

    private static async Task<List<StoreEntry>> ListAsync(IRepositoryStore store, string prefix)
    {
        var entries = new List<StoreEntry>();
        await foreach (var entry in store.ListAsync(prefix, None)) entries.Add(entry);
        return entries;
    }

    private static byte[] RandomPayload(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}
