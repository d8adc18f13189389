using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Tests;

/// <summary>The one rule dbbackup restore and Restore-DbBackup fill a restore's target by: what the caller leaves out
/// comes from the server the backup was taken from, what the caller names wins, and with no backup a missing part is
/// MissingArgument in each front end's spelling. The front ends' own tests (CliRestoreDefaultsTests, the Pester
/// Restore-DbBackup tests) run it end to end.</summary>
public sealed class RestoreTargetTests
{
    private static readonly ConnectionTarget Source = new(DatabaseEngine.PostgreSql, "db1.example", 6543, "backup_user", "");

    private static readonly BackupRecord Backup = new()
    {
        Id = "bk-20260101000000000-aaaaaa", Engine = DatabaseEngine.PostgreSql, Server = "db1.example", Port = 6543, UserName = "backup_user", Database = "shop",
    };

    [Fact]
    public void Parts_left_out_come_from_the_backups_server_port_and_user()
    {
        var target = new RestoreTarget(null, null, null, null, null).Resolve(Source);
        Assert.Equal(new ConnectionTarget(DatabaseEngine.PostgreSql, "db1.example", 6543, "backup_user", ""), target);
    }

    [Fact]
    public void Named_parts_win_and_another_server_gets_the_engines_default_port()
    {
        Assert.Equal(new ConnectionTarget(DatabaseEngine.PostgreSql, "db2.example", 5432, "backup_user", "shop_copy"),
            new RestoreTarget(null, "db2.example", null, null, "shop_copy").Resolve(Source));
        Assert.Equal(new ConnectionTarget(DatabaseEngine.PostgreSql, "db2.example", 7000, "restorer", ""),
            new RestoreTarget(DatabaseEngine.PostgreSql, "db2.example", 7000, "restorer", null).Resolve(Source));
        Assert.Equal(new ConnectionTarget(DatabaseEngine.PostgreSql, "db1.example", 7000, "backup_user", ""),
            new RestoreTarget(null, null, 7000, null, null).Resolve(Source));
    }

    [Fact]
    public void A_named_engine_other_than_the_backups_keeps_the_backups_host_but_not_its_port()
    {
        // The backup's port belongs to its engine's server; the restore planner then refuses the engine mismatch.
        Assert.Equal(new ConnectionTarget(DatabaseEngine.MySql, "db1.example", 3306, "backup_user", ""),
            new RestoreTarget(DatabaseEngine.MySql, null, null, null, null).Resolve(Source));
    }

    [Theory]
    [InlineData(null, "h", "u", "--engine is required when neither --id nor --path", "-Engine is required when neither -Id nor -Path")]
    [InlineData(DatabaseEngine.MySql, null, "u", "--host is required when neither --id nor --path", "-Server is required when neither -Id nor -Path")]
    [InlineData(DatabaseEngine.MySql, "h", null, "--user is required when neither --id nor --path", "-Credential is required when neither -Id nor -Path")]
    public void A_part_missing_with_no_backup_is_MissingArgument_naming_it_in_each_front_ends_spelling(DatabaseEngine? engine, string? server, string? user, string cli, string pwsh)
    {
        var e = Assert.Throws<DbBackupException>(() => new RestoreTarget(engine, server, null, user, null).Resolve(null));
        Assert.Equal("MissingArgument", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.StartsWith(cli, CallerWording.ForCli(e.Message), StringComparison.Ordinal);
        Assert.StartsWith(pwsh, CallerWording.ForPowerShell(e.Message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_backup_is_read_only_when_a_part_is_missing_and_a_bundle_by_its_manifest()
    {
        var reads = new List<string>();
        BackupRecord Get(string id) { reads.Add("id " + id); return Backup; }
        Task<BackupRecord> Read(string path, CancellationToken _) { reads.Add("path " + path); return Task.FromResult(Backup); }

        var complete = new RestoreTarget(DatabaseEngine.PostgreSql, "db2.example", null, "restorer", null);
        Assert.Equal(new ConnectionTarget(DatabaseEngine.PostgreSql, "db2.example", 5432, "restorer", ""),
            await complete.ResolveAsync(Backup.Id, null, Get, Read, default));
        Assert.Empty(reads);

        var partial = new RestoreTarget(null, null, null, null, null);
        Assert.Equal(Source, await partial.ResolveAsync(null, "/tmp/shop.dbbackup", Get, Read, default));
        Assert.Equal(Source, await partial.ResolveAsync(Backup.Id, null, Get, Read, default));
        Assert.Equal(["path /tmp/shop.dbbackup", "id " + Backup.Id], reads);
    }
}
