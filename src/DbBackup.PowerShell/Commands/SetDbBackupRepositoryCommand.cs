using System.Management.Automation;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.PowerShell;

/// <summary>Set-DbBackupRepository: changes the repository's settings (retention, restore history, restore age limit,
/// default parallelism, encryption of new backups).</summary>
[Cmdlet(VerbsCommon.Set, "DbBackupRepository", SupportsShouldProcess = true)]
[OutputType(typeof(RepositoryInfo))]
public sealed class SetDbBackupRepositoryCommand : DbBackupCmdlet
{
    /// <summary>Successful manual backups kept per target (older ones are pruned).</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int KeepLast { get; set; }

    /// <summary>Backups older than this many days are refused for restore; 0 removes the limit.</summary>
    [Parameter]
    [ValidateRange(0, 36500)]
    public int MaxRestoreAgeDays { get; set; }

    /// <summary>Days an ended restore's record is kept (the newest of each database always); 0 keeps them all.</summary>
    [Parameter]
    [ValidateRange(0, 36500)]
    public int RestoreHistoryDays { get; set; }

    /// <summary>Parallel connections when a command does not say; 0 means the core count.</summary>
    [Parameter]
    [ValidateRange(0, 64)]
    public int DefaultJobs { get; set; }

    /// <summary>Required: every new backup is encrypted with the key in DBBACKUP_ENCRYPTION_KEY or
    /// DBBACKUP_ENCRYPTION_KEY_FILE (its id is recorded now); None: new backups are not encrypted.</summary>
    [Parameter]
    public EncryptionMode Encryption { get; set; }

    /// <summary>Return the repository info after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Applies the bound settings.</summary>
    protected override void ProcessRecord()
    {
        var bound = MyInvocation.BoundParameters;
        var changes = new List<string>();
        if (bound.ContainsKey(nameof(KeepLast))) changes.Add($"KeepLast={KeepLast}");
        if (bound.ContainsKey(nameof(MaxRestoreAgeDays))) changes.Add($"MaxRestoreAgeDays={(MaxRestoreAgeDays == 0 ? "none" : MaxRestoreAgeDays)}");
        if (bound.ContainsKey(nameof(RestoreHistoryDays))) changes.Add($"RestoreHistoryDays={(RestoreHistoryDays == 0 ? "all" : RestoreHistoryDays)}");
        if (bound.ContainsKey(nameof(DefaultJobs))) changes.Add($"DefaultJobs={(DefaultJobs == 0 ? "cores" : DefaultJobs)}");
        if (bound.ContainsKey(nameof(Encryption))) changes.Add($"Encryption={Encryption}");
        try
        {
            // Named without the engine, so -WhatIf has nothing to do with the repository at all.
            var where = System.IO.Path.GetFullPath(BackupRepository.ResolvePath(RepositoryPath));
            if (!ShouldProcess(where, changes.Count == 0 ? "Keep settings" : "Set " + string.Join(", ", changes))) return;
            var info = Session.Engine.UpdateSettings(settings =>
            {
                if (bound.ContainsKey(nameof(KeepLast))) settings.KeepLast = KeepLast;
                if (bound.ContainsKey(nameof(MaxRestoreAgeDays))) settings.MaxRestoreAgeDays = MaxRestoreAgeDays == 0 ? null : MaxRestoreAgeDays;
                if (bound.ContainsKey(nameof(RestoreHistoryDays))) settings.RestoreHistoryDays = RestoreHistoryDays;
                if (bound.ContainsKey(nameof(DefaultJobs))) settings.DefaultJobs = DefaultJobs == 0 ? null : DefaultJobs;
                if (bound.ContainsKey(nameof(Encryption)))
                {
                    settings.Encryption = Encryption;
                    // Set again, it records the key set now (a new key for new backups).
                    settings.EncryptionKeyId = null;
                }
            });
            if (PassThru) WriteObject(info);
        }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Repository); }
    }
}
