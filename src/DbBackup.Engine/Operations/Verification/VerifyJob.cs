using System.Diagnostics;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Verifying a stored backup: every file re-hashed (and, with the key, every chunk
/// authenticated); with a target, a test restore into a scratch database compared with the manifest.</summary>
internal sealed class VerifyJob(EngineContext context)
{
    /// <summary>Re-hashes every file; with a target, restores into a scratch database and compares
    /// row counts and content checksums with the manifest, then drops the scratch database.</summary>
    public async Task<VerificationResult> VerifyAsync(string id, ConnectionTarget? restoreTarget, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        BackupRecord b;
        var result = new VerificationResult { BackupId = id };
        try
        {
            b = context.Records.GetBackup(id);
            if (await context.Repository.TryReadBackupSealedAsync(id, cancellationToken).ConfigureAwait(false) is { Sealed: false })
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
            context.Payloads.CheckRestorable(b);
            if (b.Encryption != null && restoreTarget == null && EncryptionKey.FromEnvironment() == null)
                result.Warnings.Add($"Backup {b.Id} is encrypted with key {b.Encryption.KeyId}, and no key is set ({EncryptionKey.Variable} or {EncryptionKey.FileVariable}): the stored checksums were checked, the chunks' authenticity was not.");
            else dataKey = EncryptionKeys.DataKeyOf(b);
            result.FilesChecked = await context.Payloads.VerifyFilesAsync(b, cancellationToken, dataKey).ConfigureAwait(false);
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
            var provider = context.Provider(b.Engine);
            var probe = await provider.ProbeAsync(restoreTarget, cancellationToken).ConfigureAwait(false);
            RestorePlanner.CheckVersion(b, probe);
            var scratch = $"dbbackup_verify_{b.Id[^6..]}_{Guid.NewGuid().ToString("N")[..6]}";
            result.ScratchDatabase = scratch;
            var target = restoreTarget.WithDatabase(scratch);
            try
            {
                var reader = context.Payloads.PayloadReaderOf(b, dataKey);
                await provider.RestoreAsync(new RestoreRequest(target, b, context.DefaultJobs(null)), reader, new Progress<OperationProgress>(), cancellationToken).ConfigureAwait(false);
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
            context.Log(result.Passed ? "Verified" : "VerifyFailed", b,
                result.Passed ? $"{result.FilesChecked} files" + (result.Restored ? $", {result.TablesMatched}/{result.TablesCompared} tables matched after a test restore" : "") : string.Join(" | ", result.Problems),
                isError: !result.Passed);
            return result;
        }
    }
}
