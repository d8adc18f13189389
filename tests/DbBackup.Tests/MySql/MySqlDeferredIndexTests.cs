using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>Secondary keys built after the load (<see cref="MySqlDeferredIndexes"/>): which keys are
/// deferred, and that every table comes back with the definition it had, to the character.</summary>
public sealed class MySqlDeferredIndexTests
{
    private const string Schema = """
        CREATE TABLE keyed (
          id INT PRIMARY KEY, a INT, b VARCHAR(50), c TEXT, d INT,
          UNIQUE KEY u_d (d), KEY k_ab (a, b(10)) COMMENT 'prefix; and a comma,', KEY k_c (c(20)),
          KEY k_desc (a DESC, d), KEY `odd ``name`` (x)` (d) USING BTREE, KEY k_ignored (b) IGNORED
        ) ENGINE=InnoDB;
        CREATE TABLE auto_key (id INT AUTO_INCREMENT, v INT, KEY (id), KEY kv (v)) ENGINE=InnoDB AUTO_INCREMENT=500;
        CREATE TABLE parent (id INT PRIMARY KEY, code INT, KEY k_code (code)) ENGINE=InnoDB;
        CREATE TABLE child (id INT PRIMARY KEY, code INT, note INT, KEY k_note (note), CONSTRAINT fk_code FOREIGN KEY (code) REFERENCES parent (code)) ENGINE=InnoDB;
        CREATE TABLE not_innodb (id INT PRIMARY KEY, v INT, KEY kv (v)) ENGINE=Aria;
        INSERT INTO keyed VALUES (1, 5, 'five', 'text five', 50), (2, 3, 'three', 'text three', 30), (3, NULL, NULL, NULL, NULL);
        INSERT INTO auto_key (v) VALUES (1), (2);
        INSERT INTO parent VALUES (1, 10), (2, 20);
        INSERT INTO child VALUES (1, 10, 7), (2, 20, 8);
        INSERT INTO not_innodb VALUES (1, 1);
        """;

    private static readonly string[] Tables = ["auto_key", "child", "keyed", "not_innodb", "parent"];

    [MySqlFact]
    public async Task Plain_keys_of_innodb_tables_are_dropped_and_rebuilt_to_the_same_definition_others_stay()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(Schema);
        var before = await ShowCreateAsync(db.Name);

        var deferred = await MySqlDeferredIndexes.DropAsync(db.Target, db.Name, Tables, CancellationToken.None);
        var dropped = await ShowCreateAsync(db.Name);
        // keyed lost its five plain keys and kept its primary and unique key; the others are untouched:
        // auto_key's key is its AUTO_INCREMENT column's, child and parent are tied by a foreign key, Aria is not InnoDB.
        Assert.DoesNotContain("  KEY ", dropped["keyed"], StringComparison.Ordinal);
        Assert.Contains("UNIQUE KEY `u_d`", dropped["keyed"], StringComparison.Ordinal);
        foreach (var kept in Tables.Where(t => t != "keyed")) Assert.Equal(before[kept], dropped[kept]);

        foreach (var table in Tables) await deferred.BuildAsync(db.Target, db.Name, table, CancellationToken.None);
        Assert.Equal(before, await ShowCreateAsync(db.Name));
        Assert.Equal([["1", "5"], ["2", "3"]], await db.QueryAsync("SELECT id, a FROM keyed FORCE INDEX (k_ab) WHERE a > 0 ORDER BY id"));
    }

    [MySqlFact]
    public async Task Restore_gives_every_table_its_source_definition_and_rows()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync(Schema);
        var (reader, _, _, _) = await db.DumpAsync();

        var restored = await db.RestoreAsync(reader);

        Assert.Equal(await ShowCreateAsync(db.Name), await ShowCreateAsync(restored));
        Assert.Equal(await db.SnapshotAsync(db.Name), await db.SnapshotAsync(restored));
        // AUTO_INCREMENT goes on from the source's counter.
        var next = await db.QueryAsync("INSERT INTO auto_key (v) VALUES (3); SELECT LAST_INSERT_ID();", restored);
        Assert.Equal("502", next[0][0]);
    }

    // Through the driver: the client's batch output would cut the statement at its first newline.
    private static async Task<Dictionary<string, string>> ShowCreateAsync(string database)
    {
        var result = new Dictionary<string, string>();
        foreach (var table in Tables)
            result[table] = (await MySqlConnections.QueryAsync(TestServers.MySql(database), database, $"SHOW CREATE TABLE `{table}`", CancellationToken.None))[0][1];
        return result;
    }
}
