using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The one entry point the CLI and the cmdlets call: every operation of the product.
/// Each method validates its input first and throws <see cref="DbBackupException"/> with a clear
/// message before anything is written.</summary>
public sealed partial class BackupEngine
{
    private readonly IWorkerLauncher _launcher;
    private readonly Func<DatabaseEngine, IDatabaseProvider> _providers;

    /// <summary>Opens the repository at <paramref name="repositoryPath"/>, or the configured one
    /// (DBBACKUP_REPOSITORY, else the per-user default). Nothing is created until the first write.</summary>
    public BackupEngine(string? repositoryPath, IWorkerLauncher launcher)
        : this(repositoryPath, launcher, ProviderRegistry.For)
    {
    }

    /// <summary>As above, with an explicit provider factory.</summary>
    public BackupEngine(string? repositoryPath, IWorkerLauncher launcher, Func<DatabaseEngine, IDatabaseProvider> providers)
        : this(new BackupRepository(repositoryPath), launcher, providers)
    {
    }

    /// <summary>Over an opened repository (any store).</summary>
    public BackupEngine(BackupRepository repository, IWorkerLauncher launcher, Func<DatabaseEngine, IDatabaseProvider> providers)
    {
        Repository = repository;
        _launcher = launcher;
        _providers = providers;
    }

    /// <summary>The repository.</summary>
    public BackupRepository Repository { get; }

    /// <summary>Where the repository is (a local folder's full path), for messages and the worker.</summary>
    public string RepositoryPath => Repository.Location;

    /// <summary>How often the worker writes progress and a heartbeat.</summary>
    public static TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a worker rewrites its target lock's heartbeat (well inside <see cref="PendingGrace"/>,
    /// after which a lock without a readable record is judged stale by that heartbeat).</summary>
    public static TimeSpan LockRefreshInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A worker silent for this long is considered gone even if its pid exists (pid reuse, hang, other host).</summary>
    public static TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    internal static string Me => $"{Environment.UserName}@{Environment.MachineName}";

    private IDatabaseProvider Provider(DatabaseEngine engine) => _providers(engine);

    internal int DefaultJobs(int? requested)
    {
        var jobs = requested ?? Repository.ReadRepositoryFile().Settings.DefaultJobs ?? Environment.ProcessorCount;
        if (jobs is < 1 or > 64)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidJobs", $"Jobs must be between 1 and 64; got {jobs}.") { TargetObject = jobs };
        return jobs;
    }

    /// <summary>Adds an activity-log line. A credential without the write right (a read-and-list SAS) may
    /// still list, verify, save and restore: its line is then left out rather than failing the operation;
    /// anything that changes the repository was refused up front for that right.</summary>
    internal void Log(string action, IOperationRecord? op, string? message = null, string? note = null, bool isError = false)
    {
        try { AppendActivity(action, op, message, note, isError); }
        catch (DbBackupException e) when (StoreErrors.IsDenied(e, StoreRight.Write)) { }
    }

    private void AppendActivity(string action, IOperationRecord? op, string? message, string? note, bool isError)
        => Repository.AppendActivity(new ActivityEntry
        {
            Time = DateTimeOffset.UtcNow,
            Action = action,
            Id = op?.Id,
            Engine = op?.Engine,
            Server = op?.Server,
            Database = op?.Database,
            User = Environment.UserName,
            Host = Environment.MachineName,
            Note = note,
            Message = message,
            IsError = isError,
        });

    /// <summary>The backup or restore with this id (stale workers reported Failed).</summary>
    public IOperationRecord GetOperation(string id)
        => Ids.IsRestoreId(Ids.Validate(id)) ? GetRestore(id) : GetBackup(id);

    /// <summary>The backup with this id.</summary>
    public BackupRecord GetBackup(string id)
    {
        var r = Repository.TryReadBackup(Ids.Validate(id))
            ?? throw new DbBackupException(ErrorKind.NotFound, "BackupNotFound",
                $"No backup with id '{id}' in the repository '{RepositoryPath}'. List them with 'dbbackup list' or Get-DbBackup.") { TargetObject = id };
        return DetectStale(r);
    }

    /// <summary>The restore with this id.</summary>
    public RestoreRecord GetRestore(string id)
    {
        var r = Repository.TryReadRestore(Ids.Validate(id))
            ?? throw new DbBackupException(ErrorKind.NotFound, "RestoreNotFound",
                $"No restore with id '{id}' in the repository '{RepositoryPath}'.") { TargetObject = id };
        return DetectStale(r);
    }

    /// <summary>True when the record's target is this database: the one place that says when two
    /// records concern the same database (server names compared as <see cref="ServerNames"/> does).</summary>
    internal static bool IsTarget(IOperationRecord r, DatabaseEngine engine, string server, int port, string database)
        => r.Engine == engine && ServerNames.Same(r.Server, server) && r.Port == port && r.Database == database;

    /// <summary>Status of a target: running?, latest backup, latest restore.</summary>
    public StatusReport GetStatus(DatabaseEngine engine, string server, int port, string database)
    {
        // Through the catalog: an active record is always read from its manifest, so "running" is never
        // a cached answer; only the newest backup and restore of the target are read besides.
        bool Same(CatalogEntry e) => IsTarget(e, engine, server, port, database);
        for (var trustNothing = false; ; trustNothing = true)
        {
            var backups = Matching(Repository.ReadCatalog<BackupRecord>(trustNothing), Same);
            var restores = Matching(Repository.ReadCatalog<RestoreRecord>(trustNothing), Same);
            if (Repository.LoadRecords(backups.Take(1).ToList()) is not { } latestBackup || Repository.LoadRecords(restores.Take(1).ToList()) is not { } latestRestore) continue;
            var running = backups.Select(i => i.Entry).Concat(restores.Select(i => i.Entry)).FirstOrDefault(e => !e.IsFinal);
            return Status(engine, server, port, database, running?.Id, latestBackup.FirstOrDefault(), latestRestore.FirstOrDefault());
        }
    }

    private static StatusReport Status(DatabaseEngine engine, string server, int port, string database, string? runningId, BackupRecord? backup, RestoreRecord? restore)
        => new()
        {
            Engine = engine,
            Server = server,
            Port = port,
            Database = database,
            Running = runningId != null,
            RunningId = runningId,
            Backup = backup is { } b ? Summary(b) : null,
            Restore = restore is { } r ? Summary(r) : null,
        };

    private static OperationSummary Summary(IOperationRecord r) => new()
    {
        Succeeded = r.State == OperationState.Succeeded,
        Id = r.Id,
        State = r.State,
        StatusMessage = r.StatusMessage,
        StartDate = r.StartedAt ?? r.CreatedAt,
        EndDate = r.CompletedAt,
    };

    /// <summary>Backups matching the query, newest first, paged.</summary>
    public Page<BackupRecord> ListBackups(BackupQuery query)
    {
        CheckPaging(query.Skip, query.First);
        return QueryCatalog<BackupRecord>(b => (query.Id == null || b.Id == query.Id)
            && (query.Engine == null || b.Engine == query.Engine)
            && (query.Server == null || ServerNames.Same(b.Server, query.Server))
            && (query.Port == null || b.Port == query.Port)
            && DatabaseNamePattern.MatchesAny(query.Database, b.Database)
            && (query.Kind == null || b.Kind == query.Kind)
            && MatchesLabels(b, query.Labels)
            && (query.State == null || b.State == query.State), query.Skip, query.First);
    }

    /// <summary>One page of an already filtered and ordered list, with the total before paging.</summary>
    private static Page<T> PageOf<T>(List<T> all, int skip, int? first)
    {
        var items = all.Skip(Math.Max(0, skip));
        if (first is { } n) items = items.Take(Math.Max(0, n));
        return new Page<T> { Items = items.ToList(), TotalCount = all.Count };
    }

    private static void CheckPaging(int skip, int? first)
    {
        if (skip < 0) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"Skip must be 0 or more; got {skip}.");
        if (first is < 0) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"First must be 0 or more; got {first}.");
    }

    /// <summary>Restores matching the query, newest first, paged: the restore history.</summary>
    public Page<RestoreRecord> ListRestores(RestoreQuery query)
    {
        CheckPaging(query.Skip, query.First);
        return QueryCatalog<RestoreRecord>(r => (query.Id == null || r.Id == query.Id)
            && (query.BackupId == null || r.BackupId == query.BackupId)
            && (query.Engine == null || r.Engine == query.Engine)
            && (query.Server == null || ServerNames.Same(r.Server, query.Server))
            && (query.Port == null || r.Port == query.Port)
            && DatabaseNamePattern.MatchesAny(query.Database, r.Database)
            && DatabaseNamePattern.MatchesAny(query.SourceDatabase, r.SourceDatabase ?? r.Database)
            && (query.State == null || r.State == query.State), query.Skip, query.First);
    }

    /// <summary>Activity log entries, newest first.</summary>
    public Page<ActivityEntry> ReadActivity(ActivityQuery query)
    {
        var all = Repository.ReadActivity()
            .Where(e => DatabaseNamePattern.MatchesAny(query.Database, e.Database))
            .Where(e => query.Id == null || e.Id == query.Id)
            .Where(e => query.Since == null || e.Time >= query.Since)
            .Reverse().ToList();
        return PageOf(all, query.Skip, query.First);
    }

    /// <summary>Where the repository is, its settings and size.</summary>
    public RepositoryInfo GetRepositoryInfo()
    {
        var file = Repository.ReadRepositoryFile();
        var backups = Repository.ReadCatalog<BackupRecord>(trustNothing: false).Items.Select(i => i.Entry).ToList();
        return new RepositoryInfo
        {
            Path = RepositoryPath,
            FormatVersion = file.FormatVersion,
            Settings = file.Settings,
            BackupCount = backups.Count,
            TotalSizeBytes = backups.Sum(b => b.SizeBytes),
        };
    }

    /// <summary>Changes settings (validated) and returns the new info.</summary>
    public RepositoryInfo UpdateSettings(Action<RepositorySettings> change)
    {
        var settings = Repository.ReadRepositoryFile().Settings;
        change(settings);
        PinEncryptionKey(settings);
        if (settings.KeepLast < 1)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidKeepLast", $"KeepLast must be 1 or more (the newest good backup is always kept); got {settings.KeepLast}.") { TargetObject = settings.KeepLast };
        if (settings.MaxRestoreAgeDays is < 1)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidMaxRestoreAge", $"MaxRestoreAgeDays must be 1 or more, or unset for no limit; got {settings.MaxRestoreAgeDays}.") { TargetObject = settings.MaxRestoreAgeDays };
        if (settings.DefaultJobs is < 1 or > 64)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidJobs", $"DefaultJobs must be between 1 and 64, or unset for the core count; got {settings.DefaultJobs}.") { TargetObject = settings.DefaultJobs };
        Repository.WriteSettings(settings);
        Log("SettingsChanged", null, $"KeepLast={settings.KeepLast}, MaxRestoreAgeDays={settings.MaxRestoreAgeDays?.ToString() ?? "none"}, DefaultJobs={settings.DefaultJobs?.ToString() ?? "cores"}"
            + (settings.Encryption == EncryptionMode.Required ? $", Encryption=Required (key {settings.EncryptionKeyId})" : ""));
        return GetRepositoryInfo();
    }

    /// <summary>Waits until the operation ends or the timeout passes (then throws Timeout), reporting progress.</summary>
    public async Task<IOperationRecord> WaitAsync(string id, TimeSpan? timeout, IProgress<IOperationRecord>? progress, CancellationToken cancellationToken)
    {
        var deadline = timeout is { } t ? DateTimeOffset.UtcNow + t : (DateTimeOffset?)null;
        DateTimeOffset? lastProgress = null;
        var lastState = (OperationState)(-1);
        while (true)
        {
            var r = GetOperation(id);
            if (progress != null && (r.Progress?.UpdatedAt != lastProgress || r.State != lastState))
            {
                lastProgress = r.Progress?.UpdatedAt;
                lastState = r.State;
                progress.Report(r);
            }
            if (!r.IsActive)
            {
                // A worker in this process still releases the target's lock, prunes and calls back after
                // its record ends: the caller (a `--wait` CLI about to exit, a runbook's last line) must
                // not end the process under it.
                await InSessionWorkers.FinishedAsync(id, cancellationToken).ConfigureAwait(false);
                return r;
            }
            if (deadline is { } d && DateTimeOffset.UtcNow >= d)
                throw new DbBackupException(ErrorKind.Timeout, "WaitTimeout",
                    $"Operation {id} is still {r.State} after {timeout!.Value.TotalSeconds:0.#} s ({r.Progress?.Phase} {r.Progress?.Percent}%). It keeps running; wait again or cancel it.") { TargetObject = id };
            await InSessionWorkers.PauseAsync(id, TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Asks the worker to stop; returns once the record says Cancelled (or it had already ended).</summary>
    public async Task<IOperationRecord> CancelAsync(string id, CancellationToken cancellationToken)
    {
        var r = GetOperation(id);
        if (!r.IsActive) return r;
        await Repository.RequestCancelAsync(id, Me, cancellationToken).ConfigureAwait(false);
        Log(r is RestoreRecord ? "RestoreCancelRequested" : "BackupCancelRequested", r);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            r = GetOperation(id);
            if (!r.IsActive) return r;
            // A Pending record whose worker never started cannot be told; cancel it here.
            if (r.State == OperationState.Pending && (r is BackupRecord { WorkerProcessId: null } || r is RestoreRecord { WorkerProcessId: null }))
            {
                FinishAbandoned(r, OperationState.Cancelled, "Cancelled before the worker started.");
                return GetOperation(id);
            }
        }
        throw new DbBackupException(ErrorKind.Timeout, "CancelTimeout", $"Operation {id} did not stop within 60 s of the cancel request; it is still {r.State}.") { TargetObject = id };
    }
}
