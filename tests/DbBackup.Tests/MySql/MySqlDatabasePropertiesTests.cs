using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>The database itself restored as taken: its default character set, collation and (MariaDB 10.5
/// and newer) comment, compared with the CREATE DATABASE line <c>mariadb-dump --databases</c> prints.</summary>
public sealed class MySqlDatabasePropertiesTests
{
    private const string Options = @"CHARACTER SET latin1 COLLATE latin1_swedish_ci COMMENT 'the shop''s db \\ ü'";

    /// <summary>mariadb-dump --databases's CREATE DATABASE line, the name replaced.</summary>
    private static async Task<string> CreateLineAsync(MySqlTestDatabase db, string database)
    {
        var script = await MySqlClientTools.RunAsync(db.Target, MySqlClientTools.Dump,
            ["--no-data", "--skip-comments", "--default-character-set=utf8mb4", "--databases", database], null, CancellationToken.None);
        return script.Split('\n').Single(l => l.StartsWith("CREATE DATABASE", StringComparison.Ordinal)).Replace(database, "<database>", StringComparison.Ordinal);
    }

    [MySqlFact]
    public async Task A_restore_into_a_new_database_and_a_swap_keep_the_databases_character_set_collation_and_comment()
    {
        await using var db = await MySqlTestDatabase.CreateAsync("dbb_mydbp");
        await MySqlTestDatabase.ExecAsync(null, $"ALTER DATABASE `{db.Name}` {Options};");
        await db.ExecAsync("CREATE TABLE t (s VARCHAR(10)); INSERT INTO t VALUES ('ä');");
        var control = await CreateLineAsync(db, db.Name);
        Assert.Contains("latin1_swedish_ci", control);
        Assert.Contains("COMMENT 'the shop''s db \\\\ ü'", control);

        var (reader, _, _, _) = await db.DumpAsync();
        var restored = await db.RestoreAsync(reader);
        Assert.Equal(control, await CreateLineAsync(db, restored));

        // Over an existing database the swap moves tables into it: the database's own options must follow.
        var existing = db.NewName("dbb_mydbpx");
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{existing}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin COMMENT 'old';");
        var unchanged = await CreateLineAsync(db, existing);
        var failing = new MySqlProvider { SwapFaultInjection = s => { if (s == "after-objects") throw new IOException("injected at " + s); } };
        await Assert.ThrowsAnyAsync<Exception>(() => failing.SwapAsync(db.Target, existing, restored, CancellationToken.None));
        Assert.Equal(unchanged, await CreateLineAsync(db, existing));

        await new MySqlProvider().SwapAsync(db.Target, existing, restored, CancellationToken.None);
        Assert.Equal(control, await CreateLineAsync(db, existing));
    }
}
