using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Dump → PayloadWriter → PayloadReader → restore, then the restored database is compared with
/// the source object by object and row by row.</summary>
public sealed class PostgreSqlRoundTripTests
{
    private readonly PostgreSqlProvider _provider = new();

    internal const string HardSchema = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy 😀');
        CREATE SCHEMA "Odd Schema.x";
        CREATE TABLE kinds (
            id int PRIMARY KEY,
            b bytea, j json, jb jsonb, ia int[], ta text[],
            n numeric, n2 numeric(60,30), r real, d double precision,
            ts timestamp, tstz timestamptz, tm timetz, iv interval, m mood,
            t text, vc varchar(10),
            gen text GENERATED ALWAYS AS (upper(t)) STORED);
        INSERT INTO kinds (id, b, j, jb, ia, ta, n, n2, r, d, ts, tstz, tm, iv, m, t, vc) VALUES
         (1, (SELECT decode(string_agg(lpad(to_hex(i), 2, '0'), '' ORDER BY i), 'hex') FROM generate_series(0, 255) i),
          '{"a": [1, 2.50, "x\u0000"],   "b": null}', '{"k": "é😀", "n": 1e100, "z": [true, null]}',
          '{1,NULL,-3}', ARRAY['a"b', 'c,d', NULL, '', 'NULL', 'back\slash', '{braces}'],
          'NaN', 123456789012345678901234567890.123456789012345678901234567890, 1.4e-45, 4.9e-324,
          '294276-12-31 23:59:59.999999', '2024-03-31 02:30:00+02', '12:34:56.789+05:30', '1 year 2 mons -3 days 04:05:06.789', 'happy 😀',
          E'e\u0301 😀 tab\there newline\nback\\slash', ''),
         (2, '', '[]', '{}', '{}', '{}', '-0.000000000000000000000000001', 0, '-0', '-0', '-infinity', 'infinity', '00:00:00+00', '-178000000 years', 'sad',
          '', NULL),
         (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Infinity', 0.30000000000000004, '2000-01-01', '1999-12-31 23:59:59.123456-08', NULL, '0', NULL, NULL, 'x'),
         (4, '\x00', 'null', 'null', '{{1,2},{3,4}}', '{"{}"}', '1e-300', -1, 'NaN', 1.7976931348623157e308, NULL, '0044-03-15 12:00:00+00 BC', '23:59:59.999999-15:59', '1 microsecond', 'ok', 'NULL', '\N'),
         (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3.4028235e38, '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1.17549435e-38, 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.1, 2.2250738585072014e-308, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

        CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 7) PRIMARY KEY, v text);
        INSERT INTO ident (v) VALUES ('a'), ('b'), ('c');
        CREATE TABLE ser (id serial PRIMARY KEY, v text);
        INSERT INTO ser (v) VALUES ('a'), ('b');
        CREATE SEQUENCE free_seq START 5;
        SELECT nextval('free_seq'), nextval('free_seq'), nextval('free_seq');
        CREATE SEQUENCE uncalled_seq START 42;

        CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL UNIQUE);
        CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent (id) ON DELETE CASCADE, note text CHECK (note <> 'forbidden'));
        CREATE INDEX child_parent_idx ON child (parent_id);
        INSERT INTO parent VALUES (1, 'one'), (2, 'two');
        INSERT INTO child VALUES (10, 1, 'x'), (11, 1, NULL), (12, 2, '');

        CREATE TABLE audited (id int PRIMARY KEY, v text, touch_count int NOT NULL DEFAULT 0);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touch_count := coalesce(NEW.touch_count, 0) + 1; RETURN NEW; END $$;
        INSERT INTO audited VALUES (1, 'before trigger', 0);
        CREATE TRIGGER trg_touch BEFORE INSERT OR UPDATE ON audited FOR EACH ROW EXECUTE FUNCTION touch();
        INSERT INTO audited (id, v) VALUES (2, 'with trigger');

        CREATE VIEW v_kinds AS SELECT id, t, m FROM kinds WHERE id > 1;
        CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT i + 1';
        CREATE PROCEDURE bump(p int) LANGUAGE plpgsql AS $$ BEGIN UPDATE audited SET v = v || p::text; END $$;

        CREATE TABLE events (id int, at timestamptz NOT NULL, payload text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE events_other PARTITION OF events DEFAULT;
        INSERT INTO events SELECT i, timestamptz '2022-06-01' + i * interval '7 days', 'p' || i FROM generate_series(1, 200) i;

        CREATE TABLE "Odd Schema.x"."My ""Table"".v1*" ("Col A" int PRIMARY KEY, "we""ird" text, "UPPER" text);
        INSERT INTO "Odd Schema.x"."My ""Table"".v1*" VALUES (1, 'q"uote', 'Up'), (2, NULL, '');
        CREATE TABLE empty_one (id int, note text);
        CREATE TABLE big (id int PRIMARY KEY, blob bytea, txt text);
        INSERT INTO big SELECT 1, (SELECT decode(string_agg(md5(random()::text || g), ''), 'hex') FROM generate_series(1, 330000) g), repeat('xyz😀', 800000);
        ALTER TABLE kinds DROP COLUMN vc;
        ALTER TABLE kinds ADD COLUMN after_drop text DEFAULT 'late';
        """;

    [PostgresFact]
    public async Task Round_trip_restores_every_hard_type_object_and_sequence_exactly()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgrt_src", HardSchema);
        await using var restored = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, Jobs: 3), "pgrt_dst");
        var (payload, restoredName) = (restored.Payload, restored.Name);
        var names = payload.Files.Select(f => f.Name).ToList();
        Assert.Contains("schema.dump.gz", names);
        Assert.Contains("toc.json.gz", names);
        Assert.Contains(payload.Progress, p => p.Phase == "Data");
        Assert.Equal(100, payload.Progress[^1].Percent);

        // Partitioned parent is not a data table; its three leaves are.
        var dumped = payload.Result.TableStats.Select(t => t.ToString()).ToHashSet();
        Assert.Contains("public.events_2024", dumped);
        Assert.DoesNotContain("public.events", dumped);
        Assert.Contains("Odd Schema.x.My \"Table\".v1*", dumped);
        Assert.Equal(200, payload.Result.TableStats.Where(t => t.Name.StartsWith("events_", StringComparison.Ordinal)).Sum(t => t.Rows));

        // Same checksums recomputed from the restored database.
        var stats = await _provider.ComputeTableStatsAsync(restored.Target, payload.Result.TableStats, default);
        foreach (var (expected, actual) in payload.Result.TableStats.Zip(stats))
        {
            Assert.Equal(expected.Rows, actual.Rows);
            Assert.Equal(expected.ContentChecksum, actual.ContentChecksum);
        }

        await PostgresComparison.AssertSameAsync(source.Name, restoredName);

        // Binary spot checks in C#.
        var k1 = (await PostgresTestDatabase.RowsAsync(restoredName, "SELECT b, convert_to(t, 'UTF8'), gen, after_drop FROM kinds WHERE id = 1")).Single();
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), (byte[])k1[0]!);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes("e\u0301 😀 tab\there newline\nback\\slash"), (byte[])k1[1]!);
        Assert.Equal("E\u0301 😀 TAB\tHERE NEWLINE\nBACK\\SLASH", k1[2]);
        Assert.Equal("late", k1[3]);
        var floats = await PostgresTestDatabase.RowsAsync(restoredName, "SELECT id, float4send(r), float8send(d) FROM kinds ORDER BY id");
        Assert.Equal(Convert.FromHexString("00000001"), (byte[])floats[0][1]!);          // smallest subnormal real
        Assert.Equal(Convert.FromHexString("0000000000000001"), (byte[])floats[0][2]!);  // smallest subnormal double
        Assert.Equal(Convert.FromHexString("80000000"), (byte[])floats[1][1]!);          // -0 real
        Assert.Equal(Convert.FromHexString("8000000000000000"), (byte[])floats[1][2]!);  // -0 double
        Assert.Equal(BitConverter.GetBytes(0.30000000000000004).Reverse().ToArray(), (byte[])floats[2][2]!);
        var nulls = (await PostgresTestDatabase.RowsAsync(restoredName, "SELECT t IS NULL, t = '' FROM kinds WHERE id IN (2, 3) ORDER BY id"));
        Assert.Equal(new object?[] { false, true }, nulls[0]);
        Assert.Equal(new object?[] { true, null }, nulls[1]);
        var big = (await PostgresTestDatabase.RowsAsync(restoredName, "SELECT length(blob), md5(blob), length(txt) FROM big")).Single();
        var bigSource = (await PostgresTestDatabase.RowsAsync(source.Name, "SELECT length(blob), md5(blob), length(txt) FROM big")).Single();
        Assert.Equal(5_280_000, big[0]);
        Assert.Equal(bigSource, big);

        // Sequences continue where the source is: next values equal.
        foreach (var sql in new[] { "SELECT nextval('free_seq')", "SELECT nextval('uncalled_seq')", "INSERT INTO ident (v) VALUES ('n') RETURNING id", "INSERT INTO ser (v) VALUES ('n') RETURNING id" })
            Assert.Equal(await PostgresTestDatabase.ScalarAsync(source.Name, sql), await PostgresTestDatabase.ScalarAsync(restoredName, sql));
        // currval is per session (and pooled sessions vary), so read the sequence's own state instead.
        Assert.Equal("42|t", await PostgresTestDatabase.ScalarAsync(restoredName, "SELECT last_value || '|' || CASE WHEN is_called THEN 't' ELSE 'f' END FROM uncalled_seq"));
        Assert.Equal(121L, await PostgresTestDatabase.ScalarAsync(restoredName, "SELECT max(id) FROM ident"));

        // Triggers fire, constraints hold, functions and procedures run.
        Assert.Equal(0, await PostgresTestDatabase.ScalarAsync(restoredName, "SELECT touch_count FROM audited WHERE id = 1"));
        Assert.Equal(2, await PostgresTestDatabase.ScalarAsync(restoredName, "UPDATE audited SET v = 'u' WHERE id = 2 RETURNING touch_count"));
        var fk = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PostgresTestDatabase.ExecAsync(restoredName, "INSERT INTO child VALUES (99, 42, 'orphan')"));
        Assert.Equal("23503", fk.SqlState);
        var check = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PostgresTestDatabase.ExecAsync(restoredName, "INSERT INTO child VALUES (98, 1, 'forbidden')"));
        Assert.Equal("23514", check.SqlState);
        Assert.Equal(8, await PostgresTestDatabase.ScalarAsync(restoredName, "SELECT add_one(7)"));
        await PostgresTestDatabase.ExecAsync(restoredName, "CALL bump(5)");
        await PostgresTestDatabase.ExecAsync(restoredName, "INSERT INTO events VALUES (1000, '2024-05-05', 'routed')");
        Assert.Equal("events_2024", await PostgresTestDatabase.ScalarAsync(restoredName, "SELECT tableoid::regclass::text FROM events WHERE id = 1000"));
    }
}
