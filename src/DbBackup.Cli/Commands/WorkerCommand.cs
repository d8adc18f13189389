using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DbBackup.Cli.Commands;

/// <summary>Hidden `dbbackup worker`: the detached process that runs one operation. Reads the password
/// from stdin, ignores terminal signals (it must outlive its caller), treats SIGTERM as a cancel.</summary>
public static class WorkerCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var id = CliContext.Id(true);
        var cmd = new Command("worker", "Internal: run one operation (started by backup/restore).") { id };
        cmd.Hidden = true;
        cmd.SetAction(async (r, _) =>
        {
            WorkerSecrets? secrets = null;
            try { secrets = JsonSerializer.Deserialize<WorkerSecrets>(Console.In.ReadLine() ?? "{}"); }
            catch (JsonException) { }
            using var cts = new CancellationTokenSource();
            using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => c.Cancel = true);
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
            using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
            // Nothing may be written to the caller's (possibly closed) pipes.
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
            try
            {
                await CliContext.Open(r).RunWorkerAsync(r.GetValue(id)!, secrets?.Password, cts.Token);
                return 0;
            }
            catch (Exception)
            {
                return 1;
            }
        });
        return cmd;
    }
}
