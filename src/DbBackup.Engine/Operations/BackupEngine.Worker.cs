using System.Net.Http.Json;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>Worker entry point: runs the backup or restore with this id to its end. Returns
    /// normally whatever the outcome (the record says how it ended); throws only when the id is unknown.</summary>
    public async Task RunWorkerAsync(string operationId, string? password, CancellationToken cancellationToken)
    {
        if (Ids.IsRestoreId(Ids.Validate(operationId)))
        {
            var restore = await Repository.TryReadRestoreAsync(operationId, cancellationToken).ConfigureAwait(false) ?? throw new DbBackupException(ErrorKind.NotFound, "RestoreNotFound", $"No restore {operationId}.");
            if (restore.State != OperationState.Pending) return;
            TakeOverLock(LockKey(restore), restore.Id, restore.TargetDatabase);
            using var restoreLockBeat = new LockHeartbeat(Repository, LockKey(restore), restore.Id);
            try
            {
                await SettleDeadRestoresAsync(restore, restore.Swap ? restore.Database : restore.TargetDatabase, password, cancellationToken).ConfigureAwait(false);
                await RunRestoreAsync(restore, password, cancellationToken).ConfigureAwait(false);
            }
            catch (DbBackupException) { }
            finally
            {
                restoreLockBeat.Dispose();
                RemoveWorkerFiles(restore.Id);
                TargetLock.Release(Repository, LockKey(restore), restore.Id);
            }
            return;
        }
        var record = await Repository.TryReadBackupAsync(operationId, cancellationToken).ConfigureAwait(false) ?? throw new DbBackupException(ErrorKind.NotFound, "BackupNotFound", $"No backup {operationId}.");
        if (record.State != OperationState.Pending) return;
        TakeOverLock(LockKey(record), record.Id, record.Database);
        var lockBeat = new LockHeartbeat(Repository, LockKey(record), record.Id);
        bool ok;
        try
        {
            await SettleDeadRestoresAsync(record, record.Database, password, cancellationToken).ConfigureAwait(false);
            await RunBackupAsync(record, password, cancellationToken).ConfigureAwait(false);
            ok = true;
        }
        catch (DbBackupException)
        {
            ok = false;
        }
        finally
        {
            lockBeat.Dispose();
            RemoveWorkerFiles(record.Id);
            TargetLock.Release(Repository, LockKey(record), record.Id);
        }
        // After the record is final: the callback never fails or delays the backup's result.
        if (record.CallbackUrl != null) await SendCallbackAsync(record, CancellationToken.None).ConfigureAwait(false);
        // A policy's backups are pruned by its own tiers when the policy runs, not by KeepLast.
        if (ok && record.Kind == BackupKind.Manual && record.Policy == null) ApplyRetention(record);
    }

    /// <summary>Removes what only a running worker needs: the cancel request and the providers'
    /// scratch folder. Also run by whoever finds the worker dead.</summary>
    private void RemoveWorkerFiles(string id)
    {
        Repository.ClearCancelRequest(id);
        OperationTempFolder.Remove(Repository.ScratchFolder(id));
    }

    private void TakeOverLock(string key, string id, string target)
        => TargetLock.TakeOver(Repository, key, LockOwner.OfThisProcess(id, target));

    /// <summary>Delays between callback attempts (the first attempt is immediate).</summary>
    public static TimeSpan[] CallbackRetryDelays { get; set; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15)];

    /// <summary>POSTs the result to the callback URL, retrying with backoff; logs the outcome, never throws.</summary>
    private async Task SendCallbackAsync(BackupRecord r, CancellationToken ct)
    {
        var payload = new
        {
            backupId = r.Id,
            name = r.Name,
            engine = r.Engine.ToString(),
            server = r.Server,
            database = r.Database,
            result = r.State == OperationState.Succeeded ? "COMPLETE" : "ERROR",
            statusMessage = r.StatusMessage,
            sizeBytes = r.SizeBytes,
            completedAt = r.CompletedAt,
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string? lastError = null;
        for (var attempt = 0; attempt <= CallbackRetryDelays.Length; attempt++)
        {
            if (attempt > 0) await Task.Delay(CallbackRetryDelays[attempt - 1], ct).ConfigureAwait(false);
            try
            {
                using var response = await http.PostAsJsonAsync(r.CallbackUrl, payload, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Log("CallbackSent", r, $"{(int)response.StatusCode} from {RedactUrl(r.CallbackUrl!)} (attempt {attempt + 1})");
                    return;
                }
                lastError = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                lastError = e.Message;
            }
        }
        Log("CallbackFailed", r, $"{RedactUrl(r.CallbackUrl!)}: {lastError} after {CallbackRetryDelays.Length + 1} attempts", isError: true);
    }

    /// <summary>A URL without user info or query (which may carry tokens), for logs.</summary>
    internal static string RedactUrl(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Host}:{u.Port}{u.AbsolutePath}" : "(invalid url)";

    private static bool CountsForKeepLast(BackupKind? kind, string? policy, OperationState state)
        => kind == BackupKind.Manual && policy == null && state == OperationState.Succeeded;

    /// <summary>Keeps the newest KeepLast successful manual backups of the target; removes older ones.
    /// Never removes <paramref name="justFinished"/> (so never the only good one), an active or a held
    /// backup (held ones still count among the kept).</summary>
    private void ApplyRetention(BackupRecord justFinished)
    {
        var keep = Math.Max(1, Repository.ReadRepositoryFile().Settings.KeepLast);
        // Through the catalog (not every manifest of the repository); each backup to remove is re-read
        // and checked again first. This read also folds a long catalog journal.
        var good = Repository.ReadCatalog<BackupRecord>(trustNothing: false).Items.Select(i => i.Entry)
            .Where(b => CountsForKeepLast(b.Kind, b.Policy, b.State) && IsTarget(b, justFinished.Engine, justFinished.Server, justFinished.Port, justFinished.Database))
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        var prune = good.Skip(keep).Where(entry => entry.Id != justFinished.Id).ToList();
        if (prune.Count == 0) return;
        // A credential that may back up but not delete (a create-only SAS): one line saying so, no removals.
        if (RightDenial(StoreRight.Delete, $"Retention (KeepLast {keep})", $"{prune.Count} older backup(s) of this database were kept.") is { } denied)
        {
            Log("PruneFailed", justFinished, denied.Message, isError: true);
            return;
        }
        foreach (var entry in prune)
        {
            BackupRecord? old;
            try { old = Repository.TryReadBackup(entry.Id); }
            catch (DbBackupException) { continue; } // damaged: listed with a warning, never pruned
            if (old == null || old.Hold || !CountsForKeepLast(old.Kind, old.Policy, old.State)) continue;
            try
            {
                // Logged first: whoever finds the backup gone also finds why.
                Log("Pruned", old, $"Retention keeps the last {keep} successful backups of this database; removes {old.Name} ({old.SizeBytes} bytes, {old.CreatedAt:u}).");
                Repository.DeleteBackup(old.Id);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DbBackupException)
            {
                Log("PruneFailed", old, $"{old.Name} could not be removed: {e.Message}", isError: true);
            }
        }
    }
}
