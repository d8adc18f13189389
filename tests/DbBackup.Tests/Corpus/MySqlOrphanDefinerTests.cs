using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.MySql;

namespace DbBackup.Tests.Corpus;

/// <summary>An application database moved from another server, or whose application account was dropped,
/// keeps views whose DEFINER account does not exist. MariaDB cannot open such a view, so SHOW CREATE VIEW falls back to the stored text,
/// where every column carries the database name (`db`.`table`.`column`); restored into another name
/// such a view failed with "Unknown column" (mariadb-dump | mariadb fails alike). The restored views are
/// compared by their stored definitions (they cannot be read here: their definer is missing).</summary>
public sealed class MySqlOrphanDefinerTests
{
    [MySqlFact]
    public async Task A_view_whose_definer_account_is_gone_restores_into_another_name_reading_its_own_tables()
    {
        await using var db = await MySqlTestDatabase.CreateAsync("dbb_orphan");
        var gone = db.Name + "_gone";
        await db.ExecAsync($"CREATE USER '{gone}'@'%'; GRANT SELECT ON {db.Name}.* TO '{gone}'@'%';");
        await db.ExecAsync("""
            CREATE TABLE post (id INT PRIMARY KEY, title VARCHAR(20), note VARCHAR(40));
            INSERT INTO post VALUES (1, 'first', 'mentions `x`.`post`. in text'), (2, 'second', NULL);
            CREATE DEFINER = CURRENT_USER SQL SECURITY DEFINER VIEW recent AS
              SELECT p.id, p.title, post.note, 'keeps `lit`.' AS lit FROM post p JOIN post ON post.id = p.id WHERE p.id > 0;
            CREATE ALGORITHM = TEMPTABLE DEFINER = CURRENT_USER SQL SECURITY DEFINER VIEW `odd``name` AS SELECT `p`.`title` AS `t` FROM `post` `p`;
            CREATE SQL SECURITY INVOKER VIEW plain AS SELECT id, note FROM post;
            """.Replace("CURRENT_USER", $"'{gone}'@'%'", StringComparison.Ordinal));
        await db.ExecAsync($"DROP USER '{gone}'@'%';");
        var (reader, _, _, _) = await db.DumpAsync();
        var restored = await db.RestoreAsync(reader);

        var rows = await db.QueryAsync("SELECT * FROM plain ORDER BY 1", restored);
        Assert.Equal(["1|mentions `x`.`post`. in text", "2|NULL"], rows.Select(r => string.Join('|', r)));
        foreach (var view in new[] { "recent", "odd`name", "plain" })
        {
            var definition = await db.QueryAsync($"SELECT view_definition, definer, security_type FROM information_schema.views WHERE table_schema = '{restored}' AND table_name = '{view}'", restored);
            var original = await db.QueryAsync($"SELECT view_definition, definer, security_type FROM information_schema.views WHERE table_schema = '{db.Name}' AND table_name = '{view}'");
            Assert.Equal(original[0][0].Replace($"`{db.Name}`", $"`{restored}`", StringComparison.Ordinal), definition[0][0]);
            Assert.Equal(original[0][1..], definition[0][1..]);
        }
    }
}
