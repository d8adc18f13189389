using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Tests.Policies;

/// <summary>The fast path of the schedule simulations: a policy's backup record written straight into
/// the repository, as a finished worker leaves it (no database involved).</summary>
public static class PolicyRecords
{
    /// <summary>Writes a record of <paramref name="policy"/>'s backup of <paramref name="database"/> taken at <paramref name="at"/>.</summary>
    public static BackupRecord Write(BackupRepository repository, string policy, string database, DateTimeOffset at, OperationState state = OperationState.Succeeded)
    {
        var b = new BackupRecord
        {
            Id = Ids.NewBackupId(at), Name = at.UtcDateTime.ToString("yyyyMMddHHmmss"), Engine = DatabaseEngine.PostgreSql, Server = "127.0.0.1", Port = 5432,
            UserName = "dbbackup", Database = database, Policy = policy, State = state, CreatedAt = at, StartedAt = at, CompletedAt = at.AddMinutes(1),
            StatusMessage = state == OperationState.Succeeded ? "OK" : state.ToString(),
        };
        Assert.True(repository.WriteBackup(b));
        return b;
    }

    /// <summary>A policy over the same target as the records.</summary>
    public static BackupPolicy Policy(string name, RetentionTiers tiers, string schedule = "0 * * * *") => new()
    {
        Name = name, Engine = DatabaseEngine.PostgreSql, Server = "127.0.0.1", Port = 5432, UserName = "dbbackup", Database = "app", Schedule = schedule, Retention = tiers,
    };
}
