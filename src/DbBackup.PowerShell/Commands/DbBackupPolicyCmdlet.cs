using System.Collections;
using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;

namespace DbBackup.PowerShell;

/// <summary>The policy fields New-DbBackupPolicy and Set-DbBackupPolicy share, and how the bound ones
/// are applied to a policy (Set leaves the others as they are; a -Keep* of 0 unsets that tier).</summary>
public abstract class DbBackupPolicyCmdlet : DbBackupCmdlet
{
    /// <summary>Host name or address of the server.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>TCP port; default 5432 (PostgreSQL) or 3306 (MySQL).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>User the backups connect as (the password is never stored).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    /// <summary>Tables to back up; all when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Table { get; set; }

    /// <summary>Time zone of the schedule and of the retention periods (IANA id; default UTC).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TimeZone { get; set; }

    /// <summary>Labels put on every backup of the policy.</summary>
    [Parameter]
    [LabelArgument]
    public Hashtable? Label { get; set; }

    /// <summary>Keep the newest N backups.</summary>
    [Parameter]
    [ValidateRange(0, 100000)]
    public int KeepLast { get; set; }

    /// <summary>Keep the newest backup of each of the last N hours.</summary>
    [Parameter]
    [ValidateRange(0, 100000)]
    public int KeepHourly { get; set; }

    /// <summary>Keep the newest backup of each of the last N days.</summary>
    [Parameter]
    [ValidateRange(0, 100000)]
    public int KeepDaily { get; set; }

    /// <summary>Keep the newest backup of each of the last N ISO weeks.</summary>
    [Parameter]
    [ValidateRange(0, 100000)]
    public int KeepWeekly { get; set; }

    /// <summary>Keep the newest backup of each of the last N months.</summary>
    [Parameter]
    [ValidateRange(0, 100000)]
    public int KeepMonthly { get; set; }

    /// <summary>Keep the newest backup of each of the last N years.</summary>
    [Parameter]
    [ValidateRange(0, 100000)]
    public int KeepYearly { get; set; }

    /// <summary>Environment variable holding the password at run time; default: the engine's password file.</summary>
    [Parameter]
    public string? PasswordVariable { get; set; }

    /// <summary>http(s) URL POSTed with the result of each backup of the policy.</summary>
    [Parameter]
    public Uri? CallbackUri { get; set; }

    /// <summary>Also POST the callback when a run cannot start a backup.</summary>
    [Parameter]
    public SwitchParameter CallbackOnFailure { get; set; }

    /// <summary>Copies the bound shared fields onto <paramref name="p"/>.</summary>
    internal void ApplyTo(BackupPolicy p)
    {
        if (Server is not null) p.Server = Server;
        if (Bound(nameof(Port))) p.Port = Port;
        if (UserName is not null) p.UserName = UserName;
        if (Table is not null) p.Tables = Table;
        if (TimeZone is not null) p.TimeZone = TimeZone;
        if (Label is not null) p.Labels = LabelMap.From(Label);
        int? Tier(string name, int value, int? current) => Bound(name) ? (value == 0 ? null : value) : current;
        p.Retention.Last = Tier(nameof(KeepLast), KeepLast, p.Retention.Last);
        p.Retention.Hourly = Tier(nameof(KeepHourly), KeepHourly, p.Retention.Hourly);
        p.Retention.Daily = Tier(nameof(KeepDaily), KeepDaily, p.Retention.Daily);
        p.Retention.Weekly = Tier(nameof(KeepWeekly), KeepWeekly, p.Retention.Weekly);
        p.Retention.Monthly = Tier(nameof(KeepMonthly), KeepMonthly, p.Retention.Monthly);
        p.Retention.Yearly = Tier(nameof(KeepYearly), KeepYearly, p.Retention.Yearly);
        if (Bound(nameof(PasswordVariable))) p.PasswordVariable = string.IsNullOrEmpty(PasswordVariable) ? null : PasswordVariable;
        if (Bound(nameof(CallbackUri))) p.CallbackUrl = CallbackUri?.OriginalString;
        if (Bound(nameof(CallbackOnFailure))) p.CallbackOnFailure = CallbackOnFailure;
    }
}
