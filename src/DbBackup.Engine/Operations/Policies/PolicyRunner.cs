using DbBackup.Engine.Policies;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>A run of the policies (dbbackup policy run / Invoke-DbBackupPolicy): each due backup
/// started once across hosts, then each policy's retention.</summary>
internal sealed class PolicyRunner(EngineContext context, PolicyCatalog policies, BackupJob backups, PolicyRetention retention, DatabaseResolver databases, CompletionCallback callback, RestoreHistoryRetention restoreHistory)
{
    private PolicyStore PolicyFiles => new(context.Repository);

    /// <summary>Slot claims older than this before the current slot are removed (hosts whose clock lags
    /// by less still find theirs).</summary>
    private static readonly TimeSpan ClaimMargin = TimeSpan.FromDays(2);

    /// <summary>Starts every backup that is due now, then applies each policy's retention. Due: the
    /// latest slot at or before now, at or after the policy's creation, not yet claimed for that
    /// database (slot claims are O_EXCL files, so concurrent runs on any host start it once; a run that
    /// missed slots starts the latest once). One policy or database failing never stops the others.
    /// With <paramref name="whatIf"/> nothing is claimed, started or removed: the results say what would be.</summary>
    public async Task<List<PolicyRunResult>> RunPoliciesAsync(string? namePattern, bool whatIf, CancellationToken cancellationToken)
    {
        var results = new List<PolicyRunResult>();
        var now = context.Clock.GetUtcNow();
        foreach (var policy in policies.ListPolicies(namePattern))
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.AddRange(await RunPolicyAsync(policy, now, whatIf, cancellationToken).ConfigureAwait(false));
            try { results.AddRange(retention.ApplyPolicyRetention(policy, whatIf)); }
            catch (Exception e) when (e is DbBackupException or IOException or UnauthorizedAccessException)
            {
                results.Add(new PolicyRunResult { Policy = policy.Name, Database = policy.Database, Outcome = "Failed", Message = "Retention failed: " + e.Message });
                context.Log("PruneFailed", null, $"Policy {policy.Name}: {e.Message}", isError: true);
            }
        }
        if (!whatIf) await restoreHistory.ApplyAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    private async Task<List<PolicyRunResult>> RunPolicyAsync(BackupPolicy policy, DateTimeOffset now, bool whatIf, CancellationToken ct)
    {
        PolicyRunResult Result(string database, DateTimeOffset? slot, string outcome, string? id = null, string? message = null)
            => new() { Policy = policy.Name, Database = database, Slot = slot, Outcome = outcome, BackupId = id, Message = message };
        DateTimeOffset? slot = null;
        try
        {
            var schedule = PolicySchedule.Parse(policy.Schedule, policy.TimeZone);
            slot = schedule.LatestSlotAtOrBefore(now);
            var next = schedule.NextSlotAfter(now);
            if (!policy.Enabled) return [Result(policy.Database, slot, "Disabled", message: "The policy is paused.")];
            if (slot is not { } s || s < policy.CreatedAt)
                return [Result(policy.Database, null, "NotDue", message: next is { } n ? $"Next slot {n:u}." : "The schedule has no next slot.")];
            var server = new ConnectionTarget(policy.Engine, policy.Server, policy.Port, policy.UserName, policy.Engine == DatabaseEngine.PostgreSql ? "postgres" : "mysql");
            var databases = DatabaseNamePattern.HasWildcards(policy.Database) && !whatIf
                ? await PolicyDatabasesAsync(policy, server with { Password = PolicyPassword.Resolve(policy, server.Database) }, ct).ConfigureAwait(false)
                : [policy.Database];
            var results = new List<PolicyRunResult>();
            foreach (var database in databases)
            {
                if (whatIf)
                {
                    results.Add(PolicyFiles.IsClaimed(policy.Name, database, s) ? Result(database, s, "AlreadyStarted") : Result(database, s, "Due", message: "Would start a backup."));
                    continue;
                }
                if (!PolicyFiles.TryClaimSlot(policy.Name, database, s, $"{EngineContext.Me} pid {Environment.ProcessId} at {context.Clock.GetUtcNow():O}", out var holder))
                {
                    results.Add(Result(database, s, "AlreadyStarted", message: "Claimed by " + holder));
                    continue;
                }
                results.Add(await StartPolicyBackupAsync(policy, database, s, ct).ConfigureAwait(false));
            }
            if (!whatIf) PolicyFiles.RemoveClaimsBefore(policy.Name, s - ClaimMargin);
            return results;
        }
        catch (DbBackupException e)
        {
            await PolicyFailedAsync(policy, policy.Database, e).ConfigureAwait(false);
            return [Result(policy.Database, slot, "Failed", message: e.Message)];
        }
    }

    private async Task<PolicyRunResult> StartPolicyBackupAsync(BackupPolicy policy, string database, DateTimeOffset slot, CancellationToken ct)
    {
        var result = new PolicyRunResult { Policy = policy.Name, Database = database, Slot = slot };
        try
        {
            var target = new ConnectionTarget(policy.Engine, policy.Server, policy.Port, policy.UserName, database) { Password = PolicyPassword.Resolve(policy, database) };
            var b = await backups.StartAsync(new BackupOptions
            {
                Target = target,
                Tables = policy.Tables,
                Labels = policy.Labels,
                CallbackUrl = policy.CallbackUrl,
                Policy = policy.Name,
                Note = $"Policy {policy.Name}, slot {slot:u}",
            }, ct).ConfigureAwait(false);
            result.Outcome = "Started";
            result.BackupId = b.Id;
            result.Message = b.State == OperationState.Pending ? null : b.StatusMessage;
        }
        catch (DbBackupException e)
        {
            result.Outcome = "Failed";
            result.Message = e.Message;
            await PolicyFailedAsync(policy, database, e).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>Logs a run that could not start a backup and, when the policy asks, POSTs the callback
    /// with result ERROR (through the same sender, retries and redaction as a backup's).</summary>
    private async Task PolicyFailedAsync(BackupPolicy policy, string database, DbBackupException e)
    {
        var stand = new BackupRecord
        {
            Id = "", Name = policy.Name, Engine = policy.Engine, Server = policy.Server, Port = policy.Port, Database = database,
            State = OperationState.Failed, StatusMessage = e.Message, CompletedAt = context.Clock.GetUtcNow(), CallbackUrl = policy.CallbackUrl, Policy = policy.Name,
        };
        context.Log("PolicyRunFailed", stand, $"Policy {policy.Name}: {e.ErrorId}: {e.Message}", isError: true);
        if (policy.CallbackOnFailure && policy.CallbackUrl != null) await callback.SendCallbackAsync(stand, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The databases of a pattern policy on its server now (see <see cref="DatabaseResolver.ResolveDatabasesAsync"/>);
    /// none when nothing matches at this run.</summary>
    private async Task<IReadOnlyList<string>> PolicyDatabasesAsync(BackupPolicy policy, ConnectionTarget server, CancellationToken ct)
    {
        try { return await databases.ResolveDatabasesAsync(server, new DatabaseSelection { Databases = [policy.Database] }, ct).ConfigureAwait(false); }
        catch (DbBackupException e) when (e.ErrorId == "NoDatabaseMatches") { return []; }
    }
}
