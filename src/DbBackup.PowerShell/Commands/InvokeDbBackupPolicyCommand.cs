using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Invoke-DbBackupPolicy: starts every backup due now (once per schedule slot, whichever host
/// or process runs it) and applies each policy's retention. -WhatIf lists what would start and what
/// retention would remove.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "DbBackupPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(PolicyRunResult))]
public sealed class InvokeDbBackupPolicyCommand : DbBackupCmdlet
{
    /// <summary>Only policies whose name matches (wildcards); all when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PolicyNameCompleter))]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string? Name { get; set; }

    /// <summary>Runs the policies; one failing target is an error record, the others go on.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var whatIf = MyInvocation.BoundParameters.ContainsKey("WhatIf") || LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
            if (whatIf)
            {
                foreach (var r in Await(Session.Engine.RunPoliciesAsync(Name, whatIf: true, Cancellation)))
                    if (r.Outcome is "Due" or "WouldRemove")
                        ShouldProcess($"{r.Policy} {r.Database}", r.Outcome == "Due" ? $"Start backup (slot {r.Slot:u})" : $"Remove backup {r.BackupId}: {r.Message}");
                return;
            }
            if (!ShouldProcess(Name ?? "all policies", "Start the backups due now and apply retention")) return;
            foreach (var r in Await(Session.Engine.RunPoliciesAsync(Name, whatIf: false, Cancellation)))
            {
                if (r.Outcome == "Failed")
                {
                    var failure = new InvalidOperationException($"Policy {r.Policy} ({r.Database}): {r.Message}");
                    WriteError(new ErrorRecord(failure, "PolicyRunFailed", ErrorCategory.OperationStopped, r));
                }
                if (r.Outcome == "Removed") WriteVerbose($"{r.BackupId} removed. {r.Message}");
                WriteObject(r);
            }
        }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Name); }
    }
}
