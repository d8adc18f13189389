using System.Diagnostics;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Copying backups between repositories (dbbackup copy / Copy-DbBackup): selection, the
/// destination's copy lock, the verified stream of every payload file, the manifest last.</summary>
internal sealed class CopyJob(EngineContext context, RecordQueries queries)
{
    /// <summary>How often a running copy renews its lock in the destination, well inside
    /// <see cref="BackupEngine.PendingGrace"/>, so a copy on another host is never judged gone while it streams.</summary>
    private static readonly TimeSpan CopyHeartbeat = TimeSpan.FromSeconds(20);

    /// <summary>The Succeeded backups a filtered copy takes (Get-DbBackup's filters and paging, newest
    /// first): "every backup of shop", "the newest 3". Other states are left out, not reported. None
    /// at all is an error (NotFound): a nightly off-site copy that finds nothing to copy must say so.</summary>
    public IReadOnlyList<BackupRecord> SelectBackupsToCopy(BackupQuery query)
    {
        var selected = queries.ListBackups(new BackupQuery
        {
            Id = query.Id,
            Engine = query.Engine,
            Server = query.Server,
            Port = query.Port,
            Database = query.Database,
            Kind = query.Kind,
            Labels = query.Labels,
            State = OperationState.Succeeded,
            Skip = query.Skip,
            First = query.First,
        }).Items;
        return selected.Count > 0 ? selected : throw new DbBackupException(ErrorKind.NotFound, "NoBackupToCopy",
            $"No Succeeded backup in '{context.RepositoryPath}' matches the filters; nothing was copied. List them with 'dbbackup list' or Get-DbBackup.");
    }

    /// <summary>As <see cref="CopyAsync(string, BackupRepository, CancellationToken)"/>, to the repository
    /// at <paramref name="destination"/> (any address <see cref="BackupRepository"/> accepts).</summary>
    public Task<BackupCopyResult> CopyAsync(string id, string destination, CancellationToken cancellationToken)
        => CopyAsync(id, new BackupRepository(destination), cancellationToken);

    /// <summary>Copies one Succeeded backup into <paramref name="destination"/>, keeping its id and every
    /// record field. Each payload file streams from this repository's store into the destination's
    /// (no local copy) through its size and SHA-256 check, and the manifest is created last, only if
    /// the id is still free there: until then the backup is not listed, and on any failure what was
    /// written is removed. A destination that already holds this very backup is left as it is
    /// (Skipped); a different backup under the id is refused. The stored bytes are copied verbatim,
    /// so an encrypted backup stays encrypted and nothing here needs its key. Only the destination is
    /// written (its activity log too): a read-only credential on the source is enough.</summary>
    public async Task<BackupCopyResult> CopyAsync(string id, BackupRepository destination, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var backup = context.Records.GetBackup(id);
        if (EngineContext.SameLocation(destination.Location, context.RepositoryPath))
            throw new DbBackupException(ErrorKind.InvalidArgument, "CopySameRepository",
                $"The destination '{destination.Location}' is the repository backup {id} is in; give another repository (a folder, s3://bucket/prefix or azure://container/prefix).") { TargetObject = destination.Location };
        if (backup.State != OperationState.Succeeded)
            throw new DbBackupException(ErrorKind.InvalidOperation, "BackupNotCopyable",
                $"Backup {id} is {backup.State}{(backup.IsActive ? "" : $" ({backup.StatusMessage})")}; only Succeeded backups can be copied{(backup.IsActive ? ": wait for it to finish (dbbackup wait / Wait-DbBackup) and copy it then" : "")}.") { TargetObject = id };
        BundleImport.ValidateImportedManifest(backup, $"backup {id} in {context.RepositoryPath}");
        var there = new EngineContext(destination, context.Launcher, context.Providers);
        var target = new BundleImport(there);
        if (target.AlreadyStored(backup, "copied") is { } stored) return Result(CopyOutcome.Skipped, stored, 0, 0);

        await destination.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var lockKey = "copy-" + id;
        var owner = new LockOwner { OperationId = $"copy-{id}-{Guid.NewGuid():N}"[..48], ProcessId = Environment.ProcessId, Host = Environment.MachineName, AcquiredAt = DateTimeOffset.UtcNow, Target = $"copy of backup {id}" };
        AcquireCopyLock(there, lockKey, owner, id);
        using var stopBeating = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var beating = RenewCopyLockAsync(destination, lockKey, owner, stopBeating.Token);
        try
        {
            // Another copy may have finished between the first look and the lock.
            if (target.AlreadyStored(backup, "copied") is { } meanwhile) return Result(CopyOutcome.Skipped, meanwhile, 0, 0);
            var bytes = await CopyPayloadAsync(backup, destination, cancellationToken).ConfigureAwait(false);
            if (!await destination.TryCreateManifestAsync(backup, cancellationToken).ConfigureAwait(false))
                return Result(CopyOutcome.Skipped, target.AlreadyStored(backup, "copied") ?? throw IdTaken(destination.Location, id), 0, 0);
            there.Log("Copied", backup, $"From {context.RepositoryPath}: {backup.Files.Count} files, {bytes} bytes, every SHA-256 re-verified while streaming", backup.Note);
            return Result(CopyOutcome.Copied, backup, backup.Files.Count, bytes);
        }
        catch (Exception e) when (!target.Stored(id))
        {
            // Nothing half-visible: without its manifest the backup was never listed; its files go too.
            await destination.DeleteBackupAsync(id, CancellationToken.None).ConfigureAwait(false);
            if (e is DbBackupException { Kind: ErrorKind.InvalidData or ErrorKind.NotFound } && context.Repository.TryReadBackup(id) == null)
                throw new DbBackupException(ErrorKind.NotFound, "BackupRemovedDuringCopy",
                    $"Backup {id} was removed from '{context.RepositoryPath}' while it was being copied; nothing of it was left in '{destination.Location}'.", e) { TargetObject = id };
            throw;
        }
        finally
        {
            await stopBeating.CancelAsync().ConfigureAwait(false);
            await beating.ConfigureAwait(false);
            TargetLock.Release(destination, lockKey, owner.OperationId);
        }

        BackupCopyResult Result(CopyOutcome outcome, BackupRecord record, int files, long bytes) => new()
        {
            BackupId = id,
            Outcome = outcome,
            Source = context.RepositoryPath,
            Destination = destination.Location,
            FilesCopied = files,
            BytesCopied = bytes,
            Duration = clock.Elapsed,
            Record = record,
        };
    }

    /// <summary>Before the first copy into <paramref name="destination"/>: the warning to show when that store
    /// ignores conditional writes, so the copy lock there cannot keep two hosts apart (null otherwise).</summary>
    public Task<string?> CopyDestinationWarningAsync(BackupRepository destination, CancellationToken cancellationToken)
        => new EngineContext(destination, context.Launcher, context.Providers).Locks.CrossHostLockingWarningAsync(cancellationToken);

    /// <summary>Streams every payload file into the destination under the same key, each through its
    /// size and SHA-256 check: a mismatch throws before that file's upload is committed.</summary>
    private async Task<long> CopyPayloadAsync(BackupRecord backup, BackupRepository destination, CancellationToken ct)
    {
        var into = new PayloadTarget(destination.Store, BackupRepository.BackupPrefix(backup.Id));
        var consequence = $"it was not copied, and nothing of it was left in '{destination.Location}'";
        long bytes = 0;
        foreach (var f in backup.Files)
        {
            await using var verifying = new VerifyingStream(await context.Payloads.OpenPayloadAsync(backup, f, ct).ConfigureAwait(false), f, consequence);
            await into.CopyAsync(f.Name, verifying, ct).ConfigureAwait(false);
            bytes += f.Size;
        }
        return bytes;
    }

    /// <summary>Takes the destination's lock on copying <paramref name="id"/> (a conditional create), so two
    /// copies of one backup into one repository never interleave their writes and clean-ups. A lock whose
    /// holder is gone (dead process on this host, or no renewal for <see cref="BackupEngine.PendingGrace"/>) is broken.</summary>
    private static void AcquireCopyLock(EngineContext there, string key, LockOwner owner, string id)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var holder = TargetLock.TryAcquire(there.Repository, key, owner);
            if (holder == null) return;
            if (there.Locks.HolderMayBeStarting(holder))
                throw new DbBackupException(ErrorKind.InvalidOperation, "BackupCopyInProgress",
                    $"Backup {id} is being copied into '{there.RepositoryPath}' by process {holder.ProcessId} on {holder.Host} since {holder.AcquiredAt:u}. Run the copy again once that one has ended: it then finds the backup there and skips it.") { TargetObject = id };
            TargetLock.Break(there.Repository, key, holder.OperationId);
        }
        throw new DbBackupException(ErrorKind.InvalidOperation, "BackupCopyInProgress", $"Could not lock the copy of backup {id} into '{there.RepositoryPath}'; other processes keep taking it.") { TargetObject = id };
    }

    /// <summary>Renews the copy lock's heartbeat until <paramref name="ct"/> is cancelled. A renewal that
    /// fails is retried at the next beat: the copy itself reports a store that stopped answering.</summary>
    private static async Task RenewCopyLockAsync(BackupRepository destination, string key, LockOwner owner, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(CopyHeartbeat, ct).ConfigureAwait(false);
                try { await Task.Run(() => TargetLock.TakeOver(destination, key, owner), ct).ConfigureAwait(false); }
                catch (DbBackupException) { }
            }
        }
        catch (OperationCanceledException) { }
    }

    private static DbBackupException IdTaken(string location, string id) => new(ErrorKind.InvalidOperation, "BackupAlreadyExists",
        $"The repository '{location}' already holds a backup under the id {id}; nothing was copied.") { TargetObject = id };
}
