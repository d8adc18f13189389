using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Remove-DbBackup: deletes a backup's files and record. Refuses a running backup, and the only
/// good backup of a target unless -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "DbBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BackupRecord))]
public sealed class RemoveDbBackupCommand : DbBackupCmdlet
{
    /// <summary>Backup ids; records from the pipeline bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Also remove the last good backup of a target.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return the removed record.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Removes each id.</summary>
    protected override void ProcessRecord()
    {
        foreach (var id in Id!)
        {
            if (!ShouldProcess(Target(id), "Remove backup")) continue;
            try
            {
                var removed = Await(Session.Engine.RemoveAsync(id, Force, Cancellation));
                if (PassThru) WriteObject(removed);
            }
            catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
        }
    }

    // -WhatIf/-Confirm name the database and time, not only the id, so the user knows what goes;
    // an unknown id stays as typed (RemoveAsync then reports it).
    private string Target(string id)
    {
        var b = Session.Engine.ListBackups(new DbBackup.Engine.Operations.BackupQuery { Id = id }).Items.FirstOrDefault();
        return b == null ? id : $"{id} ({b.Engine} {b.Server}:{b.Port}/{b.Database}, taken {b.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ssZ})";
    }
}
