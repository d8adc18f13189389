using DbBackup.Engine.Operations;
using DbBackup.Engine.Policies;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;
using DbBackup.Tests.Storage;

namespace DbBackup.Tests.Policies;

/// <summary>A policy's retention planned from the catalog: it reads the manifests of its own candidates,
/// not of every backup in the repository, and acts only on what those manifests confirm.</summary>
public sealed class PolicyRetentionCatalogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

    private static (SpyStore Spy, BackupRepository Repo, BackupEngine Engine) Repository()
    {
        var spy = new SpyStore(new InMemoryStore());
        var repo = new BackupRepository(spy);
        return (spy, repo, CatalogTests.EngineOver(repo));
    }

    private static IEnumerable<string> Ids(BackupRepository repo) => repo.ReadAllBackups().Select(b => b.Id).Order(StringComparer.Ordinal);

    [Fact]
    public void A_policy_run_removes_what_the_full_read_would_while_reading_the_manifests_of_its_own_backups_only()
    {
        var (spy, repo, engine) = Repository();
        for (var i = 0; i < 300; i++) Assert.True(repo.WriteBackup(CatalogTests.NewBackup(i))); // not the policy's
        var mine = Enumerable.Range(0, 10).Select(h => PolicyRecords.Write(repo, "p", "app", T0.AddHours(h))).ToList();
        var policy = PolicyRecords.Policy("p", new RetentionTiers { Last = 3 });
        var expected = RetentionPlanner.Plan(repo.ReadAllBackups().Where(b => b.Policy == "p"), policy.Retention, TimeZoneInfo.Utc);
        engine.ListBackups(new BackupQuery { First = 1 }); // a warm catalog, as any list leaves it
        spy.Reads.Clear();

        var removed = engine.ApplyPolicyRetention(policy, whatIf: false);
        var reads = spy.Reads.Where(r => r.Key.EndsWith("/manifest.json", StringComparison.Ordinal)).ToList();

        Assert.Equal(expected.Where(d => d.Remove).Select(d => d.Backup.Id).Order(StringComparer.Ordinal), removed.Select(r => r.BackupId).Order(StringComparer.Ordinal));
        Assert.Equal(7, removed.Count);
        var left = Ids(repo).ToList();
        Assert.Equal(mine.Skip(7).Select(b => b.Id).Order(StringComparer.Ordinal), left.Where(id => mine.Any(m => m.Id == id)));
        Assert.Equal(300 + 3, left.Count);
        Assert.Equal(["last"], repo.TryReadBackup(mine[^1].Id)!.RetainedAs);
        // The newest confirmed, each removal re-read, each relabelled one read and written: far from 310.
        Assert.InRange(reads.Sum(r => r.Value), 8, 30);
        Assert.All(reads, r => Assert.Contains(mine, b => r.Key.Contains(b.Id, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_damaged_newest_backup_the_catalog_still_lists_as_Succeeded_never_lets_a_policy_run_remove_the_one_before_it()
    {
        var (spy, repo, engine) = Repository();
        var older = PolicyRecords.Write(repo, "p", "app", T0);
        var newest = PolicyRecords.Write(repo, "p", "app", T0.AddHours(1));
        var policy = PolicyRecords.Policy("p", new RetentionTiers { Last = 1 });
        engine.ListBackups(new BackupQuery()); // the catalog now says both Succeeded
        StoreSync.Run(() => spy.TryWriteAsync($"backups/{newest.Id}/manifest.json", "{\"Id\": \"damaged"u8.ToArray(), WriteCondition.None, CancellationToken.None));

        var removed = engine.ApplyPolicyRetention(policy, whatIf: false);

        Assert.Empty(removed);
        Assert.Equal(OperationState.Succeeded, repo.TryReadBackup(older.Id)!.State);
        Assert.Equal(["last"], repo.TryReadBackup(older.Id)!.RetainedAs);
        Assert.True(repo.HasBackupObjects(newest.Id)); // damaged: listed with a warning, never pruned
    }

    [Fact]
    public void A_hold_set_behind_the_catalog_s_back_keeps_its_backup_from_a_policy_run()
    {
        var (spy, repo, engine) = Repository();
        var held = PolicyRecords.Write(repo, "p", "app", T0);
        var plain = PolicyRecords.Write(repo, "p", "app", T0.AddHours(1));
        var newest = PolicyRecords.Write(repo, "p", "app", T0.AddHours(2));
        var policy = PolicyRecords.Policy("p", new RetentionTiers { Last = 1 });
        engine.ListBackups(new BackupQuery());
        // An older DbBackup (no catalog) holds it: the manifest moves on, the catalog hears nothing.
        var changed = repo.TryReadBackup(held.Id)!;
        changed.Hold = true;
        changed.Revision++;
        StoreSync.Run(() => spy.TryWriteAsync($"backups/{held.Id}/manifest.json", RecordFile.Serialize(changed), WriteCondition.None, CancellationToken.None));

        var removed = engine.ApplyPolicyRetention(policy, whatIf: false);

        Assert.Equal([plain.Id], removed.Select(r => r.BackupId)); // planned from the entries, left by the re-read
        Assert.True(repo.TryReadBackup(held.Id)!.Hold);
        Assert.Null(repo.TryReadBackup(plain.Id));
        Assert.NotNull(repo.TryReadBackup(newest.Id));
    }
}
