using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>A restore in its worker: the checks again, the keys, the safety backup (through the backup
/// job), the load into a copy or the named tables, the swap, and the record to its end.</summary>
internal sealed class RestoreRun(EngineContext context, BackupJob backups)
{
    public async Task RunAsync(RestoreRecord record, string? password, CancellationToken ct)
    {
        var scratch = context.Repository.ScratchFolder(record.Id);
        OperationTempFolder.Use(scratch);
        using var tracker = new RecordTracker<RestoreRecord>(record, context.Repository, ct);
        tracker.Start("Verifying");
        context.Log("RestoreStarted", record, $"Worker pid {Environment.ProcessId}", record.Note);
        var server = new ConnectionTarget(record.Engine, record.Server, record.Port, record.UserName, record.Database) { Password = password };
        var provider = context.Provider(record.Engine);
        string? aside = null;
        try
        {
            // A restore kept in the state repository reads its backup from the repository it names (read-only there).
            var source = record.SourceRepository is { } from ? new EngineContext(new BackupRepository(from), context.Launcher, context.Providers) : context;
            var backup = source.Records.GetBackup(record.BackupId);
            source.Payloads.CheckRestorable(backup);
            // The keys before the server: without them nothing is touched.
            var dataKey = EncryptionKeys.DataKeyOf(backup);
            if ((record.Swap || record.ReplacesTables) && !record.SkipSafetyBackup) context.Keys.KeyForNewBackups();
            var checkedFirst = !ChecksPayloadWhileRestoring(backup.Engine);
            if (checkedFirst)
                await source.Payloads.VerifyFilesAsync(backup, tracker.Token, dataKey).ConfigureAwait(false);
            var probe = record.Swap || record.ReplacesTables
                ? await provider.ProbeAsync(server, tracker.Token).ConfigureAwait(false)
                : await provider.ProbeForNewDatabaseAsync(server, tracker.Token).ConfigureAwait(false);
            RestorePlanner.CheckVersion(backup, probe);

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
            var landing = record.Swap ? RestorePhases.AsideName(record.Database, record.Id) : record.TargetDatabase;
            aside = record.Swap ? landing : null;
            WorkerPausePoints.At("restore:load");
            var reader = source.Payloads.PayloadReaderOf(backup, dataKey);
            // Progress reports arrive on the thread pool, possibly late: once the data is in, none may
            // overwrite the swap's phases, which say what state the target is in if the worker dies.
            var loaded = false;
            if (record.Tables.Length > 0 && !record.Swap)
                await ReplaceTablesAsync(record, backup, server, provider, reader, tracker).ConfigureAwait(false);
            else
                await provider.RestoreAsync(new RestoreRequest(server.WithDatabase(landing), backup, record.Jobs) { UseServerLocale = record.UseServerLocale }, reader,
                    new Progress<OperationProgress>(p => tracker.Update(r => { if (!loaded) r.Progress = p; })), tracker.Token).ConfigureAwait(false);
            var swapNote = "";
            if (safetyAfterLoad)
                await SafetyBackupAsync().ConfigureAwait(false);
            if (record.Swap)
            {
                tracker.Update(r =>
                {
                    loaded = true;
                    r.Progress = new OperationProgress { Phase = RestorePhases.SwappingPhase, Percent = 99 };
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
                tracker.Update(r => r.Progress = new OperationProgress { Phase = RestorePhases.SwappedPhase, Percent = 100 }, flush: true);
                WorkerPausePoints.At("restore:after-swap");
            }
            OperationTempFolder.Remove(scratch);
            tracker.End(OperationState.Succeeded, "OK" + swapNote, r =>
                {
                    r.Progress = RecordTracker<RestoreRecord>.Completed(r.Progress);
                    r.LeftoversPending = swapNote.Length > 0;
                },
                r => context.Log("RestoreSucceeded", r, $"Backup {backup.Id} restored into '{r.TargetDatabase}'" + (r.Tables.Length > 0 ? $" (tables {string.Join(", ", r.Tables)})" : "")
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
                catch (Exception dropError) { message += $" (The partial database '{aside}' could not be dropped: {OperationFailures.Describe(dropError)})"; }
            }
            OperationTempFolder.Remove(scratch);
            tracker.End(cancelled ? OperationState.Cancelled : OperationState.Failed,
                message + (record.Swap ? (undoFailed ? "" : $" The database '{record.Database}' was not changed.")
                    : record.ReplacesTables ? $" No table of '{record.Database}' was changed." : ""),
                r => r.LeftoversPending = undoFailed,
                r => context.Log(cancelled ? "RestoreCancelled" : "RestoreFailed", r, r.StatusMessage, r.Note, isError: !cancelled));
            throw OperationFailures.Thrown(e, "RestoreFailed", message);
        }
    }

    /// <summary>Whether an engine's restore may skip the pre-pass that re-hashes every payload file. The
    /// PostgreSQL provider loads into a database of its own (the aside copy, a new database, or one
    /// transaction for a per-table replacement) and reports a damaged file, found as it streams, as
    /// ChecksumMismatch before anything is committed or swapped; the copy is then dropped. MySQL keeps
    /// the pre-pass until its provider guarantees the same.</summary>
    private static bool ChecksPayloadWhileRestoring(DatabaseEngine engine) => engine == DatabaseEngine.PostgreSql;

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
            CreatedBy = EngineContext.Me,
            CreatedAt = now,
            Compression = PayloadCodec.Default,
            FormatVersion = BackupEngine.PayloadFormatVersion,
            Jobs = restore.Jobs,
            RestoreId = restore.Id,
        };
        safety.Encryption = context.Keys.EncryptionForNewBackup(safety.Id);
        await context.Repository.WriteAsync(safety, ct).ConfigureAwait(false);
        context.Log("BackupRequested", safety, "Safety backup before restore " + restore.Id, safety.Note);
        return await backups.RunAsync(safety, password, ct).ConfigureAwait(false);
    }

    /// <summary>The worker's per-table restore: the record's tables, replaced in (or created with) its database.</summary>
    private static Task ReplaceTablesAsync(RestoreRecord record, BackupRecord backup, ConnectionTarget server, IDatabaseProvider provider,
        Artifacts.PayloadReader reader, RecordTracker<RestoreRecord> tracker)
    {
        var tables = record.Tables.Select(name => backup.TableStats.FirstOrDefault(t => t.ToString() == name)
            ?? throw new DbBackupException(ErrorKind.InvalidData, "TableNotInBackup", $"Restore {record.Id} names table {name}, which backup {backup.Id} does not hold.") { TargetObject = name }).ToList();
        var request = new TableReplaceRequest(server.WithDatabase(record.Database), backup, tables, CreateDatabase: !record.ReplacesTables,
            RestorePhases.AsideName(record.Database, record.Id), record.Jobs) { UseServerLocale = record.UseServerLocale };
        return provider.ReplaceTablesAsync(request, reader, new Progress<OperationProgress>(p => tracker.Update(r => r.Progress = p)), tracker.Token);
    }
}
