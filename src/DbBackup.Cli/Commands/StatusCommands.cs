using System.CommandLine;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Cli.Commands;

/// <summary>dbbackup status / wait / cancel.</summary>
public static class StatusCommands
{
    /// <summary>status [--id ID | --engine E --host H [--port P] --database D].</summary>
    public static Command Status()
    {
        var id = CliContext.Id(false); var engine = CliContext.Engine(false); var host = CliContext.Host(false);
        var port = CliContext.Port(); var database = new Option<string?>("--database") { Description = "Database name, or a wildcard ('shop_*', quoted): one report per database of the repository's backups it matches." }; var json = CliContext.Json();
        var cmd = new Command("status", "Status of one operation (with progress) or of a target (last backup, last restore, running?).") { id, engine, host, port, database, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            var e = CliContext.Open(r);
            if (r.GetValue(id) is { } i)
            {
                CliContext.Print(e.GetOperation(i), r.GetValue(json));
                return Task.FromResult(0);
            }
            if (r.GetValue(engine) == null || r.GetValue(host) == null || r.GetValue(database) == null)
                throw new DbBackupException(ErrorKind.InvalidArgument, "StatusTargetRequired", "Give --id, or --engine, --host and --database.");
            var en = CliContext.ParseEngine(r.GetValue(engine));
            var (h, p, db) = (r.GetValue(host)!, r.GetValue(port) ?? ConnectionTarget.DefaultPort(en), r.GetValue(database)!);
            if (!DatabaseNamePattern.HasWildcards(db))
            {
                CliContext.Print(e.GetStatus(en, h, p, db), r.GetValue(json));
                return Task.FromResult(0);
            }
            // As Get-DbBackupStatus does: a wildcard reports every database of the repository's backups on
            // that server that it matches (a literal 'shop_*' target would only ever say "none").
            var names = e.ListBackups(new BackupQuery { Engine = en, Server = h, Port = p, Database = [db] })
                .Items.Select(b => b.Database).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (names.Count == 0)
                Console.Error.WriteLine($"dbbackup: warning: no backup in {e.RepositoryPath} is of a database on {en} {h}:{p} matching '{db}'.");
            var reports = names.Select(n => e.GetStatus(en, h, p, n)).ToList();
            if (r.GetValue(json)) Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(reports, DbBackup.Engine.Repository.Json.Indented));
            else foreach (var report in reports) CliContext.Print(report, json: false);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>wait --id ID [--timeout SECONDS].</summary>
    public static Command Wait()
    {
        var id = CliContext.Id(true); var json = CliContext.Json();
        var timeout = new Option<double?>("--timeout") { Description = "Give up after this many seconds (the operation keeps running)." };
        var cmd = new Command("wait", "Wait for an operation to end; exit code 0 only if it succeeded.") { id, timeout, json };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            var t = r.GetValue(timeout);
            if (t is <= 0) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidTimeout", $"--timeout must be positive; got {t}.");
            var final = await CliContext.Follow(CliContext.Open(r), r.GetValue(id)!, t is { } s ? TimeSpan.FromSeconds(s) : null, cancelOnInterrupt: false, ct);
            CliContext.Print(final, r.GetValue(json));
            return CliContext.ExitFor(final);
        }));
        return cmd;
    }

    /// <summary>cancel --id ID.</summary>
    public static Command Cancel()
    {
        var id = CliContext.Id(true); var json = CliContext.Json();
        var cmd = new Command("cancel", "Cancel a running operation; partial files are removed.") { id, json };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            var final = await CliContext.Open(r).CancelAsync(r.GetValue(id)!, ct);
            CliContext.Print(final, r.GetValue(json));
            return 0;
        }));
        return cmd;
    }
}
