using Azure.Storage.Blobs;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>Target locks between hosts on Azure Blob (Azurite), where a holder's pid means nothing: a
/// long operation keeps its lock's heartbeat fresh, so no other host takes it while it runs; once the
/// heartbeat stops for longer than the grace the lock is taken over, by exactly one of the hosts racing
/// for it (conditional delete at the version read, then create-if-absent), and the old holder's next
/// refresh finds it no longer its own. Process-wide: the grace and the refresh interval are shortened.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class AzureLockHeartbeatTests : IDisposable
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private const string ContainerName = "lockbeat";
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);
    private readonly TimeSpan _pendingGrace = BackupEngine.PendingGrace;
    private readonly TimeSpan _refresh = BackupEngine.LockRefreshInterval;

    public AzureLockHeartbeatTests()
    {
        BackupEngine.PendingGrace = Grace;
        BackupEngine.LockRefreshInterval = TimeSpan.FromMilliseconds(250);
    }

    [StoreFact]
    public async Task A_refreshed_lock_outlives_the_grace_and_once_its_heartbeat_stops_exactly_one_other_host_takes_it_over()
    {
        await new BlobContainerClient(Azurite.ConnectionString, ContainerName).CreateIfNotExistsAsync();
        var address = RepositoryAddress.Parse($"{Azurite.BlobEndpoint}/{ContainerName}/{Guid.NewGuid():N}");
        // Three hosts: each its own store client over the same repository.
        var (hostA, hostB, hostC) = (Host(address), Host(address), Host(address));
        var target = new ConnectionTarget(DatabaseEngine.PostgreSql, "db.example", 5432, "backup", "shop");
        var key = TargetLock.Key(target.Engine, target.Server, target.Port, target.Database);
        var running = Owner("bk-20261126100000000-aaaaaa", "host-a");

        Assert.Null(TargetLock.TryAcquire(hostA.Repository, key, running));
        using (var beat = new LockHeartbeat(hostA.Repository, key, running.OperationId))
        {
            // Twice the grace: without the refresh the lock (taken at the start) would now be judged stale.
            await Task.Delay(Grace * 2);
            var busy = Assert.Throws<DbBackupException>(() => hostB.AcquireTargetLock(key, Owner("bk-20261126100000000-bbbbbb", "host-b"), target));
            Assert.Equal("TargetBusy", busy.ErrorId);
            Assert.Contains(running.OperationId, busy.Message, StringComparison.Ordinal);
            Assert.True(DateTimeOffset.UtcNow - TargetLock.Read(hostB.Repository, key)!.HeartbeatAt < Grace);
            Assert.True(beat.Held);
        }

        // Host A stops (killed, or its machine gone): after the grace B and C race for the lock; one wins.
        await Task.Delay(Grace + TimeSpan.FromMilliseconds(500));
        var contenders = new[] { (Engine: hostB, Id: "bk-20261126100000000-bbbbbb"), (Engine: hostC, Id: "bk-20261126100000000-cccccc") };
        var outcomes = await Task.WhenAll(contenders.Select(c => Task.Run(() =>
        {
            try { c.Engine.AcquireTargetLock(key, Owner(c.Id, c.Id[^6..]), target); return c.Id; }
            catch (DbBackupException e) when (e.ErrorId == "TargetBusy") { return null; }
        })));
        var winner = Assert.Single(outcomes, o => o != null);
        Assert.Equal(winner, TargetLock.Read(hostA.Repository, key)!.OperationId);
        // The old holder, were it only paused, finds on its next beat that the lock is not its own any more.
        Assert.False(TargetLock.Refresh(hostA.Repository, key, running.OperationId));
        Assert.Equal(winner, TargetLock.Read(hostA.Repository, key)!.OperationId);
    }

    private static BackupEngine Host(RepositoryAddress address)
        => new(new BackupRepository(StoreFactory.Open(address, n => n == "AZURE_STORAGE_CONNECTION_STRING" ? Azurite.ConnectionString : null)), TestRepository.Launcher, ProviderRegistry.For);

    /// <summary>A holder on another host: its pid cannot be checked from here.</summary>
    private static LockOwner Owner(string id, string host)
        => new() { OperationId = id, ProcessId = 4_000_000, Host = host, AcquiredAt = DateTimeOffset.UtcNow, Target = "shop" };

    public void Dispose()
    {
        BackupEngine.PendingGrace = _pendingGrace;
        BackupEngine.LockRefreshInterval = _refresh;
    }
}
