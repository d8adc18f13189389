using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>Before an operation that locks a target: on a store shared between hosts, probes once
    /// (per process) whether it honours conditional writes, and returns the warning to show when it
    /// does not (null when it does, or when the store is a local folder). A probe the credential cannot
    /// make returns null: the operation itself then reports the missing right.</summary>
    public async Task<string?> CrossHostLockingWarningAsync(CancellationToken cancellationToken)
    {
        var store = Repository.Store;
        if (store.Features.SameHostOnly) return null;
        try { await ConditionalWriteProbe.ProbeAsync(store, cancellationToken).ConfigureAwait(false); }
        catch (DbBackupException) { return null; }
        return store.Features.ConditionalWrites ? null : ConditionalWriteProbe.UnavailableWarning(store.Location);
    }
}
