using System.Management.Automation;
using DbBackup.Engine.Policies;
using DbBackup.Model;
using DbBackup.PowerShell.Worker;

namespace DbBackup.PowerShell;

/// <summary>Register-DbBackupSchedule: makes the host's scheduler (systemd timer, cron, Task Scheduler)
/// run Invoke-DbBackupPolicy every few minutes, and returns what it wrote. -WhatIf returns the same
/// without writing.</summary>
[Cmdlet(VerbsLifecycle.Register, "DbBackupSchedule", SupportsShouldProcess = true)]
[OutputType(typeof(ScheduleRegistration))]
public sealed class RegisterDbBackupScheduleCommand : DbBackupCmdlet
{
    /// <summary>systemd, cron or task; default the host's.</summary>
    [Parameter]
    [ValidateSet("systemd", "cron", "task")]
    public string? Scheduler { get; set; }

    /// <summary>Minutes between runs: divides an hour, or whole hours dividing a day.</summary>
    [Parameter]
    [ValidateRange(1, 1440)]
    public int EveryMinutes { get; set; } = 5;

    /// <summary>Plans, then (unless -WhatIf) writes and activates.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var repository = Session.Engine.RepositoryPath;
            var psd1 = Path.Combine(Loading.ModuleAssemblyInitializer.ModuleDirectory, "DbBackup.psd1");
            string[] command = [PwshLocator.Find(), "-NoProfile", "-NonInteractive", "-Command",
                $"Import-Module '{psd1.Replace("'", "''", StringComparison.Ordinal)}'; Invoke-DbBackupPolicy -Repository '{repository.Replace("'", "''", StringComparison.Ordinal)}' -Confirm:$false"];
            var plan = ScheduleInstaller.Plan(Scheduler, EveryMinutes, command);
            var what = $"Write {string.Join(", ", plan.Files.Select(f => f.Path))} and run: {string.Join(" && ", plan.Activation)}";
            if (ShouldProcess(plan.Scheduler, what)) ScheduleInstaller.Install(plan);
            else if (!MyInvocation.BoundParameters.ContainsKey("WhatIf") && !LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"))) return;
            WriteObject(plan);
        }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Scheduler); }
    }
}
