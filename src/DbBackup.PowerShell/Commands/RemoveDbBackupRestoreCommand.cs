using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Remove-DbBackupRestore: deletes restore records from the restore history (retention does it after
/// RestoreHistoryDays; this is the same by hand). Refuses a running restore, one whose leftovers are still to be
/// settled, and one whose safety backup is still in the repository.</summary>
[Cmdlet(VerbsCommon.Remove, "DbBackupRestore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RestoreRecord))]
public sealed class RemoveDbBackupRestoreCommand : DbBackupCmdlet
{
    /// <summary>Restore ids ("rs-…"); records from Get-DbBackupRestore bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RestoreIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Return the removed record.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Removes each id.</summary>
    protected override void ProcessRecord()
    {
        foreach (var id in Id!)
        {
            if (!ShouldProcess(ConfirmTargets.RestoreRecord(Session.Engine, id), "Remove restore record")) continue;
            try
            {
                var removed = Await(Session.Engine.RemoveRestoreAsync(id, Cancellation));
                if (PassThru) WriteObject(removed);
            }
            catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
        }
    }
}
