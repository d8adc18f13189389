using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>What every job of the engine shares: the repository, how workers are launched, the
/// providers, the activity log, the caller's identity and defaults, and the services over records
/// (stale detection), target locks, encryption keys and stored payloads. One per <see cref="BackupEngine"/>;
/// each job class takes it in its constructor.</summary>
internal sealed class EngineContext
{
    public EngineContext(BackupRepository repository, IWorkerLauncher launcher, Func<DatabaseEngine, IDatabaseProvider> providers)
    {
        Repository = repository;
        Launcher = launcher;
        Providers = providers;
        Records = new OperationRecords(this);
        Locks = new TargetLocks(this);
        Keys = new EncryptionKeys(this);
        Payloads = new StoredPayloads(this);
        _localState = new(OpenLocalState);
    }

    private EngineContext? OpenLocalState()
    {
        if (Repository.Store.Features.SameHostOnly) return null;
        var named = Environment.GetEnvironmentVariable(StateRepositoryVariable);
        var state = new BackupRepository(string.IsNullOrWhiteSpace(named) ? BackupRepository.DefaultLocalPath() : named);
        return SameLocation(state.Location, Repository.Location) ? null : new EngineContext(state, Launcher, Providers);
    }

    /// <summary>True when two repository locations name the same repository.</summary>
    public static bool SameLocation(string a, string b) => string.Equals(a.TrimEnd('/', '\\'), b.TrimEnd('/', '\\'), StringComparison.Ordinal);

    /// <summary>The repository.</summary>
    public BackupRepository Repository { get; }

    /// <summary>Starts the worker of a recorded operation.</summary>
    public IWorkerLauncher Launcher { get; }

    /// <summary>The provider factory.</summary>
    public Func<DatabaseEngine, IDatabaseProvider> Providers { get; }

    /// <summary>Reads records, detects and ends those whose worker is gone.</summary>
    public OperationRecords Records { get; }

    /// <summary>Target locks: taking them, judging their holders.</summary>
    public TargetLocks Locks { get; }

    /// <summary>The repository key of new backups and the data keys of stored ones.</summary>
    public EncryptionKeys Keys { get; }

    /// <summary>Reading and checking a stored backup's payload.</summary>
    public StoredPayloads Payloads { get; }

    /// <summary>Names the repository where a restore from a repository the caller may only read keeps its
    /// record, target lock and safety backup; unset, the per-user default folder.</summary>
    public const string StateRepositoryVariable = "DBBACKUP_STATE_REPOSITORY";

    /// <summary>The repository that holds the restores of backups read from this one when its credential
    /// may not write (see <see cref="StateRepositoryVariable"/>); null for a repository on this host's
    /// file system (its rights are the file system's, checked at each call) or when it is that repository itself.</summary>
    public EngineContext? LocalState => _localState.Value;

    private readonly Lazy<EngineContext?> _localState;

    /// <summary>The clock schedules and retention read (tests set a fake one).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Where the repository is (a local folder's full path), for messages and the worker.</summary>
    public string RepositoryPath => Repository.Location;

    /// <summary>Who asks, as records and the activity log name them.</summary>
    public static string Me => $"{Environment.UserName}@{Environment.MachineName}";

    public IDatabaseProvider Provider(DatabaseEngine engine) => Providers(engine);

    public int DefaultJobs(int? requested)
    {
        var jobs = requested ?? Repository.ReadRepositoryFile().Settings.DefaultJobs ?? Environment.ProcessorCount;
        if (jobs is < 1 or > 64)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidJobs", $"Jobs must be between 1 and 64; got {jobs}.") { TargetObject = jobs };
        return jobs;
    }

    /// <summary>Adds an activity-log line. A credential without the write right (a read-and-list SAS) may
    /// still list, verify, save and restore: its line is then left out rather than failing the operation;
    /// anything that changes the repository was refused up front for that right.</summary>
    public void Log(string action, IOperationRecord? op, string? message = null, string? note = null, bool isError = false)
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

    /// <summary>Refuses an operation up front (StoreRightMissing, naming the right and where the credential
    /// came from) when the repository's credential lacks <paramref name="right"/>, before it locks, records
    /// or deletes anything. <paramref name="operation"/> names the command in both front ends' words;
    /// <paramref name="outcome"/> says what was left as it was.</summary>
    public async Task RequireRightAsync(StoreRight right, string operation, string outcome, CancellationToken cancellationToken)
    {
        if (await RightDenialAsync(right, operation, outcome, cancellationToken).ConfigureAwait(false) is { } denied) throw denied;
    }

    /// <summary>As <see cref="RequireRightAsync"/>, for the synchronous paths of the worker: the refusal, or null.</summary>
    public DbBackupException? RightDenial(StoreRight right, string operation, string outcome)
        => StoreSync.Run(() => RightDenialAsync(right, operation, outcome, CancellationToken.None));

    private async Task<DbBackupException?> RightDenialAsync(StoreRight right, string operation, string outcome, CancellationToken cancellationToken)
        => await StoreRights.DenialAsync(Repository.Store, right, cancellationToken).ConfigureAwait(false) is { } denial
            ? StoreFailures.RightMissing(Repository.Location, right, operation, outcome, denial) : null;
}
