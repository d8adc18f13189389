using System.Security.Cryptography;
using System.Text;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>A backup: starting one (checks, lock, record, worker) and running it in the worker (dump →
/// payload → manifest); a restore runs its safety backup through <see cref="RunAsync"/> too.</summary>
internal sealed class BackupJob(EngineContext context, RecordQueries queries)
{
    private readonly WorkerLaunch _launch = new(context);

    /// <summary>Validates (connection, tools, tables, date filter), records a Pending backup, starts
    /// the detached worker and returns the record at once.</summary>
    public async Task<BackupRecord> StartAsync(BackupOptions options, CancellationToken cancellationToken)
    {
        BackupRequestChecks.ValidateTarget(options.Target);
        await context.RequireRightAsync(StoreRight.Write, "A backup (dbbackup backup / Start-DbBackup)", "Nothing was locked, recorded or started.", cancellationToken).ConfigureAwait(false);
        // The target's lock comes before any connection to the server: of many simultaneous starts the
        // losers are refused at once. Probing first made them all connect at the same instant, and
        // under load their connections timed out and were reported as a server failure. Exception:
        // a start that would create the repository validates first (bad input leaves nothing behind;
        // and with no repository there is no lock to race for yet). A refused start releases the lock.
        var key = TargetLock.Key(options.Target.Engine, options.Target.Server, options.Target.Port, options.Target.Database);
        var id = Ids.NewBackupId(DateTimeOffset.UtcNow);
        var owner = LockOwner.OfThisProcess(id, options.Target.ToString());
        var lockedFirst = context.Repository.Exists;
        if (lockedFirst) context.Locks.AcquireTargetLock(key, owner, options.Target);
        BackupRecord record;
        try
        {
            record = await PrepareBackupAsync(options, cancellationToken).ConfigureAwait(false);
            record.Id = id;
            // The data key is bound to the backup's id, so it is made once the id is final.
            record.Encryption = context.Keys.EncryptionForNewBackup(id);
        }
        catch when (lockedFirst)
        {
            TargetLock.Release(context.Repository, key, id);
            throw;
        }
        if (!lockedFirst) context.Locks.AcquireTargetLock(key, owner, options.Target);
        return _launch.RecordAndLaunch(record, key, options.Target.Password,
            $"Tables: {(record.Tables.Length == 0 ? "all" : string.Join(", ", record.Tables))}" + (record.Since is { } s ? $"; since {s:O} on {record.DateColumn}" : "")
            + (record.Encryption is { } e ? $"; encrypted with key {e.KeyId}" : ""));
    }

    /// <summary>Every check <see cref="StartAsync"/> makes before it records anything — input,
    /// connection and server version, tables, date column, client tools, and that no operation is
    /// running on the target — with nothing locked, written or started: what -WhatIf reports. Returns
    /// the record the backup would start with.</summary>
    public async Task<BackupRecord> ValidateAsync(BackupOptions options, CancellationToken cancellationToken)
    {
        var planned = await PrepareBackupAsync(options, cancellationToken).ConfigureAwait(false);
        var t = options.Target;
        if (queries.GetStatus(t.Engine, t.Server, t.Port, t.Database) is { Running: true, RunningId: { } running })
            throw TargetLocks.Busy(t, context.Records.GetOperation(running));
        return planned;
    }

    /// <summary>All synchronous validation of a backup request, producing a Pending record (not yet written).</summary>
    private async Task<BackupRecord> PrepareBackupAsync(BackupOptions o, CancellationToken ct)
    {
        var t = o.Target;
        BackupRequestChecks.ValidateTarget(t);
        if (o.Name is { } name && (name.Length is 0 or > 200 || name.Any(char.IsControl)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidName", $"Backup name '{name}' is not allowed: use 1–200 printable characters.") { TargetObject = name };
        BackupRequestChecks.ValidateLabelsAndCallback(o.Labels, o.CallbackUrl);
        if (o.Note is { Length: > 4000 })
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidNote", "The note is longer than 4000 characters.");
        if (o.DateColumn != null && o.Since == null)
            throw new DbBackupException(ErrorKind.InvalidArgument, "DateColumnWithoutSince", $"--date-column '{o.DateColumn}' needs --since: the date column only says which column --since filters on.");
        var jobs = context.DefaultJobs(o.Jobs);
        context.Keys.KeyForNewBackups();

        var provider = context.Provider(t.Engine);
        var probe = await provider.ProbeAsync(t, ct).ConfigureAwait(false);
        if (!probe.DatabaseExists)
            throw new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound", $"Database '{t.Database}' does not exist on {t.Engine} server {t.Server}:{t.Port}.") { TargetObject = t.Database };
        var available = await provider.ListTablesAsync(t, ct).ConfigureAwait(false);
        var tables = TableSelection.Resolve(available, o.Tables, t.Database);
        string? dateColumn = null;
        if (o.Since != null)
        {
            if (tables.Count == 0)
                throw new DbBackupException(ErrorKind.InvalidArgument, "NothingToFilter", $"Database '{t.Database}' has no tables, so --since has nothing to filter.");
            dateColumn = TableSelection.ResolveDateColumn(tables, o.DateColumn);
        }
        var now = DateTimeOffset.UtcNow;
        return new BackupRecord
        {
            Id = Ids.NewBackupId(now),
            Name = o.Name ?? now.UtcDateTime.ToString("yyyyMMddHHmmss"),
            Engine = t.Engine,
            Server = t.Server,
            Port = t.Port,
            Database = t.Database,
            UserName = t.UserName,
            Tables = o.Tables.Count == 0 ? [] : tables.Select(x => x.QualifiedName).ToArray(),
            Since = o.Since,
            DateColumn = dateColumn,
            Labels = new LabelSet(o.Labels),
            Note = o.Note,
            Kind = BackupKind.Manual,
            State = OperationState.Pending,
            StatusMessage = "Waiting for the worker to start.",
            CreatedBy = EngineContext.Me,
            CreatedAt = now,
            Compression = o.Compression,
            ServerVersion = probe.ServerVersion,
            ToolVersion = probe.ToolVersion,
            FormatVersion = BackupEngine.PayloadFormatVersion,
            Jobs = jobs,
            CallbackUrl = o.CallbackUrl,
            Policy = o.Policy,
            Progress = new OperationProgress { Phase = "Pending", UpdatedAt = now },
        };
    }

    /// <summary>Runs a recorded backup in this process: dump → payload → manifest. Used by the worker
    /// and, inline, for the safety backup before a restore. Throws on failure after recording it.</summary>
    public async Task<BackupRecord> RunAsync(BackupRecord record, string? password, CancellationToken ct)
    {
        var target = new ConnectionTarget(record.Engine, record.Server, record.Port, record.UserName, record.Database) { Password = password };
        using var tracker = new RecordTracker<BackupRecord>(record, context.Repository, ct);
        tracker.Start("Connecting");
        context.Log("BackupStarted", record, $"Worker pid {Environment.ProcessId}", record.Note);
        try
        {
            var provider = context.Provider(record.Engine);
            var probe = await provider.ProbeAsync(target, tracker.Token).ConfigureAwait(false);
            IReadOnlyList<TableInfo>? tables = null;
            if (record.Tables.Length > 0)
            {
                var available = await provider.ListTablesAsync(target, tracker.Token).ConfigureAwait(false);
                tables = TableSelection.Resolve(available, record.Tables, record.Database);
            }
            WorkerPausePoints.At("backup:data");
            var writer = new PayloadWriter(context.Repository.Store, StoredPayloads.PayloadPrefix(record.Id), record.Compression, EncryptionKeys.DataKeyOf(record));
            var result = await provider.DumpAsync(new DumpRequest(target, tables, record.Since, record.DateColumn, record.Jobs), writer,
                new Progress<OperationProgress>(p => tracker.Update(r => r.Progress = p)), tracker.Token).ConfigureAwait(false);
            tracker.Token.ThrowIfCancellationRequested();
            var files = writer.Files.Select(f => new BackupFile { Name = "payload/" + f.Name, Size = f.Size, Sha256 = f.Sha256 })
                .OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
            WorkerPausePoints.At("backup:finishing");
            tracker.End(OperationState.Succeeded, "OK", r =>
            {
                r.Files = files;
                r.SizeBytes = files.Sum(f => f.Size);
                r.Sha256 = FileListHash(files);
                r.TableStats = result.TableStats.ToList();
                r.FormatVersion = r.Encryption != null ? Math.Max(result.FormatVersion, BackupEngine.EncryptedFormatVersion) : result.FormatVersion;
                r.ServerVersion = result.ServerVersion.Length > 0 ? result.ServerVersion : probe.ServerVersion;
                r.ToolVersion = result.ToolVersion.Length > 0 ? result.ToolVersion : probe.ToolVersion;
                r.Consistency = result.Consistency;
                r.Progress = RecordTracker<BackupRecord>.Completed(r.Progress, r.TableStats.Count);
            }, r => context.Log("BackupSucceeded", r, $"{r.SizeBytes} bytes in {r.Files.Count} files, {r.TableStats.Count} tables, {r.Duration?.TotalSeconds:0.0} s", r.Note));
            return record;
        }
        catch (Exception e)
        {
            var cancelled = tracker.Token.IsCancellationRequested && !tracker.Fenced;
            var message = tracker.FailureMessage(e);
            await context.Repository.RemovePayloadAsync(record.Id, CancellationToken.None).ConfigureAwait(false);
            tracker.End(cancelled ? OperationState.Cancelled : OperationState.Failed, message, r =>
            {
                r.Files = [];
                r.SizeBytes = 0;
            }, r => context.Log(cancelled ? "BackupCancelled" : "BackupFailed", r, message, r.Note, isError: !cancelled));
            if (cancelled) throw new DbBackupException(ErrorKind.Cancelled, "OperationCancelled", $"Backup {record.Id} was cancelled.", e);
            throw OperationFailures.Thrown(e, "BackupFailed", message);
        }
    }

    /// <summary>SHA-256 over the file list (name, size, sha256 per line), the backup's single fingerprint.</summary>
    public static string FileListHash(IEnumerable<BackupFile> files)
    {
        var sb = new StringBuilder();
        foreach (var f in files.OrderBy(f => f.Name, StringComparer.Ordinal)) sb.Append(f.Name).Append('\t').Append(f.Size).Append('\t').Append(f.Sha256).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
