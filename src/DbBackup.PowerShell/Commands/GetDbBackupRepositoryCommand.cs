using System.Management.Automation;
using DbBackup.Model;

namespace DbBackup.PowerShell;

/// <summary>Get-DbBackupRepository: where the repository is, its settings, how many backups and bytes it holds.</summary>
[Cmdlet(VerbsCommon.Get, "DbBackupRepository")]
[OutputType(typeof(RepositoryInfo))]
public sealed class GetDbBackupRepositoryCommand : DbBackupCmdlet
{
    /// <summary>Writes the repository info.</summary>
    protected override void ProcessRecord()
    {
        try { WriteObject(Session.Engine.GetRepositoryInfo()); }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Repository); }
    }
}
