using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>New-DbBackupPolicy: stores a policy for regular backups (target, cron schedule, labels,
/// retention tiers) in the repository, where every host sharing it sees it.</summary>
[Cmdlet(VerbsCommon.New, "DbBackupPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(BackupPolicy))]
public sealed class NewDbBackupPolicyCommand : DbBackupPolicyCmdlet
{
    /// <summary>Policy name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Engine of the server.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Database, or a pattern with * and ? matched against the server's databases at each run.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    public string? Database { get; set; }

    /// <summary>Cron expression of the backup slots.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Schedule { get; set; }

    /// <summary>Creates the policy.</summary>
    protected override void ProcessRecord()
    {
        var p = new BackupPolicy { Name = Name!, Engine = Engine, Database = Database!, Schedule = Schedule!, Server = "localhost", UserName = Environment.UserName };
        ApplyTo(p);
        if (!ShouldProcess($"{p.Name}: {p.Engine} {p.Server}/{p.Database} '{p.Schedule}'", "Create backup policy")) return;
        try { WriteObject(Session.Engine.AddPolicy(p)); }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Name); }
    }
}
