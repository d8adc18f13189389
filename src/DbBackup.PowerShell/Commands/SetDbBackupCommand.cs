using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Set-DbBackup: puts a hold on backups (-Hold; legal or pre-change holds: retention never
/// removes them) or releases it (-Hold:$false).</summary>
[Cmdlet(VerbsCommon.Set, "DbBackup", SupportsShouldProcess = true)]
[OutputType(typeof(BackupRecord))]
public sealed class SetDbBackupCommand : DbBackupCmdlet
{
    /// <summary>Backup ids; records from the pipeline bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>-Hold sets the hold; -Hold:$false releases it.</summary>
    [Parameter(Mandatory = true)]
    public SwitchParameter Hold { get; set; }

    /// <summary>Return the changed record.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Sets or releases each hold.</summary>
    protected override void ProcessRecord()
    {
        foreach (var id in Id!)
        {
            if (!ShouldProcess(id, Hold ? "Put a hold on backup (retention never removes it)" : "Release the hold of backup")) continue;
            try
            {
                var b = Session.Engine.SetHold(id, Hold);
                if (PassThru) WriteObject(b);
            }
            catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
        }
    }
}
