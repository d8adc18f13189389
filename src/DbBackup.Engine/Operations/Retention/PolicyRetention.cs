using DbBackup.Engine.Providers;
using DbBackup.Engine.Policies;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>A policy's retention tiers applied to its backups.</summary>
internal sealed class PolicyRetention(EngineContext context)
{
    /// <summary>Applies the policy's retention tiers to its backups, per database (see
    /// <see cref="RetentionPlanner"/>): records on each kept backup the tiers keeping it (RetainedAs),
    /// logs every removal with its tier reasoning and removes it. With <paramref name="whatIf"/> only
    /// says what would go.</summary>
    public List<PolicyRunResult> ApplyPolicyRetention(BackupPolicy policy, bool whatIf)
    {
        var zone = PolicySchedule.FindZone(policy.TimeZone);
        var results = new List<PolicyRunResult>();
        var deleteChecked = false;
        // Imported copies keep the Policy of the repository they came from; they are never this policy's to prune.
        var mine = context.Repository.ReadAllBackups().Where(b => b.Policy == policy.Name && b.Kind == BackupKind.Manual).Select(context.Records.DetectStale).ToList();
        foreach (var group in mine.GroupBy(b => (b.Engine, Server: ServerNames.Same(b.Server, policy.Server) ? policy.Server : b.Server, b.Port, b.Database)))
        {
            foreach (var d in RetentionPlanner.Plan(group, policy.Retention, zone))
            {
                var b = d.Backup;
                if (!d.Remove)
                {
                    if (!whatIf && !b.IsActive && !d.RetainedAs.SequenceEqual(b.RetainedAs))
                    {
                        b.RetainedAs = d.RetainedAs;
                        context.Repository.WriteBackup(b); // a lost race only delays the label to the next run
                    }
                    continue;
                }
                var message = $"Policy {policy.Name}: {d.Reason}";
                results.Add(new PolicyRunResult { Policy = policy.Name, Database = b.Database, Outcome = whatIf ? "WouldRemove" : "Removed", BackupId = b.Id, Message = message });
                if (whatIf) continue;
                // Re-read just before: a hold set or a run started since the plan wins.
                if (context.Repository.TryReadBackup(b.Id) is not { Hold: false, IsActive: false }) continue;
                // Before the first removal, once: a credential without the delete right stops retention
                // here, saying so, instead of logging removals that then fail.
                if (!deleteChecked && context.RightDenial(StoreRight.Delete, $"Retention of policy {policy.Name}", "No backup was removed.") is { } denied) throw denied;
                deleteChecked = true;
                context.Log("Pruned", b, message);
                context.Repository.DeleteBackup(b.Id);
            }
        }
        return results;
    }
}
