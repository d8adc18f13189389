using System.Text;
using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Storage;

/// <summary>The repository's rules (compare-and-swap of records, target locks, the activity log,
/// payload checksums, staleness) over the in-memory store: no disk, no server, milliseconds each.</summary>
public sealed class RepositoryOverMemoryTests
{
    private static BackupRecord NewBackup(string? id = null) => new()
    {
        Id = id ?? Ids.NewBackupId(DateTimeOffset.UtcNow),
        Name = "b",
        Engine = DatabaseEngine.PostgreSql,
        Server = "db1",
        Port = 5432,
        Database = "shop",
        UserName = "u",
        State = OperationState.Pending,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public void A_record_write_from_a_stale_read_is_refused_and_the_first_writer_keeps_its_change()
    {
        var repo = new BackupRepository(new InMemoryStore());
        var created = NewBackup();
        Assert.True(repo.WriteBackup(created));
        var first = repo.TryReadBackup(created.Id)!;
        var second = repo.TryReadBackup(created.Id)!;
        first.Note = "first";
        second.Note = "second";

        Assert.True(repo.WriteBackup(first));
        Assert.False(repo.WriteBackup(second));

        var stored = repo.TryReadBackup(created.Id)!;
        Assert.Equal("first", stored.Note);
        Assert.Equal(2, stored.Revision);
        Assert.Equal(1, second.Revision); // a refused write leaves the writer's revision as it was
    }

    [Fact]
    public void A_new_record_is_created_once_even_when_two_writers_start_it()
    {
        var repo = new BackupRepository(new InMemoryStore());
        var a = NewBackup("bk-20261126000000000-aaaaaa");
        var b = NewBackup("bk-20261126000000000-aaaaaa");
        b.Note = "other";
        Assert.True(repo.WriteBackup(a));
        Assert.False(repo.WriteBackup(b));
        Assert.Null(repo.TryReadBackup(a.Id)!.Note);
    }

    [Fact]
    public void Concurrent_read_modify_write_loops_lose_no_update()
    {
        var repo = new BackupRepository(new InMemoryStore());
        var created = NewBackup();
        Assert.True(repo.WriteBackup(created));
        const int writers = 16;
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, i =>
        {
            while (true)
            {
                var r = repo.TryReadBackup(created.Id)!;
                r.Labels["w" + i] = "x";
                if (repo.WriteBackup(r)) return;
            }
        });
        var final = repo.TryReadBackup(created.Id)!;
        Assert.Equal(writers, final.Labels.Count);
        Assert.Equal(writers + 1, final.Revision);
    }

    [Fact]
    public void A_worker_claims_its_record_only_while_it_is_pending()
    {
        var repo = new BackupRepository(new InMemoryStore());
        var created = NewBackup();
        Assert.True(repo.WriteBackup(created));
        var worker = repo.TryReadBackup(created.Id)!;
        var ender = repo.TryReadBackup(created.Id)!;
        ender.State = OperationState.Cancelled;
        Assert.True(repo.WriteBackup(ender));

        worker.State = OperationState.Running;
        Assert.Equal(RecordWrite.Conflict, repo.WriteRecord(worker, claim: true, out var stored));
        Assert.Equal(OperationState.Cancelled, stored!.State);
    }

    [Fact]
    public void A_worker_claim_that_races_the_launchers_pid_write_still_claims_the_pending_record()
    {
        // The in-session worker (-Wait, --wait) runs in the launcher's process: its claim can land
        // between the launcher's re-read and its write of the worker's pid. That write keeps the record
        // Pending, so the claim must win on a second try; fenced, the worker used to leave the record
        // Pending until stale detection failed it two minutes later.
        var store = new InterleavingStore(new InMemoryStore());
        var repo = new BackupRepository(store);
        var created = NewBackup();
        Assert.True(repo.WriteBackup(created));
        var worker = repo.TryReadBackup(created.Id)!;
        var launcher = repo.TryReadBackup(created.Id)!;
        launcher.WorkerProcessId = 4242;
        store.BeforeNextWrite = ("backups/" + created.Id + "/manifest.json", () => Assert.True(repo.WriteBackup(launcher)));

        worker.State = OperationState.Running;
        Assert.Equal(RecordWrite.Written, repo.WriteRecord(worker, claim: true, out _));

        var stored = repo.TryReadBackup(created.Id)!;
        Assert.Equal(OperationState.Running, stored.State);
        Assert.Equal(3, stored.Revision); // created 1, the launcher's pid 2, the claim 3
    }

    [Fact]
    public void Of_many_threads_racing_for_one_target_lock_exactly_one_wins_and_only_the_holder_or_a_breaker_of_its_id_removes_it()
    {
        var repo = new BackupRepository(new InMemoryStore());
        var key = TargetLock.Key(DatabaseEngine.PostgreSql, "db1", 5432, "shop");
        const int racers = 32;
        var winners = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var start = new Barrier(racers);
        var threads = Enumerable.Range(0, racers).Select(i => new Thread(() =>
        {
            var owner = new LockOwner { OperationId = $"op{i}", ProcessId = 1, Host = "h", AcquiredAt = DateTimeOffset.UtcNow, Target = "t" };
            start.SignalAndWait();
            if (TargetLock.TryAcquire(repo, key, owner) == null) winners.Add(owner.OperationId);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var winner = Assert.Single(winners);
        var holder = TargetLock.Read(repo, key)!;
        Assert.Equal(winner, holder.OperationId);
        Assert.NotNull(holder.HeartbeatAt);
        TargetLock.Break(repo, key, "someone-else");
        TargetLock.Release(repo, key, "someone-else");
        Assert.Equal(winner, TargetLock.Read(repo, key)!.OperationId);
        TargetLock.Release(repo, key, winner);
        Assert.Null(TargetLock.Read(repo, key));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_activity_log_reads_back_in_order_whether_the_store_appends_or_keeps_one_object_per_entry(bool appends)
    {
        var store = new InMemoryStore(appends: appends);
        var repo = new BackupRepository(store);
        var t0 = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++) repo.AppendActivity(new ActivityEntry { Time = t0.AddMilliseconds(i), Action = "A" + i });

        Assert.Equal(["A0", "A1", "A2", "A3", "A4"], repo.ReadActivity().Select(e => e.Action));
        var keys = store.ListAsync("", CancellationToken.None).ToBlockingEnumerable().Select(e => e.Key).ToList();
        if (appends) Assert.Contains("activity.jsonl", keys);
        else Assert.Equal(5, keys.Count(k => k.StartsWith("activity/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_log_copied_from_a_local_repository_is_read_before_the_entries_stored_one_per_object()
    {
        var store = new InMemoryStore(appends: false);
        await store.TryWriteAsync("activity.jsonl", Encoding.UTF8.GetBytes("{\"Action\":\"Old1\"}\nnot json\n{\"Action\":\"Old2\"}\n"), WriteCondition.None, CancellationToken.None);
        var repo = new BackupRepository(store);
        repo.AppendActivity(new ActivityEntry { Time = DateTimeOffset.UtcNow, Action = "New" });
        Assert.Equal(["Old1", "Old2", "New"], repo.ReadActivity().Select(e => e.Action));
    }

    [Fact]
    public async Task A_payload_file_reads_back_whole_and_one_changed_stored_byte_fails_its_checksum()
    {
        var store = new InMemoryStore();
        var writer = new PayloadWriter(store, "backups/bk-1/payload/", CompressionKind.Gzip);
        var content = Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 5000).Select(i => $"{i}\trow {i}")));
        await using (var s = writer.Create("data/0001.copy")) await s.WriteAsync(content);
        var file = Assert.Single(writer.Files);
        Assert.Equal("data/0001.copy.gz", file.Name);

        var reader = new PayloadReader(store, "backups/bk-1/payload/", writer.Files, CompressionKind.Gzip);
        using (var back = new MemoryStream())
        {
            await using (var r = reader.Open("data/0001.copy")) await r.CopyToAsync(back);
            Assert.Equal(content, back.ToArray());
        }

        store.Tamper("backups/bk-1/payload/data/0001.copy.gz", b => { b[b.Length / 2] ^= 0x01; return b; });
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var r = reader.Open("data/0001.copy");
            await r.CopyToAsync(Stream.Null);
        });
        // Either gzip notices the damage first, or the checksum does: never silently different bytes.
        Assert.True(e is DbBackupException { ErrorId: "ChecksumMismatch" } or InvalidDataException, e.ToString());
    }

    [Fact]
    public void An_unfinished_payload_file_is_neither_listed_nor_stored()
    {
        var store = new InMemoryStore();
        var writer = new PayloadWriter(store, "backups/bk-1/payload/", CompressionKind.None);
        var s = writer.Create("data/0001.copy");
        s.Write([1, 2, 3]);
        Assert.Equal(0, store.Count);
        s.Dispose();
        Assert.Equal(1, store.Count);
        Assert.Single(writer.Files);
    }

    [Theory]
    [InlineData(true, OperationState.Failed)]
    [InlineData(false, OperationState.Running)]
    public void A_dead_pid_ends_a_record_only_where_every_writer_is_on_this_host(bool sameHostOnly, OperationState expected)
    {
        var engine = new BackupEngine(new BackupRepository(new InMemoryStore(sameHostOnly: sameHostOnly)), TestRepository.Launcher, ProviderRegistry.For);
        var r = NewBackup();
        Assert.True(engine.Repository.WriteBackup(r));
        r = engine.Repository.TryReadBackup(r.Id)!;
        r.State = OperationState.Running;
        r.WorkerProcessId = DeadPid();
        r.WorkerHost = Environment.MachineName;
        r.HeartbeatAt = DateTimeOffset.UtcNow;
        Assert.True(engine.Repository.WriteBackup(r));

        Assert.Equal(expected, engine.GetBackup(r.Id).State);
    }

    [Theory]
    [InlineData(true, OperationState.Failed)]
    [InlineData(false, OperationState.Running)]
    public void On_a_shared_store_a_dead_pid_ends_a_record_at_once_only_when_the_worker_ran_in_this_pid_space(bool samePidSpace, OperationState expected)
    {
        if (HostIdentity.Current is null) return; // Linux only: elsewhere only the heartbeat's age counts (tested below)
        var engine = new BackupEngine(new BackupRepository(new InMemoryStore(sameHostOnly: false)), TestRepository.Launcher, ProviderRegistry.For);
        var r = NewBackup();
        r.State = OperationState.Running;
        r.WorkerProcessId = DeadPid();
        r.WorkerHost = Environment.MachineName; // the same name proves nothing on a shared store: another host (or container) may share it
        r.WorkerHostId = samePidSpace ? HostIdentity.Current : "0123456789abcdef";
        r.HeartbeatAt = DateTimeOffset.UtcNow;
        Assert.True(engine.Repository.WriteBackup(r));

        var read = engine.GetBackup(r.Id);
        Assert.Equal(expected, read.State);
        if (samePidSpace) Assert.Contains("is gone", read.StatusMessage);
    }

    [Fact]
    public void On_a_store_shared_between_hosts_a_silent_worker_is_ended_by_its_heartbeat_age()
    {
        var engine = new BackupEngine(new BackupRepository(new InMemoryStore(sameHostOnly: false)), TestRepository.Launcher, ProviderRegistry.For);
        var r = NewBackup();
        r.State = OperationState.Running;
        r.WorkerProcessId = Environment.ProcessId; // alive here, but a pid on a shared store proves nothing
        r.WorkerHost = "other-host";
        r.HeartbeatAt = DateTimeOffset.UtcNow - BackupEngine.StaleAfter - TimeSpan.FromMinutes(1);
        Assert.True(engine.Repository.WriteBackup(r));

        var read = engine.GetBackup(r.Id);
        Assert.Equal(OperationState.Failed, read.State);
        Assert.Contains("no heartbeat", read.StatusMessage);
    }

    [Fact]
    public async Task Removing_a_backup_deletes_its_manifest_and_every_payload_object_and_nothing_else()
    {
        var store = new InMemoryStore();
        var engine = new BackupEngine(new BackupRepository(store), TestRepository.Launcher, ProviderRegistry.For);
        var keep = NewBackup("bk-20261126000000000-000001");
        var gone = NewBackup("bk-20261126000000000-000002");
        foreach (var b in new[] { keep, gone })
        {
            b.State = OperationState.Succeeded;
            Assert.True(engine.Repository.WriteBackup(b));
            await store.TryWriteAsync($"backups/{b.Id}/payload/data/0001.copy.gz", new byte[] { 1 }, WriteCondition.None, CancellationToken.None);
        }

        await engine.RemoveAsync(gone.Id, force: false, CancellationToken.None);

        var keys = store.ListAsync("backups/", CancellationToken.None).ToBlockingEnumerable().Select(e => e.Key).ToList();
        Assert.DoesNotContain(keys, k => k.Contains(gone.Id, StringComparison.Ordinal));
        Assert.Equal([$"backups/{keep.Id}/manifest.json", $"backups/{keep.Id}/payload/data/0001.copy.gz"], keys);
        Assert.Equal([keep.Id], engine.ListBackups(new BackupQuery()).Items.Select(b => b.Id));
    }

    [Fact]
    public async Task Remove_counts_another_good_backup_only_when_its_manifest_reads_so_a_damaged_one_never_stands_in_for_the_last_good()
    {
        var store = new InMemoryStore();
        var engine = new BackupEngine(new BackupRepository(store), TestRepository.Launcher, ProviderRegistry.For);
        var older = NewBackup("bk-20261126000000000-000001");
        var newest = NewBackup("bk-20261126000000000-000002");
        foreach (var b in new[] { older, newest })
        {
            b.State = OperationState.Succeeded;
            Assert.True(engine.Repository.WriteBackup(b));
        }
        Assert.Equal(2, engine.ListBackups(new BackupQuery()).Items.Count); // both in the catalog as Succeeded

        // The older one's manifest is damaged afterwards: the catalog still lists it as Succeeded.
        store.Tamper($"backups/{older.Id}/manifest.json", bytes => bytes[..(bytes.Length / 2)]);
        var refused = await Assert.ThrowsAsync<DbBackupException>(() => engine.RemoveAsync(newest.Id, force: false, CancellationToken.None));
        Assert.Equal("LastGoodBackup", refused.ErrorId);
        Assert.NotNull(engine.Repository.TryReadBackup(newest.Id));
    }

    /// <summary>A pid no process has (the highest pid Linux hands out is far below).</summary>
    private static int DeadPid() => int.MaxValue - 7;
}
