using System.CommandLine;

namespace DbBackup.Cli.Commands;

/// <summary>dbbackup restore.</summary>
public static class RestoreCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var id = CliContext.Id(false, "Backup to restore (bk-…).");
        var path = new Option<string?>("--path") { Description = "Restore from a .dbbackup bundle (imported first)." };
        var engine = CliContext.Engine(true); var host = CliContext.Host(true); var port = CliContext.Port();
        var user = CliContext.User(true); var passwordEnv = CliContext.PasswordEnv(); var database = new Option<string?>("--database") { Description = "Database to replace (default: the backup's own); one name, not a wildcard." };
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
            var record = await e.StartRestoreAsync(new DbBackup.Engine.Operations.RestoreOptions
            {
                BackupId = r.GetValue(id),
                BundlePath = r.GetValue(path),
                Target = CliContext.Target(r.GetValue(engine), r.GetValue(host), r.GetValue(port), r.GetValue(user), r.GetValue(database), r.GetValue(passwordEnv)),
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
}
