using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Changing the repository's settings, validated as a whole before they are written.</summary>
internal sealed class RepositorySettingsChange(EngineContext context, RecordQueries queries)
{
    /// <summary>Changes settings (validated) and returns the new info.</summary>
    public RepositoryInfo UpdateSettings(Action<RepositorySettings> change)
    {
        var settings = context.Repository.ReadRepositoryFile().Settings;
        change(settings);
        EncryptionKeys.PinEncryptionKey(settings);
        if (settings.KeepLast < 1)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidKeepLast", $"KeepLast must be 1 or more (the newest good backup is always kept); got {settings.KeepLast}.") { TargetObject = settings.KeepLast };
        if (settings.MaxRestoreAgeDays is < 1)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidMaxRestoreAge", $"MaxRestoreAgeDays must be 1 or more, or unset for no limit; got {settings.MaxRestoreAgeDays}.") { TargetObject = settings.MaxRestoreAgeDays };
        if (settings.DefaultJobs is < 1 or > 64)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidJobs", $"DefaultJobs must be between 1 and 64, or unset for the core count; got {settings.DefaultJobs}.") { TargetObject = settings.DefaultJobs };
        if (settings.RestoreHistoryDays is < 0 or > 36500)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidRestoreHistoryDays", $"RestoreHistoryDays must be between 1 and 36500, or 0 to keep every restore record; got {settings.RestoreHistoryDays}.") { TargetObject = settings.RestoreHistoryDays };
        context.Repository.WriteSettings(settings);
        context.Log("SettingsChanged", null, $"KeepLast={settings.KeepLast}, MaxRestoreAgeDays={settings.MaxRestoreAgeDays?.ToString() ?? "none"}, DefaultJobs={settings.DefaultJobs?.ToString() ?? "cores"}"
            + $", RestoreHistoryDays={(settings.RestoreHistoryDays == 0 ? "all" : settings.RestoreHistoryDays)}"
            + (settings.Encryption == EncryptionMode.Required ? $", Encryption=Required (key {settings.EncryptionKeyId})" : ""));
        return queries.GetRepositoryInfo();
    }
}
