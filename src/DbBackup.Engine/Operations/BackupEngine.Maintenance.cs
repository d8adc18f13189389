using System.Diagnostics;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>Deletes a backup's files and record; refuses a running one, and the only good backup of
    /// a target unless <paramref name="force"/>.</summary>
    public async Task<BackupRecord> RemoveAsync(string id, bool force, CancellationToken cancellationToken)
    {
        BackupRecord b;
        try { b = GetBackup(id); }
        catch (DbBackupException e) when (e.Kind == ErrorKind.InvalidData && Repository.HasBackupObjects(id))
        {
            if (!force)
                throw new DbBackupException(ErrorKind.InvalidData, e.ErrorId, e.Message.TrimEnd('.') + ". Pass --force / -Force to remove the damaged entry.", e) { TargetObject = id };
            return await RemoveDamagedAsync(id, e, cancellationToken).ConfigureAwait(false);
        }
        if (b.IsActive)
            throw new DbBackupException(ErrorKind.InvalidOperation, "BackupRunning", $"Backup {id} is {b.State}; cancel it first (dbbackup cancel / Stop-DbBackup).") { TargetObject = id };
        if (!force && b.State == OperationState.Succeeded && !await AnotherGoodBackupAsync(b, cancellationToken).ConfigureAwait(false))
            throw new DbBackupException(ErrorKind.InvalidOperation, "LastGoodBackup",
                $"Backup {id} is the only successful backup of {b.Database} on {b.Server}:{b.Port}; pass --force / -Force to remove it anyway.") { TargetObject = id };
        await RequireRightAsync(StoreRight.Delete, $"Removing backup {id} (dbbackup remove / Remove-DbBackup)", $"Backup {id} was left as it was.", cancellationToken).ConfigureAwait(false);
        await Repository.DeleteBackupAsync(b.Id, cancellationToken).ConfigureAwait(false);
        Log("Removed", b, $"{b.Name}, {b.SizeBytes} bytes, {b.State}");
        return b;
    }

    /// <summary>Whether the target of <paramref name="b"/> keeps another successful backup: candidates from
    /// the catalog (not every manifest), newest first, each confirmed by reading its manifest, so a damaged
    /// one never stands in for the last good backup.</summary>
    private async Task<bool> AnotherGoodBackupAsync(BackupRecord b, CancellationToken ct)
    {
        var candidates = Repository.ReadCatalog<BackupRecord>(trustNothing: false).Items.Select(i => i.Entry)
            .Where(o => o.Id != b.Id && o.State == OperationState.Succeeded && IsTarget(o, b.Engine, b.Server, b.Port, b.Database))
            .OrderByDescending(o => o.CreatedAt);
        foreach (var candidate in candidates)
        {
            try
            {
                if (await Repository.TryReadBackupAsync(candidate.Id, ct).ConfigureAwait(false) is { State: OperationState.Succeeded } other
                    && IsTarget(other, b.Engine, b.Server, b.Port, b.Database)) return true;
            }
            catch (DbBackupException) { /* damaged: not a good backup */ }
        }
        return false;
    }

    /// <summary>Deletes a backup folder whose manifest cannot be read or trusted; what is returned
    /// stands in for the record, naming the damage.</summary>
    private async Task<BackupRecord> RemoveDamagedAsync(string id, DbBackupException damage, CancellationToken ct)
    {
        await RequireRightAsync(StoreRight.Delete, $"Removing backup {id} (dbbackup remove / Remove-DbBackup)", $"Backup {id} was left as it was.", ct).ConfigureAwait(false);
        await Repository.DeleteBackupAsync(id, ct).ConfigureAwait(false);
        var removed = new BackupRecord { Id = id, State = OperationState.Failed, StatusMessage = "Removed a damaged entry: " + damage.Message };
        Log("RemovedDamaged", removed, damage.Message, isError: true);
        return removed;
    }

    /// <summary>Re-hashes every file; with a target, restores into a scratch database and compares
    /// row counts and content checksums with the manifest, then drops the scratch database.</summary>
    public async Task<VerificationResult> VerifyAsync(string id, ConnectionTarget? restoreTarget, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        BackupRecord b;
        var result = new VerificationResult { BackupId = id };
        try
        {
            b = GetBackup(id);
            if (await Repository.TryReadBackupSealedAsync(id, cancellationToken).ConfigureAwait(false) is { Sealed: false })
                result.Warnings.Add($"The manifest of {id} has no seal (written by a DbBackup older than manifest seals), so its own contents cannot be checked; the payload files were.");
        }
        catch (DbBackupException e) when (e.Kind == ErrorKind.InvalidData)
        {
            // A damaged or altered manifest: nothing in it can be trusted, so nothing else is checked.
            b = new BackupRecord { Id = id };
            result.Problems.Add(e.Message);
            return Finish();
        }
        if (b.State != OperationState.Succeeded)
        {
            result.Problems.Add($"The backup is {b.State}: {b.StatusMessage}");
            return Finish();
        }
        // Encrypted: without a key (and no test restore) the stored checksums are still checked; with the
        // backup's key every chunk is authenticated too; a wrong key, or none for a test restore, is refused.
        EncryptionDataKey? dataKey = null;
        try
        {
            CheckRestorable(b);
            if (b.Encryption != null && restoreTarget == null && EncryptionKey.FromEnvironment() == null)
                result.Warnings.Add($"Backup {b.Id} is encrypted with key {b.Encryption.KeyId}, and no key is set ({EncryptionKey.Variable} or {EncryptionKey.FileVariable}): the stored checksums were checked, the chunks' authenticity was not.");
            else dataKey = DataKeyOf(b);
            result.FilesChecked = await VerifyFilesAsync(b, cancellationToken, dataKey).ConfigureAwait(false);
        }
        catch (DbBackupException e) when (e.Kind is ErrorKind.InvalidData or ErrorKind.NotSupported)
        {
            result.Problems.Add(e.Message);
            return Finish();
        }
        catch (FileNotFoundException e)
        {
            result.Problems.Add($"A payload file is missing: {e.FileName}");
            return Finish();
        }
        if (restoreTarget != null)
        {
            if (restoreTarget.Engine != b.Engine)
                throw new DbBackupException(ErrorKind.InvalidArgument, "EngineMismatch", $"Backup {id} is {b.Engine}; the verify target is {restoreTarget.Engine}.");
            var provider = Provider(b.Engine);
            var probe = await provider.ProbeAsync(restoreTarget, cancellationToken).ConfigureAwait(false);
            CheckVersion(b, probe);
            var scratch = $"dbbackup_verify_{b.Id[^6..]}_{Guid.NewGuid().ToString("N")[..6]}";
            result.ScratchDatabase = scratch;
            var target = restoreTarget.WithDatabase(scratch);
            try
            {
                var reader = PayloadReaderOf(b, dataKey);
                await provider.RestoreAsync(new RestoreRequest(target, b, DefaultJobs(null)), reader, new Progress<OperationProgress>(), cancellationToken).ConfigureAwait(false);
                result.Restored = true;
                var actual = await provider.ComputeTableStatsAsync(target, b.TableStats, cancellationToken).ConfigureAwait(false);
                foreach (var expected in b.TableStats)
                {
                    result.TablesCompared++;
                    var got = actual.FirstOrDefault(a => a.Schema == expected.Schema && a.Name == expected.Name);
                    if (got == null) result.Problems.Add($"Table {expected} is missing after the test restore.");
                    else if (got.Rows != expected.Rows) result.Problems.Add($"Table {expected}: {got.Rows} rows restored, the manifest records {expected.Rows}.");
                    else if (got.ContentChecksum != expected.ContentChecksum) result.Problems.Add($"Table {expected}: content checksum {got.ContentChecksum} differs from the manifest's {expected.ContentChecksum}.");
                    else result.TablesMatched++;
                }
            }
            catch (DbBackupException e) when (e.Kind is not ErrorKind.Cancelled and not ErrorKind.ConnectionError and not ErrorKind.AuthenticationError)
            {
                result.Problems.Add("The test restore failed: " + e.Message);
            }
            finally
            {
                await provider.DropDatabaseAsync(restoreTarget, scratch, CancellationToken.None).ConfigureAwait(false);
            }
        }
        return Finish();

        VerificationResult Finish()
        {
            result.Passed = result.Problems.Count == 0;
            result.Duration = sw.Elapsed;
            Log(result.Passed ? "Verified" : "VerifyFailed", b,
                result.Passed ? $"{result.FilesChecked} files" + (result.Restored ? $", {result.TablesMatched}/{result.TablesCompared} tables matched after a test restore" : "") : string.Join(" | ", result.Problems),
                isError: !result.Passed);
            return result;
        }
    }
}
