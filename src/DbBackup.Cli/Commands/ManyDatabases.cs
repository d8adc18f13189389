using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;

namespace DbBackup.Cli.Commands;

/// <summary>`dbbackup backup` over several databases: one backup each, at most the throttle limit at
/// once. A database that cannot start is reported on stderr and the others go on; the exit code is
/// the worst one seen. Output is a JSON array (or one text line per backup) in database order.</summary>
internal static class ManyDatabases
{
    public static async Task<int> RunAsync(BackupEngine engine, IReadOnlyList<BackupOptions> backups, int limit, bool wait, bool json, CancellationToken ct)
    {
        var active = new List<string>();
        var started = new List<BackupRecord>();
        var exit = 0;
        foreach (var options in backups)
        {
            await engine.WaitForFreeSlotAsync(active, limit, ct).ConfigureAwait(false);
            try
            {
                var record = await engine.StartBackupAsync(options, ct).ConfigureAwait(false);
                active.Add(record.Id);
                started.Add(record);
                if (!wait && !json) CliContext.Print(record, json: false);
            }
            catch (DbBackupException e)
            {
                Console.Error.WriteLine($"dbbackup: {e.ErrorId}: {options.Target.Database}: {CallerWording.ForCli(e.Message)}");
                exit = Math.Max(exit, CliErrors.ExitCode(e.Kind));
            }
        }
        IReadOnlyList<IOperationRecord> results = started;
        if (wait)
        {
            var finals = new List<IOperationRecord>();
            try
            {
                foreach (var r in started) finals.Add(await engine.WaitAsync(r.Id, null, null, ct).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"\nInterrupted: cancelling {string.Join(", ", started.Select(s => s.Id))}…");
                foreach (var r in started) await engine.CancelAsync(r.Id, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            foreach (var f in finals) exit = Math.Max(exit, CliContext.ExitFor(f));
            results = finals;
            if (!json) foreach (var f in finals) CliContext.Print(f, json: false);
        }
        if (json) CliContext.PrintAll(results);
        return exit;
    }
}
