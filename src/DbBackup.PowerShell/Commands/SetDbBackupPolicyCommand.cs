using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Set-DbBackupPolicy: changes the given fields of a policy; the others stay as they are.</summary>
[Cmdlet(VerbsCommon.Set, "DbBackupPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(BackupPolicy))]
public sealed class SetDbBackupPolicyCommand : DbBackupPolicyCmdlet
{
    /// <summary>The policy; policies from the pipeline bind by their Name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PolicyNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Engine of the server.</summary>
    [Parameter]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Database or pattern.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    public string? Database { get; set; }

    /// <summary>Cron expression of the backup slots.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Schedule { get; set; }

    /// <summary>False pauses the policy (it starts nothing; retention still applies); true resumes it.</summary>
    [Parameter]
    public bool Enabled { get; set; }

    /// <summary>Return the changed policy.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Applies the bound fields.</summary>
    protected override void ProcessRecord()
    {
        var changed = MyInvocation.BoundParameters.Keys.Where(k => k is not (nameof(Name) or nameof(PassThru) or nameof(Repository) or "WhatIf" or "Confirm")
            && !CommonParameters.Contains(k) && k != "ProgressAction").ToList();
        if (!ShouldProcess(Name!, changed.Count == 0 ? "Keep backup policy as it is" : "Set " + string.Join(", ", changed) + " of backup policy")) return;
        try
        {
            var p = Session.Engine.UpdatePolicy(Name!, p =>
            {
                if (Bound(nameof(Engine))) p.Engine = Engine;
                if (Database is not null) p.Database = Database;
                if (Schedule is not null) p.Schedule = Schedule;
                if (Bound(nameof(Enabled))) p.Enabled = Enabled;
                ApplyTo(p);
            });
            if (PassThru) WriteObject(p);
        }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Name); }
    }
}
