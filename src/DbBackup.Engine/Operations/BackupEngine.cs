using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The one entry point the CLI and the cmdlets call: every operation of the product, each
/// handed to the job class that does it (Queries, Backup, Restore, Bundles, Verification, Retention,
/// Policies, Copy, Worker, …), all over one <see cref="EngineContext"/>. Each operation validates its
/// input first and throws <see cref="DbBackupException"/> with a clear message before anything is written.</summary>
public sealed class BackupEngine
{
    private readonly EngineContext _context;
    private readonly RecordQueries _queries;
    private readonly OperationControl _control;
    private readonly RepositorySettingsChange _settings;
    private readonly DatabaseResolver _databases;
    private readonly BackupJob _backups;
    private readonly BundleImport _imports;
    private readonly BundleExport _exports;
    private readonly RestorePlanner _restorePlanner;
    private readonly RestoreJob _restores;
    private readonly VerifyJob _verify;
    private readonly BackupRemoval _removal;
    private readonly RestoreRemoval _restoreRemoval;
    private readonly RestoreHistoryRetention _restoreHistory;
    private readonly BackupHolds _holds;
    private readonly PolicyCatalog _policies;
    private readonly PolicyRetention _policyRetention;
    private readonly PolicyRunner _policyRunner;
    private readonly CopyJob _copies;
    private readonly WorkerJob _worker;

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
        var c = _context = new EngineContext(repository, launcher, providers);
        _queries = new RecordQueries(c);
        _control = new OperationControl(c);
        _settings = new RepositorySettingsChange(c, _queries);
        _databases = new DatabaseResolver(c);
        _backups = new BackupJob(c, _queries);
        _imports = new BundleImport(c);
        _exports = new BundleExport(c);
        _restorePlanner = new RestorePlanner(c);
        _restores = new RestoreJob(c, _imports, _restorePlanner);
        _verify = new VerifyJob(c);
        _removal = new BackupRemoval(c);
        _restoreRemoval = new RestoreRemoval(c);
        _restoreHistory = new RestoreHistoryRetention(c);
        _holds = new BackupHolds(c);
        _policies = new PolicyCatalog(c);
        _policyRetention = new PolicyRetention(c);
        var callback = new CompletionCallback(c);
        _policyRunner = new PolicyRunner(c, _policies, _backups, _policyRetention, _databases, callback, _restoreHistory);
        _copies = new CopyJob(c, _queries);
        _worker = new WorkerJob(c, _backups, new RestoreRun(c, _backups), new DeadRestoreSettlement(c), new KeepLastRetention(c), _restoreHistory, callback);
    }

    /// <summary>The repository.</summary>
    public BackupRepository Repository => _context.Repository;

    /// <summary>Where the repository is (a local folder's full path), for messages and the worker.</summary>
    public string RepositoryPath => _context.RepositoryPath;

    /// <summary>The clock schedules and retention read; tests put a fake one here to run a year of
    /// schedule in seconds.</summary>
    public TimeProvider Clock { get => _context.Clock; set => _context.Clock = value; }

    /// <summary>How often the worker writes progress and a heartbeat.</summary>
    public static TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a worker rewrites its target lock's heartbeat (well inside <see cref="PendingGrace"/>,
    /// after which a lock without a readable record is judged stale by that heartbeat).</summary>
    public static TimeSpan LockRefreshInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A worker silent for this long is considered gone even if its pid exists (pid reuse, hang, other host).</summary>
    public static TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a Pending record may wait for its worker to appear.</summary>
    public static TimeSpan PendingGrace { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Delays between callback attempts (the first attempt is immediate).</summary>
    public static TimeSpan[] CallbackRetryDelays { get; set; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15)];

    /// <summary>The payload format version of an encrypted backup (any engine), so a DbBackup from before
    /// encryption refuses it up front instead of feeding ciphertext to its decoder.</summary>
    public const int EncryptedFormatVersion = 4;

    /// <summary>The newest payload format version this build restores. A backup records the version its
    /// payload needs (<see cref="DumpResult.FormatVersion"/>): 2 for PostgreSQL backups holding large
    /// objects and for MySQL backups (routines and views in scripts of their own), 3 for PostgreSQL backups
    /// with a table split into pieces, 4 for encrypted backups (<see cref="EncryptedFormatVersion"/>), 5 for
    /// MySQL backups whose values are escaped bytes instead of hex (MySqlToc.RecordFormatVersion), so older
    /// builds refuse those up front and still restore every other backup.</summary>
    public const int PayloadFormatVersion = 5;

    /// <summary>Default number of backups one many-database call runs at once.</summary>
    public const int DefaultThrottleLimit = 4;

    // Records and queries (Queries/, Records/, Settings/)

    /// <summary>The backup or restore with this id (stale workers reported Failed).</summary>
    public IOperationRecord GetOperation(string id) => _context.Records.GetOperation(id);

    /// <summary>The backup with this id.</summary>
    public BackupRecord GetBackup(string id) => _context.Records.GetBackup(id);

    /// <summary>The restore with this id.</summary>
    public RestoreRecord GetRestore(string id) => _context.Records.GetRestore(id);

    /// <summary>Status of a target: running?, latest backup, latest restore.</summary>
    public StatusReport GetStatus(DatabaseEngine engine, string server, int port, string database) => _queries.GetStatus(engine, server, port, database);

    /// <summary>Backups matching the query, newest first, paged.</summary>
    public Page<BackupRecord> ListBackups(BackupQuery query) => _queries.ListBackups(query);

    /// <summary>Restores matching the query, newest first, paged: the restore history.</summary>
    public Page<RestoreRecord> ListRestores(RestoreQuery query) => _queries.ListRestores(query);

    /// <summary>Activity log entries, newest first.</summary>
    public Page<ActivityEntry> ReadActivity(ActivityQuery query) => _queries.ReadActivity(query);

    /// <summary>Where the repository is, its settings and size.</summary>
    public RepositoryInfo GetRepositoryInfo() => _queries.GetRepositoryInfo();

    /// <summary>Changes settings (validated) and returns the new info.</summary>
    public RepositoryInfo UpdateSettings(Action<RepositorySettings> change) => _settings.UpdateSettings(change);

    // Launching and following operations (Launching/, Locks/, Databases/)

    /// <summary>Waits until the operation ends or the timeout passes (then throws Timeout), reporting progress.</summary>
    public Task<IOperationRecord> WaitAsync(string id, TimeSpan? timeout, IProgress<IOperationRecord>? progress, CancellationToken cancellationToken)
        => _control.WaitAsync(id, timeout, progress, cancellationToken);

    /// <summary>Asks the worker to stop; returns once the record says Cancelled (or it had already ended).</summary>
    public Task<IOperationRecord> CancelAsync(string id, CancellationToken cancellationToken) => _control.CancelAsync(id, cancellationToken);

    /// <summary>Returns once fewer than <paramref name="limit"/> of <paramref name="started"/> are still
    /// active (see <see cref="OperationControl.WaitForFreeSlotAsync"/>); returns how many are still active.</summary>
    public Task<int> WaitForFreeSlotAsync(List<string> started, int limit, CancellationToken cancellationToken)
        => _control.WaitForFreeSlotAsync(started, limit, cancellationToken);

    /// <summary>The databases <paramref name="selection"/> names on the server of <paramref name="server"/>,
    /// ordered and without repeats; a pattern that matches nothing is an error naming it.</summary>
    public Task<IReadOnlyList<string>> ResolveDatabasesAsync(ConnectionTarget server, DatabaseSelection selection, CancellationToken cancellationToken)
        => _databases.ResolveDatabasesAsync(server, selection, cancellationToken);

    /// <summary>The warning to show before locking a target on a store that ignores conditional writes (null otherwise).</summary>
    public Task<string?> CrossHostLockingWarningAsync(CancellationToken cancellationToken) => _context.Locks.CrossHostLockingWarningAsync(cancellationToken);

    /// <summary>Refuses when another operation holds the target (after breaking a stale lock).</summary>
    internal void AcquireTargetLock(string key, LockOwner owner, ConnectionTarget target) => _context.Locks.AcquireTargetLock(key, owner, target);

    // Backup (Backup/)

    /// <summary>Validates (connection, tools, tables, date filter), records a Pending backup, starts
    /// the detached worker and returns the record at once.</summary>
    public Task<BackupRecord> StartBackupAsync(BackupOptions options, CancellationToken cancellationToken) => _backups.StartAsync(options, cancellationToken);

    /// <summary>Every check <see cref="StartBackupAsync"/> makes, with nothing locked, written or started:
    /// what -WhatIf reports. Returns the record the backup would start with.</summary>
    public Task<BackupRecord> ValidateBackupAsync(BackupOptions options, CancellationToken cancellationToken) => _backups.ValidateAsync(options, cancellationToken);

    /// <summary>SHA-256 over the file list (name, size, sha256 per line), the backup's single fingerprint.</summary>
    public static string FileListHash(IEnumerable<BackupFile> files) => BackupJob.FileListHash(files);

    // Restore (Restore/)

    /// <summary>Validates a restore (state, checksums, format, engine, version, age, target), records
    /// it as Pending, starts the worker and returns at once.</summary>
    public Task<RestoreRecord> StartRestoreAsync(RestoreOptions options, CancellationToken cancellationToken) => _restores.StartAsync(options, cancellationToken);

    /// <summary>Validates a restore exactly as <see cref="StartRestoreAsync"/> does and says what it would
    /// do, changing nothing: what -WhatIf and -Confirm show.</summary>
    public Task<RestorePlan> PlanRestoreAsync(RestoreOptions options, CancellationToken cancellationToken) => _restores.PlanAsync(options, cancellationToken);

    /// <summary>The restore's target: what <paramref name="given"/> leaves out taken from the backup or the bundle's
    /// manifest by the one rule of <see cref="RestoreTarget.Resolve"/>; without a password (each front end adds its own).</summary>
    public Task<ConnectionTarget> ResolveRestoreTargetAsync(RestoreTarget given, string? backupId, string? bundlePath, CancellationToken cancellationToken)
        => given.ResolveAsync(backupId, bundlePath, _context.Records.GetBackup, _imports.ReadBundleManifestAsync, cancellationToken);

    /// <summary>Refuses an engine mismatch, a flavour mismatch, or a target older than the backup's
    /// server major version, naming the versions that can restore it.</summary>
    public static void CheckVersion(BackupRecord b, ServerProbe target) => RestorePlanner.CheckVersion(b, target);

    /// <summary>The database a restore over <paramref name="database"/> fills before swapping it in.</summary>
    internal static string AsideName(string database, string restoreId) => RestorePhases.AsideName(database, restoreId);

    // Bundles (Bundles/)

    /// <summary>Writes the backup as one bundle file, re-checking every checksum while copying.</summary>
    public Task<FileInfo> SaveAsync(string id, string path, bool force, CancellationToken cancellationToken) => _exports.SaveAsync(id, path, force, cancellationToken);

    /// <summary>Validates and imports a bundle file or a copied backup folder as Kind = Imported.</summary>
    public Task<BackupRecord> ImportAsync(string path, CancellationToken cancellationToken) => _imports.ImportAsync(path, cancellationToken);

    /// <summary>The manifest of a bundle file or backup folder, validated, without importing it.</summary>
    public Task<BackupRecord> ReadBundleManifestAsync(string path, CancellationToken cancellationToken) => _imports.ReadBundleManifestAsync(path, cancellationToken);

    // Verification and retention (Verification/, Retention/)

    /// <summary>Re-hashes every file; with a target, restores into a scratch database and compares
    /// row counts and content checksums with the manifest, then drops the scratch database.</summary>
    public Task<VerificationResult> VerifyAsync(string id, ConnectionTarget? restoreTarget, CancellationToken cancellationToken)
        => _verify.VerifyAsync(id, restoreTarget, cancellationToken);

    /// <summary>Deletes a backup's files and record; refuses a running one, and the only good backup of
    /// a target unless <paramref name="force"/>.</summary>
    public Task<BackupRecord> RemoveAsync(string id, bool force, CancellationToken cancellationToken) => _removal.RemoveAsync(id, force, cancellationToken);

    /// <summary>Deletes a restore's record; refuses a running or unsettled restore and one whose safety
    /// backup is still in the repository.</summary>
    public Task<RestoreRecord> RemoveRestoreAsync(string id, CancellationToken cancellationToken) => _restoreRemoval.RemoveAsync(id, cancellationToken);

    /// <summary>Applies the repository's RestoreHistoryDays now (as after every backup) and sweeps orphaned
    /// lock files; returns the restores removed.</summary>
    public Task<List<RestoreRecord>> ApplyRestoreHistoryRetentionAsync(CancellationToken cancellationToken) => _restoreHistory.ApplyAsync(cancellationToken);

    /// <summary>Puts a hold on a backup (retention never removes it) or releases it.</summary>
    public BackupRecord SetHold(string id, bool hold) => _holds.SetHold(id, hold);

    // Policies (Policies/)

    /// <summary>Creates a policy; refuses a name in use. CreatedAt is now: earlier slots never run.</summary>
    public BackupPolicy AddPolicy(BackupPolicy policy) => _policies.AddPolicy(policy);

    /// <summary>Policies whose name matches <paramref name="namePattern"/> (wildcards; null for all), by
    /// name. Damaged policy files are skipped and named in <paramref name="problems"/>.</summary>
    public List<BackupPolicy> ListPolicies(string? namePattern = null, List<string>? problems = null) => _policies.ListPolicies(namePattern, problems);

    /// <summary>The policy with this name.</summary>
    public BackupPolicy GetPolicy(string name) => _policies.GetPolicy(name);

    /// <summary>Changes a policy (validated; a compare-and-swap, re-applied when another host wrote it meanwhile).</summary>
    public BackupPolicy UpdatePolicy(string name, Action<BackupPolicy> change) => _policies.UpdatePolicy(name, change);

    /// <summary>Deletes a policy. Its backups stay (with their Policy name) until removed by hand.</summary>
    public BackupPolicy RemovePolicy(string name) => _policies.RemovePolicy(name);

    /// <summary>Starts every backup that is due now, then applies each policy's retention; with
    /// <paramref name="whatIf"/> only says what would be done.</summary>
    public Task<List<PolicyRunResult>> RunPoliciesAsync(string? namePattern, bool whatIf, CancellationToken cancellationToken)
        => _policyRunner.RunPoliciesAsync(namePattern, whatIf, cancellationToken);

    /// <summary>Applies the policy's retention tiers to its backups; with <paramref name="whatIf"/> only says what would go.</summary>
    public List<PolicyRunResult> ApplyPolicyRetention(BackupPolicy policy, bool whatIf) => _policyRetention.ApplyPolicyRetention(policy, whatIf);

    // Copy (Copy/)

    /// <summary>The Succeeded backups a filtered copy takes, newest first; none is an error (NotFound).</summary>
    public IReadOnlyList<BackupRecord> SelectBackupsToCopy(BackupQuery query) => _copies.SelectBackupsToCopy(query);

    /// <summary>As <see cref="CopyAsync(string, BackupRepository, CancellationToken)"/>, to the repository
    /// at <paramref name="destination"/> (any address <see cref="BackupRepository"/> accepts).</summary>
    public Task<BackupCopyResult> CopyAsync(string id, string destination, CancellationToken cancellationToken) => _copies.CopyAsync(id, destination, cancellationToken);

    /// <summary>Copies one Succeeded backup into <paramref name="destination"/>, keeping its id and every
    /// record field, every file re-verified while it streams; a backup already there is Skipped.</summary>
    public Task<BackupCopyResult> CopyAsync(string id, BackupRepository destination, CancellationToken cancellationToken) => _copies.CopyAsync(id, destination, cancellationToken);

    /// <summary>Before the first copy into <paramref name="destination"/>: the warning to show when that store
    /// ignores conditional writes (null otherwise).</summary>
    public Task<string?> CopyDestinationWarningAsync(BackupRepository destination, CancellationToken cancellationToken)
        => _copies.CopyDestinationWarningAsync(destination, cancellationToken);

    // Worker (Worker/)

    /// <summary>Worker entry point: runs the backup or restore with this id to its end. Returns
    /// normally whatever the outcome (the record says how it ended); throws only when the id is unknown.</summary>
    public Task RunWorkerAsync(string operationId, string? password, CancellationToken cancellationToken) => _worker.RunWorkerAsync(operationId, password, cancellationToken);

    /// <summary>Runs an operation's worker on a background task of this process instead of a new process
    /// (see <see cref="WorkerJob.RunWorkerInBackground"/>).</summary>
    public void RunWorkerInBackground(string operationId, string? password) => _worker.RunWorkerInBackground(operationId, password);
}
