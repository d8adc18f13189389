using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The one entry point the CLI and the cmdlets call: every operation of the product.
/// Each method validates its input first and throws <see cref="DbBackupException"/> with a clear
/// message before anything is written.</summary>
public sealed partial class BackupEngine
{
    /// <summary>Opens (creating if needed) the repository at <paramref name="repositoryPath"/>, or the
    /// configured one (DBBACKUP_REPOSITORY, else the per-user default).</summary>
    public BackupEngine(string? repositoryPath, IWorkerLauncher launcher)
    {
        throw new NotImplementedException();
    }

    /// <summary>The repository's full path.</summary>
    public string RepositoryPath => throw new NotImplementedException();

    /// <summary>Validates (connection, tools, tables, date filter), records a Pending backup, starts
    /// the detached worker and returns the record at once.</summary>
    public Task<BackupRecord> StartBackupAsync(BackupOptions options, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Validates a restore (state, checksums, format, engine, version, age, target), records
    /// it as Pending, starts the worker and returns at once.</summary>
    public Task<RestoreRecord> StartRestoreAsync(RestoreOptions options, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Worker entry point: runs the backup or restore with this id to its end.</summary>
    public Task RunWorkerAsync(string operationId, string? password, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>The backup or restore with this id (stale workers reported Failed).</summary>
    public IOperationRecord GetOperation(string id) => throw new NotImplementedException();

    /// <summary>The backup with this id.</summary>
    public BackupRecord GetBackup(string id) => throw new NotImplementedException();

    /// <summary>Status of a target: running?, latest backup, latest restore.</summary>
    public StatusReport GetStatus(DatabaseEngine engine, string server, int port, string database) => throw new NotImplementedException();

    /// <summary>Waits until the operation ends or the timeout passes (then throws Timeout), reporting progress.</summary>
    public Task<IOperationRecord> WaitAsync(string id, TimeSpan? timeout, IProgress<IOperationRecord>? progress, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Asks the worker to stop; returns once the record says Cancelled (or it had already ended).</summary>
    public Task<IOperationRecord> CancelAsync(string id, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Backups matching the query, newest first, paged.</summary>
    public Page<BackupRecord> ListBackups(BackupQuery query) => throw new NotImplementedException();

    /// <summary>Writes the backup as one bundle file, re-checking every checksum while copying.</summary>
    public Task<FileInfo> SaveAsync(string id, string path, bool force, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Validates and imports a bundle file or a copied backup folder as Kind = Imported.</summary>
    public Task<BackupRecord> ImportAsync(string path, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Deletes a backup's files and record; refuses a running one, and the only good backup of a target unless forced.</summary>
    public Task<BackupRecord> RemoveAsync(string id, bool force, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Re-hashes every file; with a target, restores into a scratch database and compares table stats.</summary>
    public Task<VerificationResult> VerifyAsync(string id, ConnectionTarget? restoreTarget, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Activity log entries, newest first.</summary>
    public Page<ActivityEntry> ReadActivity(ActivityQuery query) => throw new NotImplementedException();

    /// <summary>Where the repository is, its settings and size.</summary>
    public RepositoryInfo GetRepositoryInfo() => throw new NotImplementedException();

    /// <summary>Changes settings (validated) and returns the new info.</summary>
    public RepositoryInfo UpdateSettings(Action<RepositorySettings> change) => throw new NotImplementedException();
}
