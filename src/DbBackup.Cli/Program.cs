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
    RestoreCommand.Create(),
    RepositoryCommands.Remove(),
    RepositoryCommands.Verify(),
    RepositoryCommands.Log(),
    WorkerCommand.Create(),
};
root.Options.Add(CliContext.Repository);
return await root.Parse(args).InvokeAsync();
