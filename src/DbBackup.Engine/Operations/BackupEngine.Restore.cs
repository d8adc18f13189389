using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>Validates a restore (state, checksums, format, engine, version, age, target), records
    /// it as Pending, starts the worker and returns at once.</summary>
    public async Task<RestoreRecord> StartRestoreAsync(RestoreOptions options, CancellationToken cancellationToken)
    {
        if ((options.BackupId == null) == (options.BundlePath == null))
            throw new DbBackupException(ErrorKind.InvalidArgument, "RestoreSourceRequired", "Give exactly one of a backup id (--id / -Id) or a bundle path (--path / -Path).");
        // A restore records itself, its target lock and its safety backup in the repository.
        await RequireRightAsync(StoreRight.Write, "A restore (dbbackup restore / Restore-DbBackup)",
            "Nothing was locked, recorded or restored: a restore keeps its record, its target lock and the safety backup in the repository. " +
            "With this credential, download the backup (dbbackup save / Save-DbBackup) and restore that file with --path / -Path into a repository you may write (--repository / -Repository).",
            cancellationToken).ConfigureAwait(false);
        BackupRecord backup;
        BackupRecord? imported = null;
        if (options.BundlePath != null)
        {
            var result = await ImportOrReuseAsync(options.BundlePath, cancellationToken).ConfigureAwait(false);
            backup = result.Record;
            // A backup the repository already held is not this restore's to remove on a refusal.
            if (!result.Reused) imported = result.Record;
        }
        else backup = GetBackup(options.BackupId!);
        try
        {
            return await StartRestoreOfAsync(backup, options, cancellationToken).ConfigureAwait(false);
        }
        catch when (imported != null)
        {
            // The bundle was brought in only for this restore; a refused restore leaves no trace of it.
            await Repository.DeleteBackupAsync(imported.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Validates a restore exactly as <see cref="StartRestoreAsync"/> does and says what it would
    /// do, changing nothing (no import, no record, no lock): what -WhatIf and -Confirm show.</summary>
    public async Task<RestorePlan> PlanRestoreAsync(RestoreOptions options, CancellationToken cancellationToken)
    {
        if ((options.BackupId == null) == (options.BundlePath == null))
            throw new DbBackupException(ErrorKind.InvalidArgument, "RestoreSourceRequired", "Give exactly one of a backup id (--id / -Id) or a bundle path (--path / -Path).");
        return options.BundlePath != null
            ? await PlanRestoreOfAsync(await ReadBundleManifestAsync(options.BundlePath, cancellationToken).ConfigureAwait(false), options, filesInRepository: false, cancellationToken).ConfigureAwait(false)
            : await PlanRestoreOfAsync(GetBackup(options.BackupId!), options, filesInRepository: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RestoreRecord> StartRestoreOfAsync(BackupRecord backup, RestoreOptions o, CancellationToken ct)
    {
        var plan = await PlanRestoreOfAsync(backup, o, filesInRepository: true, ct).ConfigureAwait(false);
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
            RequestedBy = Me,
            Note = o.Note,
            CreatedAt = now,
            Jobs = DefaultJobs(o.Jobs),
            Progress = new OperationProgress { Phase = "Pending", UpdatedAt = now },
        };
        var key = LockKey(record);
        AcquireTargetLock(key, LockOwner.OfThisProcess(record.Id, target.ToString()), target);
        return RecordAndLaunch(record, key, target.Password, plan.Description);
    }

    /// <summary>Checks that need no server: state, format version, files present with their sizes (when
    /// they are in the repository), age window.</summary>
    private void CheckRestorable(BackupRecord b, bool filesInRepository = true)
    {
        if (b.State != OperationState.Succeeded)
            throw new DbBackupException(ErrorKind.InvalidOperation, "BackupNotRestorable", $"Backup {b.Id} is {b.State} ({b.StatusMessage}); only Succeeded backups can be restored.") { TargetObject = b.Id };
        if (b.FormatVersion > PayloadFormatVersion || b.FormatVersion < 1)
            throw new DbBackupException(ErrorKind.NotSupported, "FormatVersionTooNew", $"Backup {b.Id} has payload format version {b.FormatVersion}; this DbBackup restores versions 1 to {PayloadFormatVersion}. Upgrade DbBackup.") { TargetObject = b.Id };
        var sizes = filesInRepository ? StoredSizes(b.Id) : [];
        foreach (var f in filesInRepository ? b.Files : [])
        {
            PayloadPaths.Validate(f.Name);
            var exists = sizes.TryGetValue(f.Name, out var size);
            if (!exists || size != f.Size)
                throw new DbBackupException(ErrorKind.InvalidData, "ChecksumMismatch", $"Backup {b.Id} is damaged: file '{f.Name}' is {(exists ? $"{size} bytes, the manifest records {f.Size}" : "missing")}. Nothing was restored.") { TargetObject = b.Id };
        }
        if (b.Sha256 != null && FileListHash(b.Files) != b.Sha256)
            throw new DbBackupException(ErrorKind.InvalidData, "ChecksumMismatch", $"Backup {b.Id}'s file list does not match its recorded checksum; the manifest was altered. Nothing was restored.") { TargetObject = b.Id };
        var maxAge = Repository.ReadRepositoryFile().Settings.MaxRestoreAgeDays;
        if (maxAge is { } days && DateTimeOffset.UtcNow - (b.CompletedAt ?? b.CreatedAt) > TimeSpan.FromDays(days))
            throw new DbBackupException(ErrorKind.NotSupported, "BackupTooOld",
                $"Backup {b.Id} was taken {b.CompletedAt ?? b.CreatedAt:u}, more than the repository's restore window of {days} days (MaxRestoreAgeDays). Change the setting (Set-DbBackupRepository -MaxRestoreAgeDays) to restore it.") { TargetObject = b.Id };
    }

    /// <summary>The size of every object stored under a backup, by its name in the file list
    /// ("payload/…"): one listing instead of a request per file.</summary>
    private Dictionary<string, long> StoredSizes(string id) => StoreSync.Run(async () =>
    {
        var prefix = BackupRepository.BackupPrefix(id);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var e in Repository.Store.ListAsync(prefix, CancellationToken.None).ConfigureAwait(false)) sizes[e.Key[prefix.Length..]] = e.Size;
        return sizes;
    });

    /// <summary>Refuses an engine mismatch, a flavour mismatch, or a target older than the backup's
    /// server major version, naming the versions that can restore it.</summary>
    public static void CheckVersion(BackupRecord b, ServerProbe target)
    {
        var source = ServerVersions.Parse(b.Engine, b.ServerVersion);
        if (b.Engine != (target.Flavor == "PostgreSQL" ? DatabaseEngine.PostgreSql : DatabaseEngine.MySql))
            throw new DbBackupException(ErrorKind.NotSupported, "EngineMismatch", $"Backup {b.Id} is a {b.Engine} backup; the target is {target.Flavor}.") { TargetObject = b.Id };
        if (b.Engine == DatabaseEngine.MySql && source.Flavor != null && source.Flavor != target.Flavor)
            throw new DbBackupException(ErrorKind.NotSupported, "FlavorMismatch",
                $"Backup {b.Id} was taken from {source.Flavor} {b.ServerVersion}; the target runs {target.Flavor} {target.ServerVersion}. Restore it into {source.Flavor} {source.MajorText} or newer.") { TargetObject = b.Id };
        var targetMajor = ServerVersions.Major(b.Engine, target.Version);
        if (targetMajor < source.Major)
            throw new DbBackupException(ErrorKind.NotSupported, "ServerVersionTooOld",
                $"Backup {b.Id} was taken from {source.Flavor ?? b.Engine.ToString()} {b.ServerVersion}; the target server runs {target.ServerVersion}, an older major version. " +
                $"It can be restored into {source.Flavor ?? b.Engine.ToString()} {source.MajorText} or newer.") { TargetObject = b.Id };
    }

    private async Task RunRestoreAsync(RestoreRecord record, string? password, CancellationToken ct)
    {
        var scratch = Repository.ScratchFolder(record.Id);
        OperationTempFolder.Use(scratch);
        using var tracker = new RecordTracker<RestoreRecord>(record, Repository, ct);
        tracker.Start("Verifying");
        Log("RestoreStarted", record, $"Worker pid {Environment.ProcessId}", record.Note);
        var server = new ConnectionTarget(record.Engine, record.Server, record.Port, record.UserName, record.Database) { Password = password };
        var provider = Provider(record.Engine);
        string? aside = null;
        try
        {
            var backup = GetBackup(record.BackupId);
            CheckRestorable(backup);
            // The keys before the server: without them nothing is touched.
            var dataKey = DataKeyOf(backup);
            if ((record.Swap || record.ReplacesTables) && !record.SkipSafetyBackup) KeyForNewBackups();
            var checkedFirst = !ChecksPayloadWhileRestoring(backup.Engine);
            if (checkedFirst)
                await VerifyFilesAsync(backup, tracker.Token, dataKey).ConfigureAwait(false);
            var probe = await provider.ProbeAsync(server, tracker.Token).ConfigureAwait(false);
            CheckVersion(backup, probe);

            // Where the payload is checked as it loads, a whole-database restore takes its safety backup once
            // the aside copy is complete, just before the swap: a damaged backup then costs no safety backup,
            // and the safety backup holds the original as it was at the swap.
            var safetyAfterLoad = record.Swap && !checkedFirst;
            async Task SafetyBackupAsync()
            {
                if (record.SkipSafetyBackup) return;
                tracker.Update(r => r.Progress = new OperationProgress { Phase = "SafetyBackup" }, flush: true);
                var safety = await TakeSafetyBackupAsync(record, password, tracker.Token).ConfigureAwait(false);
                tracker.Update(r => r.SafetyBackupId = safety.Id, flush: true);
            }
            if ((record.Swap || record.ReplacesTables) && !safetyAfterLoad)
                await SafetyBackupAsync().ConfigureAwait(false);
            var landing = record.Swap ? AsideName(record.Database, record.Id) : record.TargetDatabase;
            aside = record.Swap ? landing : null;
            var reader = PayloadReaderOf(backup, dataKey);
            // Progress reports arrive on the thread pool, possibly late: once the data is in, none may
            // overwrite the swap's phases, which say what state the target is in if the worker dies.
            var loaded = false;
            if (record.Tables.Length > 0 && !record.Swap)
                await ReplaceTablesAsync(record, backup, server, provider, reader, tracker).ConfigureAwait(false);
            else
                await provider.RestoreAsync(new RestoreRequest(server.WithDatabase(landing), backup, record.Jobs), reader,
                    new Progress<OperationProgress>(p => tracker.Update(r => { if (!loaded) r.Progress = p; })), tracker.Token).ConfigureAwait(false);
            var swapNote = "";
            if (safetyAfterLoad)
                await SafetyBackupAsync().ConfigureAwait(false);
            if (record.Swap)
            {
                tracker.Update(r =>
                {
                    loaded = true;
                    r.Progress = new OperationProgress { Phase = SwappingPhase, Percent = 99 };
                }, flush: true);
                tracker.Token.ThrowIfCancellationRequested();
                WorkerPausePoints.At("restore:before-swap");
                try { await provider.SwapAsync(server, record.Database, landing, CancellationToken.None).ConfigureAwait(false); }
                catch (DbBackupException e) when (e.ErrorId == "SwapCleanupFailed")
                {
                    // Swapped in; only the previous contents are left over (the next operation on the target drops them).
                    swapNote = " " + e.Message;
                }
                aside = null;
                tracker.Update(r => r.Progress = new OperationProgress { Phase = SwappedPhase, Percent = 100 }, flush: true);
                WorkerPausePoints.At("restore:after-swap");
            }
            OperationTempFolder.Remove(scratch);
            tracker.End(OperationState.Succeeded, "OK" + swapNote, r =>
                {
                    r.Progress = RecordTracker<RestoreRecord>.Completed(r.Progress);
                    r.LeftoversPending = swapNote.Length > 0;
                },
                r => Log("RestoreSucceeded", r, $"Backup {backup.Id} restored into '{r.TargetDatabase}'" + (r.Tables.Length > 0 ? $" (tables {string.Join(", ", r.Tables)})" : "")
                    + (r.SafetyBackupId != null ? $"; safety backup {r.SafetyBackupId}" : "") + swapNote, r.Note));
        }
        catch (Exception e)
        {
            var cancelled = tracker.Token.IsCancellationRequested && !tracker.Fenced;
            var message = tracker.FailureMessage(e);
            // The swap's own undo failed: its journal is in the copy, which must stay for the next operation.
            var undoFailed = e is DbBackupException { ErrorId: "MySqlSwapUndoFailed" };
            if (aside != null && !undoFailed)
            {
                try { await provider.DropDatabaseAsync(server, aside, CancellationToken.None).ConfigureAwait(false); }
                catch (Exception dropError) { message += $" (The partial database '{aside}' could not be dropped: {Describe(dropError)})"; }
            }
            OperationTempFolder.Remove(scratch);
            tracker.End(cancelled ? OperationState.Cancelled : OperationState.Failed,
                message + (record.Swap ? (undoFailed ? "" : $" The database '{record.Database}' was not changed.")
                    : record.ReplacesTables ? $" No table of '{record.Database}' was changed." : ""),
                r => r.LeftoversPending = undoFailed,
                r => Log(cancelled ? "RestoreCancelled" : "RestoreFailed", r, r.StatusMessage, r.Note, isError: !cancelled));
            throw e as DbBackupException ?? new DbBackupException(ErrorKind.ServerError, "RestoreFailed", message, e);
        }
    }

    /// <summary>Whether an engine's restore may skip the pre-pass that re-hashes every payload file. The
    /// PostgreSQL provider loads into a database of its own (the aside copy, a new database, or one
    /// transaction for a per-table replacement) and reports a damaged file, found as it streams, as
    /// ChecksumMismatch before anything is committed or swapped; the copy is then dropped. MySQL keeps
    /// the pre-pass until its provider guarantees the same.</summary>
    private static bool ChecksPayloadWhileRestoring(DatabaseEngine engine) => engine == DatabaseEngine.PostgreSql;

    /// <summary>Progress phase while the restored copy is being swapped in (all or nothing).</summary>
    internal const string SwappingPhase = "Swapping";

    /// <summary>Progress phase once the swap is done and only finishing steps remain.</summary>
    internal const string SwappedPhase = "Swapped";

    /// <summary>The database a restore over <paramref name="database"/> fills before swapping it in.</summary>
    internal static string AsideName(string database, string restoreId) => RestoreDatabaseNames.Aside(database, restoreId);

    private async Task<BackupRecord> TakeSafetyBackupAsync(RestoreRecord restore, string? password, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var safety = new BackupRecord
        {
            Id = Ids.NewBackupId(now),
            Name = $"before-restore-{now.UtcDateTime:yyyyMMddHHmmss}",
            Engine = restore.Engine,
            Server = restore.Server,
            Port = restore.Port,
            Database = restore.Database,
            UserName = restore.UserName,
            Kind = BackupKind.SafetyBeforeRestore,
            State = OperationState.Pending,
            Note = $"Taken automatically before restore {restore.Id} of backup {restore.BackupId}.",
            CreatedBy = Me,
            CreatedAt = now,
            Compression = PayloadCodec.Default,
            FormatVersion = PayloadFormatVersion,
            Jobs = restore.Jobs,
            RestoreId = restore.Id,
        };
        safety.Encryption = EncryptionForNewBackup(safety.Id);
        await Repository.WriteAsync(safety, ct).ConfigureAwait(false);
        Log("BackupRequested", safety, "Safety backup before restore " + restore.Id, safety.Note);
        return await RunBackupAsync(safety, password, ct).ConfigureAwait(false);
    }

    /// <summary>Streams every payload file through its checksum check, and through its decryption when
    /// <paramref name="dataKey"/> is given, which proves every chunk authentic too.</summary>
    private async Task<int> VerifyFilesAsync(BackupRecord b, CancellationToken ct, EncryptionDataKey? dataKey = null)
    {
        var buffer = new byte[1 << 16];
        foreach (var f in b.Files)
        {
            var v = new VerifyingStream(await OpenPayloadAsync(b, f, ct).ConfigureAwait(false), f);
            // The decryptor reads the stored file to its end (so the checksum is checked) and disposes it.
            await using var read = dataKey?.Decryptor(v, f.Name["payload/".Length..]) ?? (Stream)v;
            while (await read.ReadAsync(buffer, ct).ConfigureAwait(false) > 0) { }
        }
        return b.Files.Count;
    }

    /// <summary>Opens one file of a backup's file list from the store; a missing one is damage.</summary>
    private async Task<Stream> OpenPayloadAsync(BackupRecord b, BackupFile f, CancellationToken ct)
    {
        try { return await Repository.Store.OpenReadAsync(BackupRepository.BackupPrefix(b.Id) + PayloadPaths.Validate(f.Name), ct).ConfigureAwait(false); }
        catch (DbBackupException e) when (StoreErrors.IsNotFound(e))
        {
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadFileMissing", $"Backup {b.Id} is damaged: file '{f.Name}' is missing.", e) { TargetObject = b.Id };
        }
    }

    /// <summary>The provider's view of a stored backup's payload (names without "payload/").</summary>
    private PayloadReader PayloadReaderOf(BackupRecord b, EncryptionDataKey? dataKey)
        => new(Repository.Store, PayloadPrefix(b.Id),
            b.Files.Select(f => new BackupFile { Name = f.Name["payload/".Length..], Size = f.Size, Sha256 = f.Sha256 }).ToList(), b.Compression, dataKey);
}
