using System.CommandLine;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Cli.Commands;

/// <summary>dbbackup restore.</summary>
public static class RestoreCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var id = CliContext.Id(false, "Backup to restore (bk-…).");
        var path = new Option<string?>("--path") { Description = "Restore from a .dbbackup bundle (imported first)." };
        // Engine, host, port and user default to the backup's (Restore-DbBackup's defaults): a backup restores only into its own engine.
        var engine = new Option<string?>("--engine") { Description = "postgresql or mysql (mariadb); default: the backup's engine." };
        var host = new Option<string?>("--host") { Description = "Server host name or address; default: the server the backup was taken from." };
        var port = new Option<int?>("--port") { Description = "Server port; default: the backup's when --host is not given, else 5432 / 3306." };
        var user = new Option<string?>("--user") { Description = "User name; default: the user the backup was taken as." }; var passwordEnv = CliContext.PasswordEnv(); var database = new Option<string?>("--database") { Description = "Database to replace (default: the backup's own); one name, not a wildcard." };
        var targetDatabase = new Option<string?>("--target-database") { Description = "Restore into this NEW database instead of replacing --database." };
        var table = new Option<string[]>("--table") { Description = "Restore only this table of the backup (repeatable; schema.table or table). Over an existing database only these tables are replaced.", AllowMultipleArgumentsPerToken = false };
        var force = new Option<bool>("--force") { Description = "Replace an existing database (a safety backup is taken first)." };
        var skipSafety = new Option<bool>("--skip-safety-backup") { Description = "Do not take the safety backup first. The replaced data is then gone for good." };
        var serverLocale = new Option<bool>("--use-server-locale") { Description = "PostgreSQL: create the database with the server's default locale when the server lacks the backup's." };
        var jobs = new Option<int?>("--jobs") { Description = "Parallel connections for table data." };
        var note = new Option<string?>("--note") { Description = "Note for the activity log." };
        var wait = new Option<bool>("--wait") { Description = "Follow the restore to its end (Ctrl+C cancels it)." };
        var json = CliContext.Json();
        var cmd = new Command("restore", "Restore a backup: checks first, then safety backup, restore aside, swap in (a table-subset backup or --table replaces only those tables).")
        {
            id, path, engine, host, port, user, passwordEnv, database, targetDatabase, table, force, skipSafety, serverLocale, jobs, note, wait, json,
        };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            var e = r.GetValue(wait) ? CliContext.OpenWaiting(r) : CliContext.Open(r);
            if (await e.CrossHostLockingWarningAsync(ct) is { } warning) Console.Error.WriteLine($"dbbackup: warning: {warning}");
            var record = await e.StartRestoreAsync(new RestoreOptions
            {
                BackupId = r.GetValue(id),
                BundlePath = r.GetValue(path),
                Target = await TargetAsync(e, r.GetValue(id), r.GetValue(path), r.GetValue(engine), r.GetValue(host), r.GetValue(port), r.GetValue(user), r.GetValue(database), r.GetValue(passwordEnv), ct),
                TargetDatabase = r.GetValue(targetDatabase),
                Tables = r.GetValue(table) ?? [],
                Force = r.GetValue(force),
                SkipSafetyBackup = r.GetValue(skipSafety),
                UseServerLocale = r.GetValue(serverLocale),
                Jobs = r.GetValue(jobs),
                Note = r.GetValue(note),
            }, ct);
            return await CliContext.PrintOrFollow(e, record, r.GetValue(wait), r.GetValue(json), ct);
        }));
        return cmd;
    }

    /// <summary>The target from the options, what they leave out taken from the backup (for a bundle, its manifest) by the
    /// engine's one rule, as Restore-DbBackup does (<see cref="RestoreTarget.Resolve"/>); the password from --password-env.</summary>
    private static async Task<ConnectionTarget> TargetAsync(BackupEngine e, string? id, string? path,
        string? engine, string? host, int? port, string? user, string? database, string? passwordEnv, CancellationToken ct)
    {
        var given = new RestoreTarget(engine is null ? null : CliContext.ParseEngine(engine), host, port, user, database);
        var target = await e.ResolveRestoreTargetAsync(given, id, path, ct).ConfigureAwait(false);
        return target with { Password = CliContext.Password(target.Engine, passwordEnv) };
    }
}
