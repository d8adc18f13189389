using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The server a restore writes to as the caller named it (dbbackup restore's --engine, --host, --port,
/// --user, --database; Restore-DbBackup's -Engine, -Server, -Port, -Credential, -Database or connection string),
/// each part null when not given, and the one rule both front ends fill in the rest by (<see cref="Resolve"/>).</summary>
public sealed record RestoreTarget(DatabaseEngine? Engine, string? Server, int? Port, string? UserName, string? Database)
{
    /// <summary>What is left out comes from <paramref name="source"/>, the server the backup was taken from: its
    /// engine (a backup restores only into its own, so even when another host is named), server and user, and its
    /// port only when the server is left out too and the engine is the backup's (another server gets the engine's
    /// default port). With no source, a missing engine, server or user is a <c>MissingArgument</c> naming it.</summary>
    public ConnectionTarget Resolve(ConnectionTarget? source)
    {
        var engine = Engine ?? source?.Engine ?? throw Missing("--engine / -Engine");
        var server = Server ?? source?.Server ?? throw Missing("--host / -Server");
        var sameServer = Server is null && engine == source?.Engine;
        var port = Port ?? (sameServer ? source!.Port : ConnectionTarget.DefaultPort(engine));
        var user = UserName ?? source?.UserName ?? throw Missing("--user / -Credential");
        return new ConnectionTarget(engine, server, port, user, Database ?? source?.Database ?? "");
    }

    /// <summary>The server <paramref name="backup"/> was taken from, as <see cref="Resolve"/>'s source. No database:
    /// a restore left without one replaces the backup's own, which the restore planner decides.</summary>
    public static ConnectionTarget SourceOf(BackupRecord backup) => new(backup.Engine, backup.Server, backup.Port, backup.UserName, "");

    /// <summary>Resolves against the backup <paramref name="backupId"/> or the bundle at <paramref name="bundlePath"/>
    /// (its manifest, read without importing it, so a plan changes nothing). Neither is read when nothing is missing,
    /// nor when both are named: that request is refused by the restore itself (RestoreSourceRequired).</summary>
    internal async Task<ConnectionTarget> ResolveAsync(string? backupId, string? bundlePath, Func<string, BackupRecord> getBackup,
        Func<string, CancellationToken, Task<BackupRecord>> readBundleManifest, CancellationToken cancellationToken)
    {
        if (Engine is not null && Server is not null && UserName is not null || (backupId is null) == (bundlePath is null))
            return Resolve(null);
        var backup = backupId is not null ? getBackup(backupId) : await readBundleManifest(bundlePath!, cancellationToken).ConfigureAwait(false);
        return Resolve(SourceOf(backup));
    }

    // The engine names both front ends' options; each renders the message in its caller's language (CallerWording).
    private static DbBackupException Missing(string option)
        => new DbBackupException(ErrorKind.InvalidArgument, "MissingArgument",
            $"{option} is required when neither --id / -Id nor --path / -Path names the backup to take it from.");
}
