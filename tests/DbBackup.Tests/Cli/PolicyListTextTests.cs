using DbBackup.Cli;
using DbBackup.Model;

namespace DbBackup.Tests.Cli;

/// <summary>`dbbackup policy list` prints its policies in aligned columns, as `policy run` does.</summary>
public sealed class PolicyListTextTests
{
    [Fact]
    public void Policy_list_pads_names_so_the_engine_column_lines_up()
    {
        var policies = new List<BackupPolicy>
        {
            new() { Name = "inventory-minutely", Engine = DatabaseEngine.PostgreSql, UserName = "dbbackup", Server = "127.0.0.1", Port = 5432, Database = "inventory", Schedule = "* * * * *" },
            new() { Name = "shop", Engine = DatabaseEngine.PostgreSql, UserName = "dbbackup", Server = "127.0.0.1", Port = 5432, Database = "shop*", Schedule = "0 2 * * *" },
        };

        var lines = TextFormat.Describe(policies).Split('\n');

        Assert.Equal(3, lines.Length);
        Assert.Equal("2 policies", lines[2]);
        Assert.StartsWith("shop                PostgreSql dbbackup@127.0.0.1:5432/shop*", lines[1]);
        Assert.Equal(lines[0].IndexOf("PostgreSql", StringComparison.Ordinal), lines[1].IndexOf("PostgreSql", StringComparison.Ordinal));
    }
}
