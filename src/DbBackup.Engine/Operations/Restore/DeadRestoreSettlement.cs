using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>What dead restores left on a server, settled by the next operation on their target.</summary>
internal sealed class DeadRestoreSettlement(EngineContext context)
{
    /// <summary>Settles what dead restores of <paramref name="database"/> left on the server (their
    /// copy, an unfinished swap): whoever found them dead had no credentials, the next operation on
    /// the target has them. Runs in that operation's worker while it holds the target's lock, before
    /// it touches the target; each settled restore's record says what was found, and the activity log
    /// has a line. A failure here is logged and does not stop the operation.</summary>
    public async Task SettleDeadRestoresAsync(OperationRecord next, string database, string? password, CancellationToken ct)
    {
        var dead = (await context.Repository.ReadAllRestoresAsync(ct).ConfigureAwait(false))
            .Where(r => r.LeftoversPending && r.Swap && !r.IsActive && r.Id != next.Id && r.Engine == next.Engine && r.Port == next.Port
                && string.Equals(r.Server, next.Server, StringComparison.OrdinalIgnoreCase) && r.Database == database)
            .OrderBy(r => r.CreatedAt).ToList();
        foreach (var r in dead)
        {
            var aside = RestorePhases.AsideName(r.Database, r.Id);
            var server = new ConnectionTarget(next.Engine, next.Server, next.Port, next.UserName, r.Database) { Password = password };
            try
            {
                var swapStarted = r.Progress?.Phase is RestorePhases.SwappingPhase or RestorePhases.SwappedPhase;
                var found = await context.Provider(r.Engine).CleanUpAbandonedRestoreAsync(server, r.Database, aside, swapStarted, ct).ConfigureAwait(false);
                var state = found.SwappedIn switch
                {
                    true => $" '{r.Database}' holds the restored copy of backup {r.BackupId}.",
                    false => $" '{r.Database}' holds its contents from before this restore.",
                    null => "",
                };
                var text = $"Checked by {next.OperationKind.ToString().ToLowerInvariant()} {next.Id}: {found.Description ?? "nothing was left on the server."}{state}";
                var fresh = await context.Repository.TryReadRestoreAsync(r.Id, ct).ConfigureAwait(false);
                if (fresh is not { LeftoversPending: true }) continue;
                fresh.LeftoversPending = false;
                fresh.StatusMessage += " " + text;
                context.Log("RestoreLeftoversSettled", fresh, text, isError: false);
                await context.Repository.WriteAsync(fresh, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DbBackupException or IOException)
            {
                context.Log("RestoreLeftoversSettleFailed", r, $"Settling what dead restore {r.Id} left ('{aside}') failed: {OperationFailures.Describe(e)}", isError: true);
            }
        }
    }
}
