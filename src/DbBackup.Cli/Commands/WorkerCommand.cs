using System.CommandLine;
using DbBackup.Engine.Operations;

namespace DbBackup.Cli.Commands;

/// <summary>Hidden `dbbackup worker`: the detached process that runs one operation, speaking the engine's
/// <see cref="WorkerProcess"/> protocol (password on stdin, SIGTERM cancels, terminal signals ignored).</summary>
public static class WorkerCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var id = CliContext.Id(true);
        var cmd = new Command("worker", "Internal: run one operation (started by backup/restore).") { id };
        cmd.Hidden = true;
        cmd.SetAction(r =>
        {
            // Nothing may be written to the caller's (possibly closed) pipes.
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
            return WorkerProcess.Run(() => CliContext.Open(r), r.GetValue(id)!);
        });
        return cmd;
    }
}
