using System.Security.Cryptography;
using System.Text;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>The newest payload format version this build restores. A backup records the version its
    /// payload needs (<see cref="DumpResult.FormatVersion"/>): 2 for PostgreSQL backups holding large
    /// objects and for MySQL backups (routines and views in scripts of their own), 3 for PostgreSQL backups
    /// with a table split into pieces, 4 for encrypted backups (<see cref="EncryptedFormatVersion"/>), so older
    /// builds refuse those up front and still restore every other backup.</summary>
    public const int PayloadFormatVersion = EncryptedFormatVersion;

    /// <summary>Validates (connection, tools, tables, date filter), records a Pending backup, starts
    /// the detached worker and returns the record at once.</summary>
    public async Task<BackupRecord> StartBackupAsync(BackupOptions options, CancellationToken cancellationToken)
    {
        ValidateTarget(options.Target);
        await RequireRightAsync(StoreRight.Write, "A backup (dbbackup backup / Start-DbBackup)", "Nothing was locked, recorded or started.", cancellationToken).ConfigureAwait(false);
        // The target's lock comes before any connection to the server: of many simultaneous starts the
        // losers are refused at once. Probing first made them all connect at the same instant, and
        // under load their connections timed out and were reported as a server failure. Exception:
        // a start that would create the repository validates first (bad input leaves nothing behind;
        // and with no repository there is no lock to race for yet). A refused start releases the lock.
        var key = TargetLock.Key(options.Target.Engine, options.Target.Server, options.Target.Port, options.Target.Database);
        var id = Ids.NewBackupId(DateTimeOffset.UtcNow);
        var owner = LockOwner.OfThisProcess(id, options.Target.ToString());
        var lockedFirst = Repository.Exists;
        if (lockedFirst) AcquireTargetLock(key, owner, options.Target);
        BackupRecord record;
        try
        {
            record = await PrepareBackupAsync(options, cancellationToken).ConfigureAwait(false);
            record.Id = id;
            // The data key is bound to the backup's id, so it is made once the id is final.
            record.Encryption = EncryptionForNewBackup(id);
        }
        catch when (lockedFirst)
        {
            TargetLock.Release(Repository, key, id);
            throw;
        }
        if (!lockedFirst) AcquireTargetLock(key, owner, options.Target);
        return RecordAndLaunch(record, key, options.Target.Password,
            $"Tables: {(record.Tables.Length == 0 ? "all" : string.Join(", ", record.Tables))}" + (record.Since is { } s ? $"; since {s:O} on {record.DateColumn}" : "")
            + (record.Encryption is { } e ? $"; encrypted with key {e.KeyId}" : ""));
    }

    /// <summary>Every check <see cref="StartBackupAsync"/> makes before it records anything — input,
    /// connection and server version, tables, date column, client tools, and that no operation is
    /// running on the target — with nothing locked, written or started: what -WhatIf reports. Returns
    /// the record the backup would start with.</summary>
    public async Task<BackupRecord> ValidateBackupAsync(BackupOptions options, CancellationToken cancellationToken)
    {
        var planned = await PrepareBackupAsync(options, cancellationToken).ConfigureAwait(false);
        var t = options.Target;
        if (GetStatus(t.Engine, t.Server, t.Port, t.Database) is { Running: true, RunningId: { } running })
            throw Busy(t, GetOperation(running));
        return planned;
    }

    /// <summary>Writes a Pending record (its target lock already taken), logs the request and starts the
    /// worker. If the worker cannot be started the record ends Failed, the lock is released and the
    /// caller gets WorkerStartFailed.</summary>
    private T RecordAndLaunch<T>(T record, string lockKey, string? password, string requestMessage) where T : OperationRecord
    {
        try
        {
            Write(record);
            Log($"{record.OperationKind}Requested", record, requestMessage, record.Note);
            record.WorkerProcessId = _launcher.Launch(RepositoryPath, record.Id, password);
            record.WorkerHost = Environment.MachineName;
            record.WorkerHostId = HostIdentity.Current;
            // The worker may already have moved the record on; only fill in the pid if it has not.
            var current = Reread(record) as T;
            if (current is { State: OperationState.Pending, WorkerProcessId: null })
            {
                current.WorkerProcessId = record.WorkerProcessId;
                current.WorkerHost = record.WorkerHost;
                current.WorkerHostId = record.WorkerHostId;
                Write(current);
            }
            return current ?? record;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            record.State = OperationState.Failed;
            record.StatusMessage = "The worker could not be started: " + e.Message;
            record.CompletedAt = DateTimeOffset.UtcNow;
            Log($"{record.OperationKind}Failed", record, record.StatusMessage, record.Note, isError: true);
            Write(record);
            TargetLock.Release(Repository, lockKey, record.Id);
            throw new DbBackupException(ErrorKind.InvalidOperation, "WorkerStartFailed", record.StatusMessage, e);
        }
    }

    /// <summary>Writes a backup or restore record atomically.</summary>
    private void Write(OperationRecord r)
    {
        if (r is RestoreRecord restore) Repository.WriteRestore(restore);
        else Repository.WriteBackup((BackupRecord)r);
    }

    private static DbBackupException Starting(ConnectionTarget target, LockOwner holder)
        => new(ErrorKind.InvalidOperation, "TargetBusy",
            $"Another operation is just starting on {target.Engine} {target.Server}:{target.Port}/{target.Database}: " +
            $"{holder.OperationId} (process {holder.ProcessId} on {holder.Host}, since {holder.AcquiredAt:u}). Wait for it or cancel it first.") { TargetObject = holder.OperationId };

    private static DbBackupException Busy(ConnectionTarget target, IOperationRecord op)
        => new(ErrorKind.InvalidOperation, "TargetBusy",
            $"Another operation is already running on {target.Engine} {target.Server}:{target.Port}/{target.Database}: " +
            $"{op.OperationKind.ToString().ToLowerInvariant()} {op.Id} ({op.State}, started {op.StartedAt ?? op.CreatedAt:u}). " +
            "Wait for it (dbbackup wait / Wait-DbBackup) or cancel it first.") { TargetObject = op.Id };

    /// <summary>Refuses when another operation holds the target (after breaking a stale lock).</summary>
    internal void AcquireTargetLock(string key, LockOwner owner, ConnectionTarget target)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var holder = TargetLock.TryAcquire(Repository, key, owner);
            if (holder == null) return;
            IOperationRecord? op = null;
            try { op = holder.OperationId == TargetLock.UnknownOwner ? null : GetOperation(holder.OperationId); }
            catch (DbBackupException) { }
            // Stale: its operation ended (DetectStale already ran in GetOperation), or it has no record
            // and its holder is gone. A holder takes the lock before writing its record, so a missing
            // record with a live holder (or a lock younger than PendingGrace) is a start in progress.
            if (op == null ? !HolderMayBeStarting(holder) : !op.IsActive)
            {
                TargetLock.Break(Repository, key, holder.OperationId);
                continue;
            }
            if (op == null)
                throw Starting(target, holder);
            throw Busy(target, op);
        }
        throw new DbBackupException(ErrorKind.InvalidOperation, "TargetBusy", $"Could not lock {target}; another process keeps taking it.");
    }

    /// <summary>A lock without a record: a start in progress while its process lives (when we can
    /// tell: see <see cref="HostIdentity.CanCheckProcess"/>) or, when we cannot, for PendingGrace after
    /// its holder's last heartbeat (taking the lock, or the worker taking it over).</summary>
    private bool HolderMayBeStarting(LockOwner holder)
    {
        if (holder.ProcessId > 0 && HostIdentity.CanCheckProcess(holder.Host, holder.HostId, Repository.Store.Features.SameHostOnly))
            return ProcessLiveness.IsAlive(holder.ProcessId);
        return DateTimeOffset.UtcNow - (holder.HeartbeatAt ?? holder.AcquiredAt) < PendingGrace;
    }

    /// <summary>All synchronous validation of a backup request, producing a Pending record (not yet written).</summary>
    private async Task<BackupRecord> PrepareBackupAsync(BackupOptions o, CancellationToken ct)
    {
        var t = o.Target;
        ValidateTarget(t);
        if (o.Name is { } name && (name.Length is 0 or > 200 || name.Any(char.IsControl)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidName", $"Backup name '{name}' is not allowed: use 1–200 printable characters.") { TargetObject = name };
        ValidateLabelsAndCallback(o.Labels, o.CallbackUrl);
        if (o.Note is { Length: > 4000 })
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidNote", "The note is longer than 4000 characters.");
        if (o.DateColumn != null && o.Since == null)
            throw new DbBackupException(ErrorKind.InvalidArgument, "DateColumnWithoutSince", $"--date-column '{o.DateColumn}' needs --since: the date column only says which column --since filters on.");
        var jobs = DefaultJobs(o.Jobs);
        KeyForNewBackups();

        var provider = Provider(t.Engine);
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
            CreatedBy = Me,
            CreatedAt = now,
            Compression = o.Compression,
            ServerVersion = probe.ServerVersion,
            ToolVersion = probe.ToolVersion,
            FormatVersion = PayloadFormatVersion,
            Jobs = jobs,
            CallbackUrl = o.CallbackUrl,
            Policy = o.Policy,
            Progress = new OperationProgress { Phase = "Pending", UpdatedAt = now },
        };
    }

    /// <summary>Labels and callback URL as a backup (or a policy, for its backups) accepts them.</summary>
    internal static void ValidateLabelsAndCallback(IReadOnlyDictionary<string, string> labels, string? callbackUrl)
    {
        foreach (var (k, v) in labels)
            if (string.IsNullOrWhiteSpace(k) || k.Length > 100 || k.Any(c => char.IsControl(c) || c == '=') || v.Length > 1000 || v.Any(char.IsControl))
                throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidLabel", $"Label '{k}={v}' is not allowed: keys are 1–100 printable characters without '=', values up to 1000 printable characters.") { TargetObject = k };
        if (callbackUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidCallbackUrl", $"Callback URL '{url}' is not an absolute http:// or https:// URL.") { TargetObject = url };
    }

    internal static void ValidateTarget(ConnectionTarget t)
    {
        if (!Enum.IsDefined(t.Engine))
            throw new DbBackupException(ErrorKind.InvalidArgument, "UnknownEngine", $"Unknown engine '{t.Engine}'. Use PostgreSql or MySql.") { TargetObject = t.Engine };
        if (string.IsNullOrWhiteSpace(t.Server) || t.Server.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidServer", $"Server '{t.Server}' is not a host name or address.") { TargetObject = t.Server };
        if (t.Port is < 1 or > 65535)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPort", $"Port {t.Port} is out of range; use 1–65535.") { TargetObject = t.Port };
        if (string.IsNullOrWhiteSpace(t.UserName))
            throw new DbBackupException(ErrorKind.InvalidArgument, "MissingUser", "A user name is required (--user / -Credential).");
        if (string.IsNullOrEmpty(t.Database) || t.Database.Length > 63 || t.Database.Any(char.IsControl))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidDatabase", $"Database name '{t.Database}' is not allowed: 1–63 printable characters.") { TargetObject = t.Database };
        // PostgreSQL counts its 63 in bytes and silently truncates a longer name.
        if (t.Engine == DatabaseEngine.PostgreSql && System.Text.Encoding.UTF8.GetByteCount(t.Database) > 63)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidDatabase", $"Database name '{t.Database}' is {System.Text.Encoding.UTF8.GetByteCount(t.Database)} bytes in UTF-8; PostgreSQL allows at most 63 bytes.") { TargetObject = t.Database };
    }

    /// <summary>Runs a recorded backup in this process: dump → payload → manifest. Used by the worker
    /// and, inline, for the safety backup before a restore. Throws on failure after recording it.</summary>
    private async Task<BackupRecord> RunBackupAsync(BackupRecord record, string? password, CancellationToken ct)
    {
        var target = new ConnectionTarget(record.Engine, record.Server, record.Port, record.UserName, record.Database) { Password = password };
        using var tracker = new RecordTracker<BackupRecord>(record, Repository, ct);
        tracker.Start("Connecting");
        Log("BackupStarted", record, $"Worker pid {Environment.ProcessId}", record.Note);
        try
        {
            var provider = Provider(record.Engine);
            var probe = await provider.ProbeAsync(target, tracker.Token).ConfigureAwait(false);
            IReadOnlyList<TableInfo>? tables = null;
            if (record.Tables.Length > 0)
            {
                var available = await provider.ListTablesAsync(target, tracker.Token).ConfigureAwait(false);
                tables = TableSelection.Resolve(available, record.Tables, record.Database);
            }
            WorkerPausePoints.At("backup:data");
            var writer = new PayloadWriter(Repository.Store, PayloadPrefix(record.Id), record.Compression, DataKeyOf(record));
            var result = await provider.DumpAsync(new DumpRequest(target, tables, record.Since, record.DateColumn, record.Jobs), writer,
                new Progress<OperationProgress>(p => tracker.Update(r => r.Progress = p)), tracker.Token).ConfigureAwait(false);
            tracker.Token.ThrowIfCancellationRequested();
            var files = writer.Files.Select(f => new BackupFile { Name = "payload/" + f.Name, Size = f.Size, Sha256 = f.Sha256 })
                .OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
            tracker.End(OperationState.Succeeded, "OK", r =>
            {
                r.Files = files;
                r.SizeBytes = files.Sum(f => f.Size);
                r.Sha256 = FileListHash(files);
                r.TableStats = result.TableStats.ToList();
                r.FormatVersion = r.Encryption != null ? Math.Max(result.FormatVersion, EncryptedFormatVersion) : result.FormatVersion;
                r.ServerVersion = result.ServerVersion.Length > 0 ? result.ServerVersion : probe.ServerVersion;
                r.ToolVersion = result.ToolVersion.Length > 0 ? result.ToolVersion : probe.ToolVersion;
                r.Consistency = result.Consistency;
                r.Progress = RecordTracker<BackupRecord>.Completed(r.Progress, r.TableStats.Count);
            }, r => Log("BackupSucceeded", r, $"{r.SizeBytes} bytes in {r.Files.Count} files, {r.TableStats.Count} tables, {r.Duration?.TotalSeconds:0.0} s", r.Note));
            return record;
        }
        catch (Exception e)
        {
            var cancelled = tracker.Token.IsCancellationRequested && !tracker.Fenced;
            var message = tracker.FailureMessage(e);
            await Repository.RemovePayloadAsync(record.Id, CancellationToken.None).ConfigureAwait(false);
            tracker.End(cancelled ? OperationState.Cancelled : OperationState.Failed, message, r =>
            {
                r.Files = [];
                r.SizeBytes = 0;
            }, r => Log(cancelled ? "BackupCancelled" : "BackupFailed", r, message, r.Note, isError: !cancelled));
            if (cancelled) throw new DbBackupException(ErrorKind.Cancelled, "OperationCancelled", $"Backup {record.Id} was cancelled.", e);
            throw e is DbBackupException ? e : new DbBackupException(ErrorKind.ServerError, "BackupFailed", message, e);
        }
    }

    /// <summary>Keys of a backup's payload: its file list's names ("payload/…") under the backup.</summary>
    private static string PayloadPrefix(string id) => BackupRepository.BackupPrefix(id) + "payload/";

    internal static string Describe(Exception e) => e switch
    {
        DbBackupException d => d.Message,
        IOException io when IsDiskFull(io) => "The repository's disk is full: " + io.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 112 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    /// <summary>SHA-256 over the file list (name, size, sha256 per line), the backup's single fingerprint.</summary>
    public static string FileListHash(IEnumerable<BackupFile> files)
    {
        var sb = new StringBuilder();
        foreach (var f in files.OrderBy(f => f.Name, StringComparer.Ordinal)) sb.Append(f.Name).Append('\t').Append(f.Size).Append('\t').Append(f.Sha256).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
