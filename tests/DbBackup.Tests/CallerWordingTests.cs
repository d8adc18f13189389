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

    [Theory]
    [InlineData("/srv/backups", "List them with Get-DbBackup -Repository '/srv/backups'.", "List them with 'dbbackup list --repository \"/srv/backups\"'.")]
    [InlineData("azure://backups/db-1", "List them with Get-DbBackup -Repository 'azure://backups/db-1'.", "List them with 'dbbackup list --repository \"azure://backups/db-1\"'.")]
    [InlineData("/srv/o'neil", "List them with Get-DbBackup -Repository '/srv/o''neil'.", "List them with 'dbbackup list --repository \"/srv/o'neil\"'.")]
    public void The_list_hint_names_the_repository_in_each_front_ends_spelling(string repository, string pwsh, string cli)
    {
        var engine = $"List them with {CallerWording.ListCommand(repository)}.";
        Assert.Equal(pwsh, CallerWording.ForPowerShell(engine));
        Assert.Equal(cli, CallerWording.ForCli(engine));
    }
}
