using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Cli.Commands;

/// <summary>dbbackup copy (--id ID... | filters [--first N]) --to REPOSITORY [--json].</summary>
public static class CopyCommand
{
    /// <summary>copy.</summary>
    public static Command Create()
    {
        var id = new Option<string[]>("--id") { Description = "Backup id to copy; repeat for several. Without it, the filters choose (every Succeeded backup when none is given)." };
        var to = new Option<string>("--to") { Description = "Destination repository: a folder, s3://bucket/prefix, azure://container/prefix or a blob URL.", Required = true };
        var engine = CliContext.Engine(false); var host = CliContext.Host(false); var port = CliContext.Port(); var database = CliContext.Database(false);
        var label = new Option<string[]>("--label") { Description = "key=value; repeat to require several." };
        var first = new Option<int?>("--first") { Description = "Only the newest N matching Succeeded backups." };
        var json = CliContext.Json();
        var cmd = new Command("copy", "Copy backups into another repository (local ↔ Azure ↔ S3), re-verifying every checksum; a backup already there is skipped.")
            { id, to, engine, host, port, database, label, first, json };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            var ids = r.GetValue(id) ?? [];
            var filtered = r.GetValue(engine) != null || r.GetValue(host) != null || r.GetValue(port) != null || r.GetValue(database) != null || r.GetValue(label) is { Length: > 0 } || r.GetValue(first) != null;
            if (ids.Length > 0 && filtered)
                throw new DbBackupException(ErrorKind.InvalidArgument, "CopyIdWithFilter", "Give either --id or the filters (--engine, --host, --port, --database, --label, --first), not both.");
            if (r.GetValue(first) is < 1)
                throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"--first must be 1 or more; got {r.GetValue(first)}.") { TargetObject = r.GetValue(first) };
            if (string.IsNullOrWhiteSpace(r.GetValue(to)))
                throw new DbBackupException(ErrorKind.InvalidArgument, "CopyDestinationRequired", "--to is empty; give the destination repository (a folder, s3://bucket/prefix or azure://container/prefix).");
            var source = CliContext.Open(r);
            var destination = new BackupRepository(r.GetValue(to));
            if (ids.Length == 0)
            {
                var selected = source.SelectBackupsToCopy(new BackupQuery
                {
                    Engine = r.GetValue(engine) is { } en ? CliContext.ParseEngine(en) : null,
                    Server = r.GetValue(host),
                    Port = r.GetValue(port),
                    Database = CliContext.Patterns(r.GetValue(database)),
                    Labels = r.GetValue(label) is { Length: > 0 } l ? CliContext.Labels(l) : null,
                    First = r.GetValue(first),
                });
                ids = selected.Select(b => b.Id).ToArray();
            }
            if (await source.CopyDestinationWarningAsync(destination, ct) is { } warning) Console.Error.WriteLine($"dbbackup: warning: {warning}");
            var results = new List<BackupCopyResult>();
            var exit = 0;
            foreach (var one in ids)
            {
                try
                {
                    var result = await source.CopyAsync(one, destination, ct);
                    results.Add(result);
                    if (!r.GetValue(json)) Console.Out.WriteLine(Describe(result));
                }
                catch (DbBackupException e) when (ids.Length > 1)
                {
                    // One failed backup does not stop the others; the exit code is the worst one seen.
                    Console.Error.WriteLine($"dbbackup: {e.ErrorId}: {one}: {CallerWording.ForCli(e.Message)}");
                    exit = Math.Max(exit, CliErrors.ExitCode(e.Kind));
                }
            }
            if (r.GetValue(json))
                Console.Out.WriteLine(r.GetValue(id) is { Length: 1 }
                    ? JsonSerializer.Serialize(results[0], Json.Indented)
                    : JsonSerializer.Serialize(results, Json.Indented));
            return exit;
        }));
        return cmd;
    }

    /// <summary>One line per backup: what happened, how much, where to.</summary>
    private static string Describe(BackupCopyResult c) => c.Outcome == CopyOutcome.Copied
        ? $"{c.BackupId}  Copied   {c.FilesCopied} files  {TextFormat.Size(c.BytesCopied)}  {c.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s  → {c.Destination}"
        : $"{c.BackupId}  Skipped  already in {c.Destination} (same id, target, time and payload)";
}
