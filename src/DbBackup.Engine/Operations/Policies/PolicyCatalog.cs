using DbBackup.Engine.Policies;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The repository's backup policies: adding, listing, changing and removing them, each
/// validated as a whole.</summary>
internal sealed class PolicyCatalog(EngineContext context)
{
    private PolicyStore PolicyFiles => new(context.Repository);

    /// <summary>Creates a policy; refuses a name in use. CreatedAt is now: earlier slots never run.</summary>
    public BackupPolicy AddPolicy(BackupPolicy policy)
    {
        ValidatePolicy(policy);
        policy.CreatedAt = context.Clock.GetUtcNow();
        policy.ChangedBy = EngineContext.Me;
        policy.Revision = 0;
        if (PolicyFiles.TryRead(policy.Name) != null || !PolicyFiles.Write(policy))
            throw new DbBackupException(ErrorKind.InvalidOperation, "PolicyExists",
                $"A policy named '{policy.Name}' already exists in '{context.RepositoryPath}'. Change it with 'dbbackup policy set' / Set-DbBackupPolicy, or pick another name.") { TargetObject = policy.Name };
        context.Log("PolicyAdded", null, $"{policy}; retention {policy.Retention}");
        return policy;
    }

    /// <summary>Policies whose name matches <paramref name="namePattern"/> (wildcards; null for all), by
    /// name. Damaged policy files are skipped and named in <paramref name="problems"/>.</summary>
    public List<BackupPolicy> ListPolicies(string? namePattern = null, List<string>? problems = null)
        => PolicyFiles.ReadAll(problems).Where(p => namePattern == null || new DatabaseNamePattern(namePattern).IsMatch(p.Name)).ToList();

    /// <summary>The policy with this name.</summary>
    public BackupPolicy GetPolicy(string name)
        => PolicyFiles.TryRead(PolicyStore.ValidateName(name))
           ?? throw new DbBackupException(ErrorKind.NotFound, "PolicyNotFound",
               $"No policy named '{name}' in the repository '{context.RepositoryPath}'. List them with 'dbbackup policy list' or Get-DbBackupPolicy.") { TargetObject = name };

    /// <summary>Changes a policy (validated; a compare-and-swap, re-applied when another host wrote it meanwhile).</summary>
    public BackupPolicy UpdatePolicy(string name, Action<BackupPolicy> change)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var p = GetPolicy(name);
            change(p);
            p.Name = name;
            ValidatePolicy(p);
            p.ChangedBy = EngineContext.Me;
            if (!PolicyFiles.Write(p)) continue;
            context.Log("PolicyChanged", null, $"{p}; retention {p.Retention}; {(p.Enabled ? "enabled" : "paused")}");
            return p;
        }
        throw new DbBackupException(ErrorKind.InvalidOperation, "PolicyBusy", $"Policy '{name}' kept changing under this update (another host writing it?); try again.") { TargetObject = name };
    }

    /// <summary>Deletes a policy. Its backups stay (with their Policy name) until removed by hand.</summary>
    public BackupPolicy RemovePolicy(string name)
    {
        var p = GetPolicy(name);
        if (!PolicyFiles.Delete(name, p.Revision))
            throw new DbBackupException(ErrorKind.InvalidOperation, "PolicyBusy", $"Policy '{name}' changed while it was being removed; look at it again and retry.") { TargetObject = name };
        context.Log("PolicyRemoved", null, p.ToString());
        return p;
    }

    private static void ValidatePolicy(BackupPolicy p)
    {
        PolicyStore.ValidateName(p.Name);
        var database = DatabaseNamePattern.HasWildcards(p.Database) ? "pattern" : p.Database;
        if (p.Port == 0 && Enum.IsDefined(p.Engine)) p.Port = ConnectionTarget.DefaultPort(p.Engine);
        BackupRequestChecks.ValidateTarget(new ConnectionTarget(p.Engine, p.Server, p.Port, p.UserName, database));
        if (DatabaseNamePattern.HasWildcards(p.Database) && (p.Database.Length > 63 || p.Database.Any(char.IsControl)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidDatabase", $"Database pattern '{p.Database}' is not allowed: 1–63 printable characters.") { TargetObject = p.Database };
        PolicySchedule.Parse(p.Schedule, p.TimeZone);
        BackupRequestChecks.ValidateLabelsAndCallback(p.Labels, p.CallbackUrl);
        if (p.CallbackOnFailure && p.CallbackUrl == null)
            throw new DbBackupException(ErrorKind.InvalidArgument, "CallbackUrlRequired", $"Policy '{p.Name}' asks for a callback on failure but has no callback URL; give one (--callback / -CallbackUri).");
        if (p.PasswordVariable is { } v && (v.Length is 0 or > 200 || v.Any(c => char.IsControl(c) || c == '=')))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPasswordVariable", $"'{v}' is not an environment variable name.") { TargetObject = v };
        var r = p.Retention ??= new RetentionTiers();
        foreach (var (tier, count) in new[] { ("last", r.Last), ("hourly", r.Hourly), ("daily", r.Daily), ("weekly", r.Weekly), ("monthly", r.Monthly), ("yearly", r.Yearly) })
            if (count is < 1 or > 100000)
                throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidRetention", $"Retention {tier}={count} is out of range: give 1–100000, or leave the tier unset.") { TargetObject = count };
    }
}
