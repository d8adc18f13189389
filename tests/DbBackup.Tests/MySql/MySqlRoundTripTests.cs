using System.Globalization;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>Dump → restore through <see cref="MySqlProvider"/> against the real MariaDB, compared row
/// by row at the binary level and object by object.</summary>
public sealed class MySqlRoundTripTests
{
    private const string OddTable = "Odd `name` 'q' \"dq\" Mixed";

    // Values whose plain mariadb-dump text is lossy for FLOAT (measured: 6 significant digits).
    private static readonly (string Sql, float F, double D)[] FloatCases =
    [
        ("0.1", 0.1f, 0.1),
        ("1e0/3e0", 1f / 3f, 1.0 / 3.0),
        ("3.4028234663852886e38", float.MaxValue, 3.4028234663852886e38),
        ("1e-45", float.Epsilon, 1e-45),
        ("0.30000000000000004", 0.3f, 0.30000000000000004),
        ("16777217", 16777216f, 16777217),
        ("123456.789", 123456.789f, 123456.789),
        ("-2.5e-7", -2.5e-7f, -2.5e-7),
        ("1.7976931348623157e308", 0f, double.MaxValue),
        ("POW(2, -1074)", 0f, double.Epsilon),
    ];

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private static async Task BuildHardSchemaAsync(MySqlTestDatabase db)
    {
        var allBytes = Hex(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
        var odd = MySqlSyntax.Identifier(OddTable);
        const string json = "{\"a\":[1,2,{\"b\":null}],\"u\":\"é😀\",\"n\":1.5e300}";
        await db.ExecAsync($"""
            CREATE TABLE {odd} (
              id INT AUTO_INCREMENT PRIMARY KEY,
              b BLOB, vb VARBINARY(300), j JSON, dec65 DECIMAL(65,30), f FLOAT, d DOUBLE, bits BIT(10),
              e ENUM('a','b c','ü'), s SET('x','y','z'), dt DATE, dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL,
              tm TIME(6), yr YEAR, txt TEXT CHARACTER SET utf8mb4, vc VARCHAR(20) NULL, latin VARCHAR(10) CHARACTER SET latin1,
              gv INT AS (id * 2) VIRTUAL, gs VARCHAR(40) AS (CONCAT('x', vc)) STORED,
              big LONGBLOB NULL, `col with space` INT, `Tab	Col` INT
            ) ENGINE=InnoDB;
            INSERT INTO {odd} (b, vb, j, dec65, f, d, bits, e, s, dt, dtm, ts, tm, yr, txt, vc, latin, `col with space`, `Tab	Col`) VALUES
              (X'{allBytes}', X'{allBytes}', '{json}',
               '12345678901234567890123456789012345.123456789012345678901234567890', 0.1, 0.1, b'1010101010',
               'b c', 'x,z', '2024-02-29', '2024-02-29 23:59:59.123456', '2038-01-19 03:14:07.999999',
               '-838:59:59.000000', 1901, _utf8mb4 X'{Hex("😀 𝄞 中文 tab\tnl\n quote's \\ backslash NULL \\N"u8.ToArray())}', '', 'café', 0, -1),
              (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
              (X'', X'', '[]', '-0.000000000000000000000000000001', -0.5, -1e-300, b'0', 'ü', '', '0000-00-00', '0000-00-00 00:00:00', '1970-01-01 00:00:01',
               '838:59:59.999999', 2155, '', 'NULL', '', 2147483647, NULL);
            INSERT INTO {odd} (f, d, big) VALUES (NULL, NULL, REPEAT(UNHEX('00FF0A09'), 1500000));
            CREATE TABLE empty_t (id INT PRIMARY KEY, v VARCHAR(5)) ENGINE=InnoDB;
            CREATE TABLE floats (id INT PRIMARY KEY, f FLOAT, d DOUBLE) ENGINE=InnoDB;
            CREATE TABLE z_parent (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100) NOT NULL) ENGINE=InnoDB;
            CREATE TABLE a_child (id INT PRIMARY KEY, parent_id INT NOT NULL, FOREIGN KEY (parent_id) REFERENCES z_parent(id)) ENGINE=InnoDB;
            INSERT INTO z_parent (note) VALUES ('one'), ('two'), ('three'), ('four');
            DELETE FROM z_parent WHERE id = 4;
            INSERT INTO a_child VALUES (1, 1), (2, 3);
            CREATE VIEW aa_view AS SELECT p.id, p.note, COUNT(c.id) AS children FROM z_parent p LEFT JOIN a_child c ON c.parent_id = p.id GROUP BY p.id, p.note;
            CREATE VIEW ab_view_of_view AS SELECT id FROM aa_view WHERE children > 0;
            CREATE TRIGGER z_parent_bi BEFORE INSERT ON z_parent FOR EACH ROW SET NEW.note = CONCAT(NEW.note, '+trg');
            CREATE PROCEDURE count_parents(OUT n INT) SELECT COUNT(*) INTO n FROM z_parent;
            CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
            CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM empty_t;
            """);
        // The trigger fires for these, so the stored notes end in '+trg' once; a restore that fired it
        // again during the load would append a second '+trg'.
        await db.ExecAsync("INSERT INTO z_parent (note) VALUES ('five');");
        for (var i = 0; i < FloatCases.Length; i++)
            await db.ExecAsync($"INSERT INTO floats VALUES ({i}, {(FloatCases[i].F == 0f ? "NULL" : FloatCases[i].Sql)}, {FloatCases[i].Sql});");
    }

    [MySqlFact]
    public async Task Restore_reproduces_every_hard_type_bit_for_bit_and_every_object()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await BuildHardSchemaAsync(db);
        var (reader, result, _, _) = await db.DumpAsync();
        Assert.Equal(5, result.TableStats.Count);
        Assert.Equal(4, result.TableStats.Single(t => t.Name == OddTable).Rows);

        var restored = await db.RestoreAsync(reader);

        var before = await db.SnapshotAsync(db.Name);
        var after = await db.SnapshotAsync(restored);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var table in before.Keys) Assert.Equal(before[table], after[table]);
        Assert.Contains(before[OddTable], r => r.Contains(Hex(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray()), StringComparison.Ordinal));

        // The content checksums recomputed on the restore equal the dump's.
        var stats = await new MySqlProvider().ComputeTableStatsAsync(TestServers.MySql(db.Name), result.TableStats, CancellationToken.None);
        var restoredStats = await new MySqlProvider().ComputeTableStatsAsync(TestServers.MySql(restored), result.TableStats, CancellationToken.None);
        foreach (var (a, b) in result.TableStats.Zip(restoredStats))
        {
            Assert.Equal(a.Rows, b.Rows);
            Assert.Equal(a.ContentChecksum, b.ContentChecksum);
        }
        Assert.Equal(result.TableStats.Select(s => s.ContentChecksum), stats.Select(s => s.ContentChecksum));

        // Floats and doubles: exact equality in SQL across the databases, and the bits as C# sees them.
        var mismatches = await db.QueryAsync($"SELECT COUNT(*) FROM floats a JOIN `{restored}`.floats b USING (id) WHERE NOT (a.f <=> b.f) OR NOT (a.d <=> b.d)");
        Assert.Equal("0", mismatches[0][0]);
        var rows = await db.QueryAsync("SELECT id, CAST(f AS DOUBLE), d FROM floats ORDER BY id", restored);
        Assert.Equal(FloatCases.Length, rows.Count);
        foreach (var r in rows)
        {
            var expected = FloatCases[int.Parse(r[0], CultureInfo.InvariantCulture)];
            if (expected.F != 0f) Assert.Equal(BitConverter.SingleToInt32Bits(expected.F), BitConverter.SingleToInt32Bits((float)double.Parse(r[1], CultureInfo.InvariantCulture)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.D), BitConverter.DoubleToInt64Bits(double.Parse(r[2], CultureInfo.InvariantCulture)));
        }

        // NULL stays NULL, empty stays empty.
        var nulls = await db.QueryAsync($"SELECT vc IS NULL, vc = '', b IS NULL, b = '' FROM {MySqlSyntax.Identifier(OddTable)} ORDER BY id LIMIT 3", restored);
        Assert.Equal(["0", "1", "0", "0"], nulls[0]);
        Assert.Equal(["1", "NULL", "1", "NULL"], nulls[1]);
        Assert.Equal(["0", "0", "0", "1"], nulls[2]);

        // Views, routines, triggers, events.
        Assert.Equal(await db.InventoryAsync(db.Name), await db.InventoryAsync(restored));
        Assert.Equal(4, (await db.InventoryAsync(restored)).Count(i => i.StartsWith("view", StringComparison.Ordinal) || i.StartsWith("routine", StringComparison.Ordinal)));

        // Triggers did not fire during the load, but fire afterwards; AUTO_INCREMENT continues.
        var notes = await db.QueryAsync("SELECT id, note FROM z_parent ORDER BY id", restored);
        Assert.Equal(["one", "two", "three", "five+trg"], notes.Select(n => n[1]));
        await db.ExecAsync($"INSERT INTO `{restored}`.z_parent (note) VALUES ('six');");
        var six = await db.QueryAsync("SELECT id, note FROM z_parent WHERE note LIKE 'six%'", restored);
        Assert.Equal(["6", "six+trg"], six[0]);
        var oddNext = await db.QueryAsync($"INSERT INTO {MySqlSyntax.Identifier(OddTable)} (vc) VALUES ('n'); SELECT LAST_INSERT_ID();", restored);
        Assert.Equal("5", oddNext[0][0]);

        // The restored views and functions work.
        Assert.Equal("2", (await db.QueryAsync("SELECT COUNT(*) FROM ab_view_of_view", restored))[0][0]);
        Assert.Equal("42", (await db.QueryAsync("SELECT twice(21)", restored))[0][0]);

    }

    [MySqlFact]
    public async Task Where_the_server_refuses_local_infile_insert_batches_restore_every_hard_type_bit_for_bit()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await BuildHardSchemaAsync(db);
        var (reader, _, _, _) = await db.DumpAsync();
        var restored = await db.RestoreAsync(reader, provider: new MySqlProvider { LocalInfile = false });
        Assert.Equal(await db.SnapshotAsync(db.Name), await db.SnapshotAsync(restored));
        var mismatches = await db.QueryAsync($"SELECT COUNT(*) FROM floats a JOIN `{restored}`.floats b USING (id) WHERE NOT (a.f <=> b.f) OR NOT (a.d <=> b.d)");
        Assert.Equal("0", mismatches[0][0]);
    }

    [MySqlFact]
    public async Task Plain_mariadb_dump_loses_float_bits_that_the_provider_keeps()
    {
        // Documents why the provider does not take table data from the dump tool.
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY, f FLOAT); INSERT INTO t VALUES (1, 1e0/3e0), (2, 3.4028234663852886e38), (3, 16777217);");
        var dump = ToolRunnerFind();
        var sql = await MySqlClientTools.RunAsync(db.Target, dump, ["--skip-dump-date", "--", db.Name], null, CancellationToken.None);
        var copy = db.NewName();
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{copy}`;");
        await MySqlClientTools.RunAsync(db.Target, MySqlClientTools.Client, MySqlClientTools.ScriptArgs(copy), sql, CancellationToken.None);
        var lost = await db.QueryAsync($"SELECT COUNT(*) FROM t a JOIN `{copy}`.t b USING (id) WHERE a.f <> b.f");
        Assert.Equal("3", lost[0][0]);

        var (reader, _, _, _) = await db.DumpAsync();
        var restored = await db.RestoreAsync(reader);
        var kept = await db.QueryAsync($"SELECT COUNT(*) FROM t a JOIN `{restored}`.t b USING (id) WHERE a.f = b.f");
        Assert.Equal("3", kept[0][0]);
    }

    private static string ToolRunnerFind() => MySqlClientTools.Dump;
}
