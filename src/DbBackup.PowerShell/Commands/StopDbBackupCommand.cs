using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Stop-DbBackup: cancels a running backup or restore and waits until its record says so.</summary>
[Cmdlet(VerbsLifecycle.Stop, "DbBackup", SupportsShouldProcess = true)]
[OutputType(typeof(BackupRecord), typeof(RestoreRecord))]
public sealed class StopDbBackupCommand : DbBackupCmdlet
{
    /// <summary>Operation ids.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Return the final record of each operation.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Cancels each id.</summary>
    protected override void ProcessRecord()
    {
        foreach (var id in Id!)
        {
            if (!ShouldProcess(ConfirmTargets.Operation(Session.Engine, id), "Cancel operation")) continue;
            try
            {
                var record = Await(Session.Engine.CancelAsync(id, Cancellation));
                if (PassThru) WriteObject(record);
            }
            catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
        }
    }
}
