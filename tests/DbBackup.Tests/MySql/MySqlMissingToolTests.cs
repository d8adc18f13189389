using DbBackup.Engine;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>Changes PATH for the process, so it runs alone (not in parallel with other tests).</summary>
[CollectionDefinition(nameof(MySqlMissingToolTests), DisableParallelization = true)]
public sealed class MySqlMissingToolCollection;

/// <summary>What happens when the MySQL client tools are not installed.</summary>
[Collection(nameof(MySqlMissingToolTests))]
public sealed class MySqlMissingToolTests
{
    [MySqlFact]
    public async Task Missing_client_tools_are_a_not_installed_error_naming_both_tool_names()
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        var extra = Environment.GetEnvironmentVariable("DBBACKUP_TOOL_PATH");
        var empty = Directory.CreateTempSubdirectory("dbb-no-tools-");
        try
        {
            Environment.SetEnvironmentVariable("PATH", empty.FullName);
            Environment.SetEnvironmentVariable("DBBACKUP_TOOL_PATH", null);
            var e = await Assert.ThrowsAsync<DbBackupException>(() => new MySqlProvider().ProbeAsync(TestServers.MySql(), CancellationToken.None));
            Assert.Equal(ErrorKind.NotInstalled, e.Kind);
            Assert.Contains("mariadb-dump", e.Message, StringComparison.Ordinal);
            Assert.Contains("mysqldump", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
            Environment.SetEnvironmentVariable("DBBACKUP_TOOL_PATH", extra);
            empty.Delete();
        }
    }
}
