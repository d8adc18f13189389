using System.CommandLine;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Cli.Commands;

/// <summary>dbbackup list / save / import / remove / log / verify.</summary>
public static class RepositoryCommands
{
    /// <summary>list.</summary>
    public static Command List()
    {
        var engine = CliContext.Engine(false); var host = CliContext.Host(false); var port = CliContext.Port(); var database = CliContext.Database(false);
        var state = new Option<string?>("--state") { Description = "Pending, Running, Succeeded, Failed or Cancelled." };
        var kind = new Option<string?>("--kind") { Description = "Manual, SafetyBeforeRestore or Imported." };
        var label = new Option<string[]>("--label") { Description = "key=value; repeat to require several." };
        var first = new Option<int?>("--first") { Description = "Items per page (1–100; default 25)." };
        var skip = new Option<int?>("--skip") { Description = "Items to skip." };
        var json = CliContext.Json();
        var cmd = new Command("list", "List backups, newest first.") { engine, host, port, database, state, kind, label, first, skip, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            var f = r.GetValue(first) ?? 25;
            if (f is < 1 or > 100) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"--first must be between 1 and 100; got {f}.") { TargetObject = f };
            var s = r.GetValue(skip) ?? 0;
            if (s < 0) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"--skip must be 0 or more; got {s}.") { TargetObject = s };
            OperationState? st = null;
            if (r.GetValue(state) is { } sv)
                st = Enum.TryParse<OperationState>(sv, true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                    : throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidState", $"--state '{sv}' is not one of {string.Join(", ", Enum.GetNames<OperationState>())}.") { TargetObject = sv };
            BackupKind? k = null;
            if (r.GetValue(kind) is { } kv)
                k = Enum.TryParse<BackupKind>(kv, true, out var parsedKind) && Enum.IsDefined(parsedKind) ? parsedKind
                    : throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidKind", $"--kind '{kv}' is not one of {string.Join(", ", Enum.GetNames<BackupKind>())}.") { TargetObject = kv };
            var e = CliContext.Open(r);
            var page = e.ListBackups(new BackupQuery
            {
                Engine = r.GetValue(engine) is { } en ? CliContext.ParseEngine(en) : null,
                Server = r.GetValue(host),
                Port = r.GetValue(port),
                Database = CliContext.Patterns(r.GetValue(database)),
                State = st,
                Kind = k,
                Labels = r.GetValue(label) is { Length: > 0 } l ? CliContext.Labels(l) : null,
                First = f,
                Skip = s,
                CheckPayloads = true,
            });
            // Stderr, so --json output stays parseable while a damaged backup is still reported.
            foreach (var problem in e.Repository.DescribeUnreadableBackups())
                Console.Error.WriteLine($"dbbackup: warning: skipped an unreadable backup: {CallerWording.ForCli(problem)}");
            foreach (var damage in e.Repository.DescribeDamagedBackups())
                Console.Error.WriteLine($"dbbackup: warning: {CallerWording.ForCli(damage)} Restore refuses it; verify names every bad file.");
            CliContext.Print(page, r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>save --id ID --path FILE [--force].</summary>
    public static Command Save()
    {
        var id = CliContext.Id(true, "Backup to write (bk-…)."); var json = CliContext.Json();
        var path = new Option<string>("--path") { Description = "Bundle file to write (.dbbackup).", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var cmd = new Command("save", "Write a backup as one bundle file (checksums re-checked while copying).") { id, path, force, json };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            var file = await CliContext.Open(r).SaveAsync(r.GetValue(id)!, r.GetValue(path)!, r.GetValue(force), ct);
            CliContext.Print(r.GetValue(json) ? new { file.FullName, file.Length } : file, r.GetValue(json));
            return 0;
        }));
        return cmd;
    }

    /// <summary>import --path FILE.</summary>
    public static Command Import()
    {
        var path = new Option<string>("--path") { Description = "A .dbbackup bundle or a copied backup folder.", Required = true };
        var json = CliContext.Json();
        var cmd = new Command("import", "Import a bundle or backup folder into the repository (validated first).") { path, json };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            CliContext.Print(await CliContext.Open(r).ImportAsync(r.GetValue(path)!, ct), r.GetValue(json));
            return 0;
        }));
        return cmd;
    }

    /// <summary>remove --id ID [--force]: a backup (bk-…), or a restore's record (rs-…).</summary>
    public static Command Remove()
    {
        var id = CliContext.Id(true); var json = CliContext.Json();
        var force = new Option<bool>("--force") { Description = "Also remove the only successful backup of a database (backups only)." };
        var cmd = new Command("remove", "Delete a backup's files and record, or a restore's record (an rs-… id).") { id, force, json };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            // Ids say what they name, as status and cancel read them: a restore id removes that restore's record.
            var engine = CliContext.Open(r);
            var which = r.GetValue(id)!;
            if (Ids.IsRestoreId(which)) CliContext.Print(await engine.RemoveRestoreAsync(which, ct), r.GetValue(json));
            else CliContext.Print(await engine.RemoveAsync(which, r.GetValue(force), ct), r.GetValue(json));
            return 0;
        }));
        return cmd;
    }

    /// <summary>log [--database D] [--first N].</summary>
    public static Command Log()
    {
        var database = CliContext.Database(false); var json = CliContext.Json();
        var id = CliContext.Id(false);
        var first = new Option<int?>("--first") { Description = "Newest N entries (default 50)." };
        var since = new Option<string?>("--since") { Description = "Entries at or after this ISO-8601 instant." };
        var cmd = new Command("log", "Show the activity log, newest first.") { database, id, first, since, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            var f = r.GetValue(first) ?? 50;
            if (f < 1) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"--first must be 1 or more; got {f}.");
            CliContext.Print(CliContext.Open(r).ReadActivity(new ActivityQuery { Database = CliContext.Patterns(r.GetValue(database)), Id = r.GetValue(id), First = f, Since = BackupCommand.ParseSince(r.GetValue(since)) }), r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>restores: the restore history, newest first.</summary>
    public static Command Restores()
    {
        var id = new Option<string?>("--id") { Description = "A restore id (rs-…), or a backup id (bk-…) for the restores of that backup." };
        var engine = CliContext.Engine(false); var host = CliContext.Host(false); var port = CliContext.Port();
        var database = new Option<string?>("--database") { Description = "Only restores that wrote this database." };
        var source = new Option<string?>("--source-database") { Description = "Only restores of backups of this database." };
        var first = new Option<int?>("--first") { Description = "Items per page (1–100; default 25)." };
        var skip = new Option<int?>("--skip") { Description = "Items to skip." };
        var json = CliContext.Json();
        var cmd = new Command("restores", "List restores, newest first (the restore history).") { id, engine, host, port, database, source, first, skip, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            var f = r.GetValue(first) ?? 25;
            if (f is < 1 or > 100) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"--first must be between 1 and 100; got {f}.") { TargetObject = f };
            var s = r.GetValue(skip) ?? 0;
            if (s < 0) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"--skip must be 0 or more; got {s}.") { TargetObject = s };
            var given = r.GetValue(id);
            var ofBackup = given is not null && Ids.IsBackupId(given);
            var e = CliContext.Open(r);
            var page = e.ListRestores(new RestoreQuery
            {
                Id = ofBackup ? null : given,
                BackupId = ofBackup ? given : null,
                Engine = r.GetValue(engine) is { } en ? CliContext.ParseEngine(en) : null,
                Server = r.GetValue(host),
                Port = r.GetValue(port),
                Database = CliContext.Patterns(r.GetValue(database)),
                SourceDatabase = CliContext.Patterns(r.GetValue(source)),
                First = f,
                Skip = s,
            });
            foreach (var problem in e.Repository.DescribeUnreadableRestores())
                Console.Error.WriteLine($"dbbackup: warning: skipped an unreadable restore record: {CallerWording.ForCli(problem)}");
            CliContext.Print(page, r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>verify --id ID [--restore --engine E --host H --user U ...].</summary>
    public static Command Verify()
    {
        var id = CliContext.Id(true, "Backup to verify (bk-…)."); var json = CliContext.Json();
        var restore = new Option<bool>("--restore") { Description = "Also restore into a scratch database and compare every table with the manifest." };
        var engine = CliContext.Engine(false); var host = CliContext.Host(false); var port = CliContext.Port(); var user = CliContext.User(false); var passwordEnv = CliContext.PasswordEnv();
        var cmd = new Command("verify", "Re-check every checksum; with --restore, test-restore and compare.") { id, restore, engine, host, port, user, passwordEnv, json };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            var e = CliContext.Open(r);
            ConnectionTarget? target = null;
            if (r.GetValue(restore))
            {
                var b = e.GetBackup(r.GetValue(id)!);
                var engineName = r.GetValue(engine) ?? b.Engine.ToString();
                if (r.GetValue(host) == null || r.GetValue(user) == null)
                    throw new DbBackupException(ErrorKind.InvalidArgument, "VerifyTargetRequired", "--restore needs --host and --user (and the password through --password-env or the engine's variable).");
                target = CliContext.Target(engineName, r.GetValue(host), r.GetValue(port), r.GetValue(user), b.Engine == DatabaseEngine.PostgreSql ? "postgres" : "mysql", r.GetValue(passwordEnv));
            }
            var result = await e.VerifyAsync(r.GetValue(id)!, target, ct);
            CliContext.Print(result, r.GetValue(json));
            return result.Passed ? 0 : CliErrors.ExitCode(ErrorKind.InvalidData);
        }));
        return cmd;
    }
}
