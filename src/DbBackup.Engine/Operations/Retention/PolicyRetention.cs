using DbBackup.Engine.Policies;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>A policy's retention tiers applied through the catalog (<see cref="RetentionPlanner"/> on
/// catalog entries, not on every manifest of the repository): per database it plans from the entries of
/// the policy's backups, then confirms with manifests before acting. Every good backup the plan
/// keeps is read first (when anything is to go), and when one manifest does not say Succeeded for that target the group is
/// planned again from its manifests (as before the catalog); each backup to remove is read again just
/// before, and left alone when it is held, running, damaged or no longer what its entry said; a kept
/// backup's RetainedAs is written onto its manifest as read, never from the entry.</summary>
internal sealed class PolicyRetention(EngineContext context)
{
    /// <summary>Records on each kept backup the tiers keeping it (RetainedAs), logs every removal with
    /// its tier reasoning and removes it; with <paramref name="whatIf"/> only says what would go.</summary>
    public List<PolicyRunResult> ApplyPolicyRetention(BackupPolicy policy, bool whatIf)
    {
        var zone = PolicySchedule.FindZone(policy.TimeZone);
        var results = new List<PolicyRunResult>();
        var deleteChecked = false;
        foreach (var group in Mine(policy).GroupBy(b => (b.Engine, Server: ServerNames.Same(b.Server, policy.Server) ? policy.Server : b.Server, b.Port, b.Database)))
        {
            var plan = RetentionPlanner.Plan(group, policy.Retention, zone);
            if (plan.Any(d => d.Remove) && !KeptGoodConfirmed(plan))
                plan = RetentionPlanner.Plan(Manifests(group), policy.Retention, zone);
            foreach (var d in plan)
            {
                var b = d.Backup;
                if (!d.Remove)
                {
                    if (!whatIf && !b.IsActive && !d.RetainedAs.SequenceEqual(b.RetainedAs) && TryRead(b.Id) is { IsActive: false } current && SamePlan(current, b))
                    {
                        current.RetainedAs = d.RetainedAs;
                        context.Repository.WriteBackup(current); // a lost race only delays the label to the next run
                    }
                    continue;
                }
                var message = $"Policy {policy.Name}: {d.Reason}";
                if (whatIf)
                {
                    results.Add(Result(policy, b, "WouldRemove", message));
                    continue;
                }
                // Re-read just before: a hold set or a run started since the plan wins, and so does a
                // manifest that no longer says what the entry planned with.
                if (TryRead(b.Id) is not { Hold: false, IsActive: false } confirmed || !SamePlan(confirmed, b)) continue;
                // Being restored: kept until that restore has ended (the policy's next run removes it).
                if (context.Records.ActiveRestoreOf(b.Id) is not null) continue;
                // Before the first removal, once: a credential without the delete right stops retention
                // here, saying so, instead of logging removals that then fail.
                if (!deleteChecked && context.RightDenial(StoreRight.Delete, $"Retention of policy {policy.Name}", "No backup was removed.") is { } denied) throw denied;
                deleteChecked = true;
                context.Log("Pruned", confirmed, message);
                context.Repository.DeleteBackup(confirmed.Id);
                results.Add(Result(policy, confirmed, "Removed", message));
            }
        }
        return results;
    }

    private static PolicyRunResult Result(BackupPolicy policy, BackupRecord b, string outcome, string message)
        => new() { Policy = policy.Name, Database = b.Database, Outcome = outcome, BackupId = b.Id, Message = message };

    /// <summary>The policy's manual backups as the catalog has them: the entry of an ended one, the
    /// manifest of every other (checked for a dead worker). Imported copies keep the Policy of the
    /// repository they came from; they are never this policy's to prune.</summary>
    private List<BackupRecord> Mine(BackupPolicy policy)
        => context.Repository.ReadCatalog<BackupRecord>(trustNothing: false).Items
            .Where(i => i.Entry.Policy == policy.Name && i.Entry.Kind == BackupKind.Manual)
            .Select(i => i.Record is { } read ? context.Records.DetectStale(read) : FromEntry(i.Entry))
            .Where(b => b.Policy == policy.Name && b.Kind == BackupKind.Manual)
            .ToList();

    /// <summary>Whether every successful backup the plan keeps is one by its manifest too: one whose
    /// manifest was deleted or damaged since its entry would fill a tier's place, and the older backup
    /// that should take that place would be removed.</summary>
    private bool KeptGoodConfirmed(List<RetentionDecision> plan)
        => plan.Where(d => !d.Remove && d.Backup.State == OperationState.Succeeded)
            .All(d => TryRead(d.Backup.Id) is { State: OperationState.Succeeded } read && SamePlan(read, d.Backup));

    /// <summary>The group's manifests (the damaged ones left out, as a list leaves them).</summary>
    private List<BackupRecord> Manifests(IEnumerable<BackupRecord> group)
        => group.Select(b => TryRead(b.Id)).OfType<BackupRecord>().Select(context.Records.DetectStale)
            .Where(b => b.Kind == BackupKind.Manual).ToList();

    private BackupRecord? TryRead(string id)
    {
        try { return context.Repository.TryReadBackup(id); }
        catch (DbBackupException) { return null; } // damaged: listed with a warning, never pruned or relabelled
    }

    /// <summary>True when the manifest still says what the plan used of <paramref name="planned"/> (and is
    /// no older copy than the entry planned with: an undone hold put back is never pruned).</summary>
    private static bool SamePlan(BackupRecord manifest, BackupRecord planned)
        => manifest.Revision >= planned.Revision && manifest.State == planned.State && manifest.CreatedAt == planned.CreatedAt && manifest.Kind == planned.Kind && manifest.Policy == planned.Policy
            && manifest.Engine == planned.Engine && ServerNames.Same(manifest.Server, planned.Server) && manifest.Port == planned.Port && manifest.Database == planned.Database;

    /// <summary>A record standing for an ended backup in the plan, with what its entry holds.</summary>
    private static BackupRecord FromEntry(CatalogEntry e) => new()
    {
        Id = e.Id,
        Revision = e.Revision,
        State = e.State,
        Engine = e.Engine,
        Server = e.Server,
        Port = e.Port,
        Database = e.Database,
        CreatedAt = e.CreatedAt,
        Kind = e.Kind ?? BackupKind.Manual,
        Policy = e.Policy,
        SizeBytes = e.SizeBytes,
        Hold = e.Hold,
        RetainedAs = e.RetainedAs ?? [],
    };
}
