using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Tests.Storage;

/// <summary>Restore and backup records written straight into a repository, as a worker leaves them: created
/// Pending, then moved on by a compare-and-swap write (which, in a local folder, takes the record's lock file).</summary>
public static class RestoreRecords
{
    /// <summary>A restore into <paramref name="database"/> on 127.0.0.1:5432 created <paramref name="daysAgo"/>
    /// days ago, now in <paramref name="state"/> (a Running one has this process as its live worker).</summary>
    public static RestoreRecord Write(BackupRepository repository, string database, OperationState state, int daysAgo, string? safetyBackupId = null, bool leftoversPending = false)
    {
        var at = DateTimeOffset.UtcNow.AddDays(-daysAgo);
        var r = new RestoreRecord
        {
            Id = Ids.NewRestoreId(at), BackupId = Ids.NewBackupId(at.AddHours(-1)), SourceDatabase = database, Engine = DatabaseEngine.PostgreSql,
            Server = "127.0.0.1", Port = 5432, UserName = "dbbackup", Database = database, TargetDatabase = database, Swap = true,
            State = OperationState.Pending, StatusMessage = "Waiting for the worker to start.", CreatedAt = at, RequestedBy = "test",
        };
        Assert.True(repository.WriteRestore(r));
        r.State = state;
        r.StartedAt = at;
        r.WorkerProcessId = Environment.ProcessId;
        r.WorkerHost = Environment.MachineName;
        r.WorkerHostId = HostIdentity.Current;
        r.HeartbeatAt = r.IsActive ? DateTimeOffset.UtcNow : at.AddMinutes(1);
        r.CompletedAt = r.IsActive ? null : at.AddMinutes(1);
        r.StatusMessage = state.ToString();
        r.SafetyBackupId = safetyBackupId;
        r.LeftoversPending = leftoversPending;
        Assert.True(repository.WriteRestore(r));
        return r;
    }

    /// <summary>A succeeded safety backup of <paramref name="database"/> taken <paramref name="daysAgo"/> days ago.</summary>
    public static BackupRecord Backup(BackupRepository repository, string database, int daysAgo)
    {
        var at = DateTimeOffset.UtcNow.AddDays(-daysAgo);
        var b = new BackupRecord
        {
            Id = Ids.NewBackupId(at), Name = "safety", Engine = DatabaseEngine.PostgreSql, Server = "127.0.0.1", Port = 5432, UserName = "dbbackup",
            Database = database, Kind = BackupKind.SafetyBeforeRestore, State = OperationState.Succeeded, CreatedAt = at, StartedAt = at, CompletedAt = at.AddMinutes(1), StatusMessage = "OK",
        };
        Assert.True(repository.WriteBackup(b));
        return b;
    }
}
