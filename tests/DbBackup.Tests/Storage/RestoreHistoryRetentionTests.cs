using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Storage;

/// <summary>Restore-history retention (RestoreHistoryDays) on every store: ended restores older than the
/// setting go with their catalog entries, while the newest ended and newest successful restore of each
/// database, running and unsettled restores, and restores whose safety backup is still there stay. The
/// records are written straight into the repository as a finished worker leaves them (no database needed).</summary>
public abstract class RestoreHistoryRetentionTests : IDisposable
{
    /// <summary>A fresh, empty repository in the store under test.</summary>
    protected abstract BackupRepository NewRepository();

    /// <summary>An engine over <paramref name="repository"/>.</summary>
    protected static BackupEngine EngineOver(BackupRepository repository) => new(repository, TestRepository.Launcher, ProviderRegistry.For);

    [StoreFact]
    public async Task Old_ended_restores_are_pruned_while_the_newest_per_database_running_unsettled_and_safety_backed_ones_stay()
    {
        var repo = NewRepository();
        var engine = EngineOver(repo);
        var safety = RestoreRecords.Backup(repo, "app", daysAgo: 140);
        var oldSucceeded = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 200);
        var oldFailed = RestoreRecords.Write(repo, "app", OperationState.Failed, daysAgo: 150);
        var safetyGone = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 145, safetyBackupId: Ids.NewBackupId(DateTimeOffset.UtcNow.AddDays(-145)));
        var safetyKept = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 140, safetyBackupId: safety.Id);
        var unsettled = RestoreRecords.Write(repo, "app", OperationState.Failed, daysAgo: 130, leftoversPending: true);
        var running = RestoreRecords.Write(repo, "app", OperationState.Running, daysAgo: 120);
        var newestGood = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 100);
        var newestEnded = RestoreRecords.Write(repo, "app", OperationState.Cancelled, daysAgo: 95);
        var onlyOfOther = RestoreRecords.Write(repo, "other", OperationState.Failed, daysAgo: 300);
        var recentOld = RestoreRecords.Write(repo, "recent", OperationState.Succeeded, daysAgo: 91);
        var recent = RestoreRecords.Write(repo, "recent", OperationState.Succeeded, daysAgo: 89);
        var recentFailed = RestoreRecords.Write(repo, "recent", OperationState.Failed, daysAgo: 1);

        var removed = await engine.ApplyRestoreHistoryRetentionAsync(CancellationToken.None);

        string[] gone = [oldSucceeded.Id, oldFailed.Id, safetyGone.Id, recentOld.Id];
        Assert.Equal(gone.Order(StringComparer.Ordinal), removed.Select(r => r.Id).Order(StringComparer.Ordinal));
        var listed = engine.ListRestores(new RestoreQuery()).Items.Select(r => r.Id).ToHashSet();
        Assert.Equal(new[] { safetyKept.Id, unsettled.Id, running.Id, newestGood.Id, newestEnded.Id, onlyOfOther.Id, recent.Id, recentFailed.Id }.ToHashSet(), listed);
        foreach (var id in gone)
        {
            Assert.Null(repo.TryReadRestore(id));
            Assert.Empty(await KeysAsync(repo, BackupRepository.RestorePrefix(id)));
        }
        // Every removal is logged, before it happens, naming the record.
        var log = engine.ReadActivity(new ActivityQuery { First = 100 }).Items;
        foreach (var id in gone) Assert.Contains(log, e => e.Action == "Pruned" && e.Id == id && e.Message!.Contains("RestoreHistoryDays", StringComparison.Ordinal));
        // The catalog, folded afresh from the manifests, agrees: nothing of the removed ones is left in it.
        Assert.Equal(listed, repo.ReadCatalog<RestoreRecord>(trustNothing: true).Items.Select(i => i.Entry.Id).ToHashSet());
        // Their journal objects go with that fold (where the store ignores conditional writes, only once an hour old).
        if (repo.Store.Features.ConditionalWrites)
            Assert.DoesNotContain(await KeysAsync(repo, "catalog/restores"), k => gone.Any(id => k.Contains(id, StringComparison.Ordinal)));
    }

    [StoreFact]
    public async Task The_setting_decides_how_long_restores_are_kept_and_zero_keeps_them_all()
    {
        var repo = NewRepository();
        var engine = EngineOver(repo);
        var older = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 40);
        var newer = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 20);

        Assert.Equal(90, engine.GetRepositoryInfo().Settings.RestoreHistoryDays);
        Assert.Empty(await engine.ApplyRestoreHistoryRetentionAsync(CancellationToken.None));
        engine.UpdateSettings(s => s.RestoreHistoryDays = 0);
        engine.UpdateSettings(s => s.KeepLast = 3); // another change leaves it as set
        Assert.Equal(0, engine.GetRepositoryInfo().Settings.RestoreHistoryDays);
        Assert.Empty(await engine.ApplyRestoreHistoryRetentionAsync(CancellationToken.None));
        engine.UpdateSettings(s => s.RestoreHistoryDays = 30);
        Assert.Equal([older.Id], (await engine.ApplyRestoreHistoryRetentionAsync(CancellationToken.None)).Select(r => r.Id));
        Assert.Equal([newer.Id], engine.ListRestores(new RestoreQuery()).Items.Select(r => r.Id));

        var bad = Assert.Throws<DbBackupException>(() => engine.UpdateSettings(s => s.RestoreHistoryDays = -1));
        Assert.Equal("InvalidRestoreHistoryDays", bad.ErrorId);
        Assert.Equal(30, engine.GetRepositoryInfo().Settings.RestoreHistoryDays);
    }

    [StoreFact]
    public async Task Removing_a_restore_by_hand_refuses_running_unsettled_and_safety_backed_ones_and_removes_an_ended_one()
    {
        var repo = NewRepository();
        var engine = EngineOver(repo);
        var safety = RestoreRecords.Backup(repo, "app", daysAgo: 3);
        var running = RestoreRecords.Write(repo, "app", OperationState.Running, daysAgo: 1);
        var unsettled = RestoreRecords.Write(repo, "app", OperationState.Failed, daysAgo: 2, leftoversPending: true);
        var safetyKept = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 3, safetyBackupId: safety.Id);
        var ended = RestoreRecords.Write(repo, "app", OperationState.Succeeded, daysAgo: 4);

        Assert.Equal("RestoreRunning", (await Assert.ThrowsAsync<DbBackupException>(() => engine.RemoveRestoreAsync(running.Id, CancellationToken.None))).ErrorId);
        Assert.Equal("RestoreUnsettled", (await Assert.ThrowsAsync<DbBackupException>(() => engine.RemoveRestoreAsync(unsettled.Id, CancellationToken.None))).ErrorId);
        var kept = await Assert.ThrowsAsync<DbBackupException>(() => engine.RemoveRestoreAsync(safetyKept.Id, CancellationToken.None));
        Assert.Equal("SafetyBackupKept", kept.ErrorId);
        Assert.Contains(safety.Id, kept.Message, StringComparison.Ordinal);

        var removed = await engine.RemoveRestoreAsync(ended.Id, CancellationToken.None);
        Assert.Equal(ended.Id, removed.Id);
        Assert.Empty(await KeysAsync(repo, BackupRepository.RestorePrefix(ended.Id)));
        Assert.Equal(new[] { running.Id, unsettled.Id, safetyKept.Id }.ToHashSet(), engine.ListRestores(new RestoreQuery()).Items.Select(r => r.Id).ToHashSet());
        Assert.Equal("RestoreNotFound", (await Assert.ThrowsAsync<DbBackupException>(() => engine.RemoveRestoreAsync(ended.Id, CancellationToken.None))).ErrorId);

        // Once its safety backup is gone, the record may go too.
        await engine.RemoveAsync(safety.Id, force: true, CancellationToken.None);
        await engine.RemoveRestoreAsync(safetyKept.Id, CancellationToken.None);
        Assert.Null(repo.TryReadRestore(safetyKept.Id));
    }

    /// <summary>Every key of the repository starting with <paramref name="prefix"/>, through its store.</summary>
    protected static async Task<List<string>> KeysAsync(BackupRepository repo, string prefix)
    {
        var keys = new List<string>();
        await foreach (var e in repo.Store.ListAsync(prefix, CancellationToken.None)) keys.Add(e.Key);
        return keys;
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
