using System.CommandLine;
using DbBackup.Cli;
using DbBackup.Cli.Commands;

var root = new RootCommand("dbbackup — take, track, download, restore and prune logical backups of PostgreSQL and MySQL/MariaDB databases.")
{
    BackupCommand.Create(),
    StatusCommands.Status(),
    RepositoryCommands.List(),
    StatusCommands.Wait(),
    StatusCommands.Cancel(),
    RepositoryCommands.Save(),
    RepositoryCommands.Import(),
    CopyCommand.Create(),
    RestoreCommand.Create(),
    RepositoryCommands.Remove(),
    RepositoryCommands.Verify(),
    RepositoryCommands.Log(),
    RepositoryCommands.Restores(),
    PolicyCommands.Create(),
    RepositorySettingsCommand.Create(),
    PolicyCommands.Hold(true),
    PolicyCommands.Hold(false),
    WorkerCommand.Create(),
};
root.Options.Add(CliContext.Repository);
root.Options.Add(CliContext.DebugTimings);
var parsed = root.Parse(args);
if (parsed.GetValue(CliContext.DebugTimings)) DbBackup.Engine.DebugTimings.Enabled = true;
DbBackup.Engine.DebugTimings.Mark("arguments parsed");
// The commands that talk to a database server over TLS load the trust store meanwhile (TrustStoreWarmUp says why).
if (parsed.Errors.Count == 0 && parsed.CommandResult.Command.Name is "backup" or "restore" or "verify" or "worker")
    DbBackup.Engine.Providers.TrustStoreWarmUp.Start();
if (parsed.Errors.Count > 0)
{
    // An unknown command or option, a missing required option or an unparsable value is a bad
    // argument (exit 2, as for every InvalidArgument), never 1, which means "the operation ended Failed".
    foreach (var error in parsed.Errors)
        Console.Error.WriteLine($"dbbackup: InvalidArgument: {CliParseErrors.Readable(CliParseErrors.WithoutPasswords(error.Message, args))}");
    if (CliParseErrors.PasswordHint(args) is { } hint) Console.Error.WriteLine($"dbbackup: {hint}");
    var command = parsed.CommandResult.Command;
    Console.Error.WriteLine($"Run 'dbbackup{(command == root ? "" : " " + command.Name)} --help' for the accepted commands and options.");
    return CliErrors.ExitCode(DbBackup.Engine.ErrorKind.InvalidArgument);
}
// Ctrl+C / SIGTERM cancel the command's token; a `--wait` command then cancels its operation and waits
// for the worker running in this process to record Cancelled and release its lock. The library's default
// of 2 s before it ends the process anyway cut that short on a busy machine, leaving the operation to be
// found abandoned (Failed) and its lock file behind. 30 s: a cancel takes well under a second when idle.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
