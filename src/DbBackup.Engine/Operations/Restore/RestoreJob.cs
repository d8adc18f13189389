using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Starting a restore: the source (a backup, or a bundle imported for it), every check, the
/// record, the target's lock and the worker.</summary>
internal sealed class RestoreJob(EngineContext context, BundleImport bundles, RestorePlanner planner)
{
    private readonly WorkerLaunch _launch = new(context);

    /// <summary>Validates a restore (state, checksums, format, engine, version, age, target), records
    /// it as Pending, starts the worker and returns at once.</summary>
    public async Task<RestoreRecord> StartAsync(RestoreOptions options, CancellationToken cancellationToken)
    {
        if ((options.BackupId == null) == (options.BundlePath == null))
            throw new DbBackupException(ErrorKind.InvalidArgument, "RestoreSourceRequired", "Give exactly one of a backup id (--id / -Id) or a bundle path (--path / -Path).");
        // A restore records itself, its target lock and its safety backup in the repository.
        await context.RequireRightAsync(StoreRight.Write, "A restore (dbbackup restore / Restore-DbBackup)",
            "Nothing was locked, recorded or restored: a restore keeps its record, its target lock and the safety backup in the repository. " +
            "With this credential, download the backup (dbbackup save / Save-DbBackup) and restore that file with --path / -Path into a repository you may write (--repository / -Repository).",
            cancellationToken).ConfigureAwait(false);
        BackupRecord backup;
        BackupRecord? imported = null;
        if (options.BundlePath != null)
        {
            var result = await bundles.ImportOrReuseAsync(options.BundlePath, cancellationToken).ConfigureAwait(false);
            backup = result.Record;
            // A backup the repository already held is not this restore's to remove on a refusal.
            if (!result.Reused) imported = result.Record;
        }
        else backup = context.Records.GetBackup(options.BackupId!);
        try
        {
            return await StartRestoreOfAsync(backup, options, cancellationToken).ConfigureAwait(false);
        }
        catch when (imported != null)
        {
            // The bundle was brought in only for this restore; a refused restore leaves no trace of it.
            await context.Repository.DeleteBackupAsync(imported.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Validates a restore exactly as <see cref="StartAsync"/> does and says what it would
    /// do, changing nothing (no import, no record, no lock): what -WhatIf and -Confirm show.</summary>
    public async Task<RestorePlan> PlanAsync(RestoreOptions options, CancellationToken cancellationToken)
    {
        if ((options.BackupId == null) == (options.BundlePath == null))
            throw new DbBackupException(ErrorKind.InvalidArgument, "RestoreSourceRequired", "Give exactly one of a backup id (--id / -Id) or a bundle path (--path / -Path).");
        return options.BundlePath != null
            ? await planner.PlanRestoreOfAsync(await bundles.ReadBundleManifestAsync(options.BundlePath, cancellationToken).ConfigureAwait(false), options, filesInRepository: false, cancellationToken).ConfigureAwait(false)
            : await planner.PlanRestoreOfAsync(context.Records.GetBackup(options.BackupId!), options, filesInRepository: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RestoreRecord> StartRestoreOfAsync(BackupRecord backup, RestoreOptions o, CancellationToken ct)
    {
        var plan = await planner.PlanRestoreOfAsync(backup, o, filesInRepository: true, ct).ConfigureAwait(false);
        var target = plan.Target;
        var now = DateTimeOffset.UtcNow;
        var record = new RestoreRecord
        {
            Id = Ids.NewRestoreId(now),
            BackupId = backup.Id,
            SourceDatabase = backup.Database,
            Engine = target.Engine,
            Server = target.Server,
            Port = target.Port,
            UserName = target.UserName,
            Database = plan.Database,
            TargetDatabase = plan.Database,
            Swap = plan.Action == RestoreAction.ReplaceDatabase,
            ReplacesTables = plan.Action == RestoreAction.ReplaceTables,
            Tables = plan.Tables.Select(t => t.ToString()).ToArray(),
            State = OperationState.Pending,
            StatusMessage = "Waiting for the worker to start.",
            SkipSafetyBackup = o.SkipSafetyBackup,
            RequestedBy = EngineContext.Me,
            Note = o.Note,
            CreatedAt = now,
            Jobs = context.DefaultJobs(o.Jobs),
            Progress = new OperationProgress { Phase = "Pending", UpdatedAt = now },
        };
        var key = TargetLocks.LockKey(record);
        context.Locks.AcquireTargetLock(key, LockOwner.OfThisProcess(record.Id, target.ToString()), target);
        return _launch.RecordAndLaunch(record, key, target.Password, plan.Description);
    }
}
