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
        CheckRequest(options);
        // A restore records itself, its target lock and its safety backup in a repository it may write: this
        // one, or, when its credential may only read, the local state repository (the payload still streams from here).
        if (await StoreRights.DenialAsync(context.Repository.Store, StoreRight.Write, cancellationToken).ConfigureAwait(false) is { } denial)
            return await StartKeptLocallyAsync(options, denial, cancellationToken).ConfigureAwait(false);
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
        DebugTimings.Mark("backup record read");
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

    /// <summary>Checks what needs no repository or server: one source, and database names that name one
    /// database. Elsewhere --database takes wildcards, so 'shop_*' here would otherwise create or replace
    /// a database literally named shop_*.</summary>
    private static void CheckRequest(RestoreOptions options)
    {
        if ((options.BackupId == null) == (options.BundlePath == null))
            throw new DbBackupException(ErrorKind.InvalidArgument, "RestoreSourceRequired", "Give exactly one of a backup id (--id / -Id) or a bundle path (--path / -Path).");
        DatabaseNamePattern.RequireExact(options.Target.Database, "--database / -Database", "A restore writes one database");
        DatabaseNamePattern.RequireExact(options.TargetDatabase, "--target-database / -TargetDatabase", "A restore writes one database");
    }

    /// <summary>A restore through a credential that may read this repository but not write it: its record,
    /// target lock and safety backup go to the local state repository (<see cref="EngineContext.LocalState"/>),
    /// the record names this repository as its source, and its worker streams the payload from here.</summary>
    private async Task<RestoreRecord> StartKeptLocallyAsync(RestoreOptions options, DbBackupException denial, CancellationToken ct)
    {
        const string operation = "A restore (dbbackup restore / Restore-DbBackup)";
        var state = context.LocalState ?? throw StoreFailures.RightMissing(context.Repository.Location, StoreRight.Write, operation,
            "Nothing was locked, recorded or restored: a restore keeps its record, its target lock and its safety backup in a repository it may write, " +
            $"and {EngineContext.StateRepositoryVariable} names this very repository. Point it at a folder you may write, or unset it for the per-user default folder.", denial);
        await state.RequireRightAsync(StoreRight.Write, operation,
            $"Nothing was locked, recorded or restored: this repository may only be read, and the state repository '{state.RepositoryPath}' ({EngineContext.StateRepositoryVariable}) may not be written either.",
            ct).ConfigureAwait(false);
        var there = new RestoreJob(state, new BundleImport(state), new RestorePlanner(state));
        // A bundle needs nothing from this repository: it is imported into, and restored through, the state repository.
        if (options.BundlePath != null) return await there.StartAsync(options, ct).ConfigureAwait(false);
        return await there.StartRestoreOfAsync(context.Records.GetBackup(options.BackupId!), options, ct, source: context).ConfigureAwait(false);
    }

    /// <summary>Validates a restore exactly as <see cref="StartAsync"/> does and says what it would
    /// do, changing nothing (no import, no record, no lock): what -WhatIf and -Confirm show.</summary>
    public async Task<RestorePlan> PlanAsync(RestoreOptions options, CancellationToken cancellationToken)
    {
        CheckRequest(options);
        return options.BundlePath != null
            ? await planner.PlanRestoreOfAsync(await bundles.ReadBundleManifestAsync(options.BundlePath, cancellationToken).ConfigureAwait(false), options, filesInRepository: false, cancellationToken).ConfigureAwait(false)
            : await planner.PlanRestoreOfAsync(context.Records.GetBackup(options.BackupId!), options, filesInRepository: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Plans, records, locks and launches the restore of <paramref name="backup"/>, stored in this
    /// repository or, when given, in <paramref name="source"/>.</summary>
    private async Task<RestoreRecord> StartRestoreOfAsync(BackupRecord backup, RestoreOptions o, CancellationToken ct, EngineContext? source = null)
    {
        var plan = await planner.PlanRestoreOfAsync(backup, o, filesInRepository: true, ct, source).ConfigureAwait(false);
        DebugTimings.Mark("restore planned");
        var target = plan.Target;
        var now = DateTimeOffset.UtcNow;
        var record = new RestoreRecord
        {
            Id = Ids.NewRestoreId(now),
            BackupId = backup.Id,
            SourceDatabase = backup.Database,
            SourceRepository = source?.RepositoryPath,
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
            UseServerLocale = o.UseServerLocale,
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
