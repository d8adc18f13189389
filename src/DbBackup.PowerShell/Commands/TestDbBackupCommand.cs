using System.Management.Automation;
using DbBackup.Engine.Providers;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Test-DbBackup: re-hashes every file of a backup; with -Restore also restores it into a
/// scratch database (dropped afterwards) and compares every table with the manifest.</summary>
[Cmdlet(VerbsDiagnostic.Test, "DbBackup")]
[OutputType(typeof(VerificationResult))]
public sealed class TestDbBackupCommand : DbBackupCmdlet
{
    /// <summary>Backup ids; records from the pipeline bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

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

    /// <summary>Verifies each id.</summary>
    protected override void ProcessRecord()
    {
        foreach (var id in Id!)
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
                var result = Await(session.Engine.VerifyAsync(id, target, Cancellation));
                foreach (var problem in result.Problems) WriteVerbose($"{id}: {problem}");
                foreach (var warning in result.Warnings) WriteWarning($"{id}: {DbBackup.Engine.CallerWording.ForPowerShell(warning)}");
                WriteObject(result);
            }
            catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
        }
    }
}
