using DbBackup.Engine.Policies;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>The clock schedules and retention read; tests put a fake one here to run a year of
    /// schedule in seconds.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    private PolicyStore PolicyFiles => new(Repository);

    /// <summary>Creates a policy; refuses a name in use. CreatedAt is now: earlier slots never run.</summary>
    public BackupPolicy AddPolicy(BackupPolicy policy)
    {
        ValidatePolicy(policy);
        policy.CreatedAt = Clock.GetUtcNow();
        policy.ChangedBy = Me;
        policy.Revision = 0;
        if (PolicyFiles.TryRead(policy.Name) != null || !PolicyFiles.Write(policy))
            throw new DbBackupException(ErrorKind.InvalidOperation, "PolicyExists",
                $"A policy named '{policy.Name}' already exists in '{RepositoryPath}'. Change it with 'dbbackup policy set' / Set-DbBackupPolicy, or pick another name.") { TargetObject = policy.Name };
        Log("PolicyAdded", null, $"{policy}; retention {policy.Retention}");
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
               $"No policy named '{name}' in the repository '{RepositoryPath}'. List them with 'dbbackup policy list' or Get-DbBackupPolicy.") { TargetObject = name };

    /// <summary>Changes a policy (validated; a compare-and-swap, re-applied when another host wrote it meanwhile).</summary>
    public BackupPolicy UpdatePolicy(string name, Action<BackupPolicy> change)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var p = GetPolicy(name);
            change(p);
            p.Name = name;
            ValidatePolicy(p);
            p.ChangedBy = Me;
            if (!PolicyFiles.Write(p)) continue;
            Log("PolicyChanged", null, $"{p}; retention {p.Retention}; {(p.Enabled ? "enabled" : "paused")}");
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
        Log("PolicyRemoved", null, p.ToString());
        return p;
    }

    /// <summary>Puts a hold on a backup (retention never removes it) or releases it.</summary>
    public BackupRecord SetHold(string id, bool hold)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var b = GetBackup(id);
            if (b.IsActive)
                throw new DbBackupException(ErrorKind.InvalidOperation, "BackupRunning", $"Backup {id} is {b.State}; a hold is set once it has ended (retention never removes a running backup anyway).") { TargetObject = id };
            if (b.Hold == hold) return b;
            b.Hold = hold;
            if (!Repository.WriteBackup(b)) continue;
            Log(hold ? "Held" : "HoldReleased", b, hold ? "Retention will keep it until the hold is released." : "Retention applies to it again.");
            return b;
        }
        throw new DbBackupException(ErrorKind.InvalidOperation, "RecordBusy", $"Backup {id} kept changing while its hold was set; try again.") { TargetObject = id };
    }

    private static void ValidatePolicy(BackupPolicy p)
    {
        PolicyStore.ValidateName(p.Name);
        var database = DatabaseNamePattern.HasWildcards(p.Database) ? "pattern" : p.Database;
        if (p.Port == 0 && Enum.IsDefined(p.Engine)) p.Port = ConnectionTarget.DefaultPort(p.Engine);
        ValidateTarget(new ConnectionTarget(p.Engine, p.Server, p.Port, p.UserName, database));
        if (DatabaseNamePattern.HasWildcards(p.Database) && (p.Database.Length > 63 || p.Database.Any(char.IsControl)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidDatabase", $"Database pattern '{p.Database}' is not allowed: 1–63 printable characters.") { TargetObject = p.Database };
        PolicySchedule.Parse(p.Schedule, p.TimeZone);
        ValidateLabelsAndCallback(p.Labels, p.CallbackUrl);
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
