using DbBackup.Engine;

namespace DbBackup.Tests;

/// <summary>Messages speak the caller's language: -Force and Get-DbBackup through the cmdlets, --force and
/// dbbackup list through the CLI; client tools' own options are left alone.</summary>
public sealed class CallerWordingTests
{
    [Theory]
    [InlineData("Pass --force / -Force to confirm.", "Pass -Force to confirm.", "Pass --force to confirm.")]
    [InlineData("Restore it into a new database (-TargetDatabase / --target-database).", "Restore it into a new database (-TargetDatabase).", "Restore it into a new database (--target-database).")]
    [InlineData("cancel it first (dbbackup cancel / Stop-DbBackup).", "cancel it first (Stop-DbBackup).", "cancel it first (dbbackup cancel).")]
    [InlineData("List them with 'dbbackup list' or Get-DbBackup.", "List them with Get-DbBackup.", "List them with 'dbbackup list'.")]
    [InlineData("Back them up in a separate backup without --since.", "Back them up in a separate backup without -Since.", "Back them up in a separate backup without --since.")]
    [InlineData("Change the setting (Set-DbBackupRepository -MaxRestoreAgeDays).", "Change the setting (Set-DbBackupRepository -MaxRestoreAgeDays).", "Change the setting (Set-DbBackupRepository -MaxRestoreAgeDays).")]
    [InlineData("Give it with -Credential / --password-env NAME.", "Give it with -Credential.", "Give it with --password-env NAME.")]
    [InlineData("mariadb-dump --single-transaction failed", "mariadb-dump --single-transaction failed", "mariadb-dump --single-transaction failed")]
    [InlineData("Use -Table orders.", "Use -Table orders.", "Use --table orders.")]
    public void Each_front_end_reads_its_own_spelling(string engine, string pwsh, string cli)
    {
        Assert.Equal(pwsh, CallerWording.ForPowerShell(engine));
        Assert.Equal(cli, CallerWording.ForCli(engine));
    }
}
