using System.Management.Automation;
using DbBackup.Engine.Providers;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Test-DbBackup: re-hashes every file of a backup; with -Restore also restores it into a
/// scratch database (dropped afterwards) and compares every table with the manifest. With -Latest it
/// tests the newest good backup of each matching database, as dbatools' Test-DbaLastBackup does.</summary>
[Cmdlet(VerbsDiagnostic.Test, "DbBackup", DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(VerificationResult))]
public sealed class TestDbBackupCommand : DbBackupCmdlet
{
    private const string ByIdSet = "ById";
    private const string LatestSet = "Latest";

    /// <summary>Backup ids; records from the pipeline bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Test the newest Succeeded backup of each database matching -Engine, -Server, -Port and -Database.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    public SwitchParameter Latest { get; set; }

    /// <summary>With -Latest: the databases whose newest backup is tested (a wildcard pattern); default all.</summary>
    [Parameter(ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    public string[]? Database { get; set; }

    /// <summary>Also test-restore into a scratch database on the backup's server (or the one named).</summary>
    [Parameter]
    public SwitchParameter Restore { get; set; }

    /// <summary>Engine of the server for -Restore; default the backup's.</summary>
    [Parameter]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Server for -Restore; default the backup's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Port for -Restore.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>A password-free connection string naming the server for -Restore.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>User name and password for the -Restore server (it must be allowed to create databases).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Verifies each id, or with -Latest the newest good backup of each matching database.</summary>
    protected override void ProcessRecord()
    {
        IEnumerable<string> ids;
        try { ids = Latest ? LatestIds() : Id!; }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Database); return; }
        foreach (var id in ids)
        {
            try
            {
                var session = Session;
                ConnectionTarget? target = null;
                if (Restore)
                {
                    var backup = session.Engine.GetBackup(id);
                    target = new TargetSpec
                    {
                        Engine = MyInvocation.BoundParameters.ContainsKey(nameof(Engine)) ? Engine : null,
                        Server = Server,
                        Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null,
                        Credential = Credential,
                        ConnectionString = ConnectionString,
                    }.Build(new ConnectionTarget(backup.Engine, backup.Server, backup.Port, backup.UserName, backup.Database), requireDatabase: false);
                }
                WriteVerbose($"Testing backup {id}" + (target is null ? "" : $" by a restore on {target.Engine} {target.Server}:{target.Port}"));
                var result = Await(session.Engine.VerifyAsync(id, target, Cancellation));
                foreach (var problem in result.Problems) WriteVerbose($"{id}: {problem}");
                foreach (var warning in result.Warnings) WriteWarning($"{id}: {DbBackup.Engine.CallerWording.ForPowerShell(warning)}");
                WriteObject(result);
            }
            catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
        }
    }

    /// <summary>The newest Succeeded backup of each database (engine, server, port, name) that the filters
    /// select; the -Engine/-Server/-Port given also name the server of the -Restore, as they name the
    /// server the backups came from.</summary>
    private List<string> LatestIds()
    {
        var backups = Session.Engine.ListBackups(new DbBackup.Engine.Operations.BackupQuery
        {
            Engine = MyInvocation.BoundParameters.ContainsKey(nameof(Engine)) ? Engine : null,
            Server = Server,
            Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null,
            State = OperationState.Succeeded,
            Database = Database,
        }).Items;
        var newest = backups
            .GroupBy(b => (b.Engine, Server: ServerNames.Canonical(b.Server), b.Port, b.Database))
            .Select(g => g.First())   // the list is newest first
            .Select(b => b.Id).ToList();
        if (newest.Count == 0)
            WriteWarning($"No Succeeded backup matches {(Database is null ? "" : $"-Database '{string.Join("', '", Database)}' ")}in {Session.Engine.RepositoryPath}; nothing was tested.");
        return newest;
    }
}
