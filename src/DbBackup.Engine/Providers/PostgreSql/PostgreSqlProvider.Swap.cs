using DbBackup.Engine.Operations;
using DbBackup.Model;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Swapping a restored copy in, and settling what a dead restore left. The swap is one
/// transaction (RENAME DATABASE is transactional), so a kill at any instant leaves either the old or
/// the new database under the name, both usable: nothing that outlives the session (such as
/// datallowconn) is changed. RENAME takes an exclusive lock on the database, so a client connecting
/// meanwhile waits and then gets "does not exist" rather than entering the wrong database.</summary>
public sealed partial class PostgreSqlProvider
{
    private static readonly TimeSpan SwapSessionsDeadline = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public async Task SwapAsync(ConnectionTarget server, string database, string replacement, CancellationToken cancellationToken)
    {
        if (string.Equals(database, replacement, StringComparison.Ordinal))
            throw new DbBackupException(ErrorKind.InvalidArgument, "SwapSameDatabase", $"Cannot swap database '{database}' with itself.");
        var retired = RestoreDatabaseNames.Retired(replacement) ?? "dbbackup_aside_" + Guid.NewGuid().ToString("N")[..16];
        await using var admin = await OpenAdminAsync(server, [database, replacement, retired], cancellationToken).ConfigureAwait(false);
        var hadOriginal = await Guard(server, "swapping databases", async () =>
        {
            if (!await DatabaseExistsAsync(admin, replacement, cancellationToken).ConfigureAwait(false))
                throw new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound",
                    $"Database '{replacement}' (the replacement) does not exist on {server.Server}:{server.Port}.") { TargetObject = replacement };
            var original = await DatabaseExistsAsync(admin, database, cancellationToken).ConfigureAwait(false);
            await RenameInOneTransactionAsync(admin, original ? database : null, retired, replacement, database, cancellationToken).ConfigureAwait(false);
            return original;
        }).ConfigureAwait(false);
        WorkerPausePoints.At("restore:swap-committed");
        if (!hadOriginal) return;
        try
        {
            await DropAsync(admin, retired, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or DbBackupException)
        {
            throw new DbBackupException(ErrorKind.ServerError, "SwapCleanupFailed",
                $"Database '{database}' was replaced, but its previous contents, renamed to '{retired}', could not be dropped: {e.Message}. Drop it by hand.", e);
        }
    }

    /// <summary>Renames <paramref name="original"/> (when given) to <paramref name="retired"/> and
    /// <paramref name="replacement"/> to <paramref name="database"/> in one transaction. Sessions on
    /// either are terminated first; one that connects again before the rename makes it fail with
    /// object_in_use, and then the whole attempt is repeated.</summary>
    private static async Task RenameInOneTransactionAsync(NpgsqlConnection admin, string? original, string retired, string replacement, string database, CancellationToken ct)
    {
        string[] busy = original == null ? [replacement] : [original, replacement];
        var deadline = DateTime.UtcNow + SwapSessionsDeadline;
        while (true)
        {
            await TerminateSessionsAsync(admin, busy, ct).ConfigureAwait(false);
            await using var tx = await admin.BeginTransactionAsync(ct).ConfigureAwait(false);
            try
            {
                if (original != null)
                    await ExecuteAsync(admin, $"ALTER DATABASE {PostgreSqlSyntax.Identifier(original)} RENAME TO {PostgreSqlSyntax.Identifier(retired)}", ct).ConfigureAwait(false);
                await ExecuteAsync(admin, $"ALTER DATABASE {PostgreSqlSyntax.Identifier(replacement)} RENAME TO {PostgreSqlSyntax.Identifier(database)}", ct).ConfigureAwait(false);
                WorkerPausePoints.At("restore:mid-swap");
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < deadline)
            {
                await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task<AbandonedRestoreCleanup> CleanUpAbandonedRestoreAsync(ConnectionTarget server, string database, string aside, bool swapStarted, CancellationToken cancellationToken)
    {
        var retired = RestoreDatabaseNames.Retired(aside);
        await using var admin = await OpenAdminAsync(server, [database, aside, retired ?? aside], cancellationToken).ConfigureAwait(false);
        return await Guard(server, $"cleaning up after a dead restore of '{database}'", async () =>
        {
            if (await DatabaseExistsAsync(admin, aside, cancellationToken).ConfigureAwait(false))
            {
                // The rename transaction never committed: the original is untouched.
                await DropAsync(admin, aside, cancellationToken).ConfigureAwait(false);
                return new AbandonedRestoreCleanup(false, $"'{database}' kept its previous contents (the swap had not committed); dropped the partly restored copy '{aside}'.");
            }
            if (retired != null && await DatabaseExistsAsync(admin, retired, cancellationToken).ConfigureAwait(false))
            {
                await DropAsync(admin, retired, cancellationToken).ConfigureAwait(false);
                return new AbandonedRestoreCleanup(true, $"The swap had committed: '{database}' holds the restored copy; dropped its previous contents '{retired}'.");
            }
            return new AbandonedRestoreCleanup(swapStarted ? true : null, null);
        }).ConfigureAwait(false);
    }
}
