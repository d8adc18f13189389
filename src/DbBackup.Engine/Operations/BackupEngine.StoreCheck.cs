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

    /// <summary>Refuses an operation up front (StoreRightMissing, naming the right and where the credential
    /// came from) when the repository's credential lacks <paramref name="right"/>, before it locks, records
    /// or deletes anything. <paramref name="operation"/> names the command in both front ends' words;
    /// <paramref name="outcome"/> says what was left as it was.</summary>
    internal async Task RequireRightAsync(StoreRight right, string operation, string outcome, CancellationToken cancellationToken)
    {
        if (await StoreRights.DenialAsync(Repository.Store, right, cancellationToken).ConfigureAwait(false) is { } denial)
            throw StoreFailures.RightMissing(Repository.Location, right, operation, outcome, denial);
    }

    /// <summary>As <see cref="RequireRightAsync"/>, for the synchronous paths of the worker.</summary>
    private DbBackupException? RightDenial(StoreRight right, string operation, string outcome)
        => StoreSync.Run(() => StoreRights.DenialAsync(Repository.Store, right, CancellationToken.None)) is { } denial
            ? StoreFailures.RightMissing(Repository.Location, right, operation, outcome, denial) : null;
}
