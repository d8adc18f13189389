using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Remove-DbBackupPolicy: deletes policies. Their backups stay (Get-DbBackup shows their Policy).</summary>
[Cmdlet(VerbsCommon.Remove, "DbBackupPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BackupPolicy))]
public sealed class RemoveDbBackupPolicyCommand : DbBackupCmdlet
{
    /// <summary>Policy names; policies from the pipeline bind by their Name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PolicyNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Return the removed policy.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Removes each policy.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name!)
        {
            if (!ShouldProcess(name, "Remove backup policy (its backups stay)")) continue;
            try
            {
                var removed = Session.Engine.RemovePolicy(name);
                if (PassThru) WriteObject(removed);
            }
            catch (Exception e) when (Catchable(e)) { ReportError(e, name); }
        }
    }
}
