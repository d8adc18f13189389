using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Cli;

/// <summary>Errors through the CLI name the CLI's commands and options, never the cmdlets' ones.</summary>
public sealed class CliWordingTests : IDisposable
{
    private readonly string _repo = Path.Combine(Path.GetTempPath(), "dbbackup-wording-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_missing_backup_points_to_dbbackup_list_not_to_the_cmdlet()
    {
        var r = await CliRunner.RunAsync(["remove", "--id", "bk-20000101000000000-aaaaaa", "--repository", _repo]);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("dbbackup: BackupNotFound:", r.StdErr);
        Assert.Contains("dbbackup list", r.StdErr);
        Assert.DoesNotContain("Get-DbBackup", r.StdErr);
    }

    public void Dispose()
    {
        if (Directory.Exists(_repo)) Directory.Delete(_repo, recursive: true);
    }
}
