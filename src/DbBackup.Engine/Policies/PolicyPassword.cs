using DbBackup.Model;

namespace DbBackup.Engine.Policies;

/// <summary>Where an unattended run's password comes from, never from the policy itself: the
/// environment variable the policy names, else the engine's own store (PostgreSQL's password file,
/// the MySQL option files' [client] password). Null when none has one: the tools then try their own
/// ways (peer or trust authentication).</summary>
public static class PolicyPassword
{
    /// <summary>The password for one database of the policy.</summary>
    public static string? Resolve(BackupPolicy policy, string database)
    {
        if (policy.PasswordVariable is { } variable)
            return Environment.GetEnvironmentVariable(variable)
                ?? throw new DbBackupException(ErrorKind.InvalidArgument, "PasswordVariableNotSet",
                    $"Policy '{policy.Name}' takes its password from the environment variable '{variable}', which is not set for this run. Set it in the scheduler's environment, or remove it from the policy to use {(policy.Engine == DatabaseEngine.PostgreSql ? "PGPASSFILE / ~/.pgpass" : "~/.my.cnf [client]")}.") { TargetObject = variable };
        return policy.Engine == DatabaseEngine.PostgreSql
            ? PgPassFile.Find(policy.Server, policy.Port, database, policy.UserName)
            : MySqlOptionFile.FindPassword();
    }
}
