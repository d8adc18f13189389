using System.CommandLine;
using DbBackup.Engine;
using DbBackup.Model;

namespace DbBackup.Cli.Commands;

/// <summary>dbbackup repository show / set: the repository's settings, as Get-/Set-DbBackupRepository.</summary>
public static class RepositorySettingsCommand
{
    /// <summary>The `repository` command with its two subcommands.</summary>
    public static Command Create()
    {
        var cmd = new Command("repository", "Show or change the repository's settings (retention, restore history, restore age limit, default jobs, encryption).");
        cmd.Subcommands.Add(Show());
        cmd.Subcommands.Add(Set());
        return cmd;
    }

    private static Command Show()
    {
        var json = CliContext.Json();
        var cmd = new Command("show", "Where the repository is, its settings, how many backups and bytes it holds.") { json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            CliContext.Print(CliContext.Open(r).GetRepositoryInfo(), r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static Command Set()
    {
        var keepLast = new Option<int?>("--keep-last") { Description = "Successful manual backups kept per database (1 or more)." };
        var maxAge = new Option<int?>("--max-restore-age-days") { Description = "Refuse restoring backups older than this many days; 0 removes the limit." };
        var history = new Option<int?>("--restore-history-days") { Description = "Keep ended restores' records this many days (the newest of each database always); 0 keeps them all." };
        var jobs = new Option<int?>("--default-jobs") { Description = "Parallel connections when a command does not say (1–64); 0 means the core count." };
        var encryption = new Option<string?>("--encryption")
        {
            Description = "required: encrypt every new backup with the key in DBBACKUP_ENCRYPTION_KEY or DBBACKUP_ENCRYPTION_KEY_FILE (its id is recorded; backups without it are refused); none: new backups are not encrypted.",
        };
        var json = CliContext.Json();
        var cmd = new Command("set", "Change the repository's settings; options not given stay as they are.") { keepLast, maxAge, history, jobs, encryption, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            EncryptionMode? mode = r.GetValue(encryption) is { } text
                ? Enum.TryParse<EncryptionMode>(text, true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                    : throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidEncryptionMode", $"--encryption '{text}' is not one of required, none.") { TargetObject = text }
                : null;
            var info = CliContext.Open(r).UpdateSettings(s =>
            {
                if (r.GetValue(keepLast) is { } k) s.KeepLast = k;
                if (r.GetValue(maxAge) is { } a) s.MaxRestoreAgeDays = a == 0 ? null : a;
                if (r.GetValue(jobs) is { } j) s.DefaultJobs = j == 0 ? null : j;
                if (r.GetValue(history) is { } h) s.RestoreHistoryDays = h;
                if (mode is { } m)
                {
                    s.Encryption = m;
                    // Set again, it records the key set now (a new key for new backups).
                    s.EncryptionKeyId = null;
                }
            });
            CliContext.Print(info, r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
