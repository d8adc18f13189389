using DbBackup.Engine;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Table subsets with awkward names, partitioned parents, and the since filter.</summary>
public sealed class PostgreSqlSelectionTests
{
    private readonly PostgreSqlProvider _provider = new();

    private const string Schema = """
        CREATE SCHEMA "Odd Schema.x";
        CREATE TABLE "Odd Schema.x"."My ""Table"".v1*" ("Col A" int PRIMARY KEY, at timestamptz);
        CREATE TABLE "Odd Schema.x"."My ""Table"".v1x" ("Col A" int PRIMARY KEY, at timestamptz);  -- what an unquoted * would also match
        CREATE TABLE "Mixed.Case" (id int PRIMARY KEY, at timestamptz);
        CREATE TABLE mixed (id int PRIMARY KEY, at timestamptz);                                        -- what a case-folded name would match
        CREATE TABLE events (id int, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE events_a PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2024-01-01');
        CREATE TABLE events_b PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2030-01-01');
        INSERT INTO "Odd Schema.x"."My ""Table"".v1*" SELECT i, timestamptz '2023-12-31 00:00:00+00' + i * interval '1 hour' FROM generate_series(1, 48) i;
        INSERT INTO "Odd Schema.x"."My ""Table"".v1x" VALUES (1, now());
        INSERT INTO "Mixed.Case" SELECT i, timestamptz '2023-12-31 23:00:00+00' + i * interval '1 minute' FROM generate_series(1, 120) i;
        INSERT INTO mixed VALUES (1, now());
        INSERT INTO events SELECT i, timestamptz '2023-12-01' + i * interval '1 day' FROM generate_series(1, 90) i;
        """;

    private static TableInfo Table(IReadOnlyList<TableInfo> all, string schema, string name) => all.Single(t => t.Schema == schema && t.Name == name);

    [PostgresFact]
    public async Task Table_subset_with_odd_names_and_a_partitioned_parent_restores_only_those_tables()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgsel_src", Schema);
        var all = await _provider.ListTablesAsync(source.Target, default);
        Assert.Equal(["at"], Table(all, "public", "events").DateColumns);
        var chosen = new[] { Table(all, "Odd Schema.x", "My \"Table\".v1*"), Table(all, "public", "Mixed.Case"), Table(all, "public", "events") };
        await using var restored = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, chosen, null, null, 2), "pgsel_dst");
        Assert.Equal(["Odd Schema.x.My \"Table\".v1*", "public.Mixed.Case", "public.events_a", "public.events_b"],
            restored.Payload.Result.TableStats.Select(t => t.ToString()).Order(StringComparer.Ordinal));

        var tables = await PostgresTestDatabase.ColumnAsync(restored.Name,
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
        Assert.Equal(["Odd Schema.x.My \"Table\".v1*", "public.Mixed.Case", "public.events", "public.events_a", "public.events_b"], tables);
        foreach (var t in new[] { "\"Odd Schema.x\".\"My \"\"Table\"\".v1*\"", "\"Mixed.Case\"", "events" })
        {
            var sql = $"SELECT x::text FROM {t} x ORDER BY 1";
            var expected = await PostgresTestDatabase.ColumnAsync(source.Name, sql);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, await PostgresTestDatabase.ColumnAsync(restored.Name, sql));
        }
    }

    [PostgresFact]
    public async Task Since_filter_restores_only_rows_at_or_after_the_instant()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgsince_src", Schema);
        var all = await _provider.ListTablesAsync(source.Target, default);
        var chosen = new[] { Table(all, "Odd Schema.x", "My \"Table\".v1*"), Table(all, "public", "Mixed.Case"), Table(all, "public", "events") };
        var since = new DateTimeOffset(2024, 1, 1, 1, 0, 0, TimeSpan.FromHours(1)); // = 2024-01-01 00:00 UTC
        await using var restored = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, chosen, since, "at", 2), "pgsince_dst");
        foreach (var t in new[] { "\"Odd Schema.x\".\"My \"\"Table\"\".v1*\"", "\"Mixed.Case\"", "events" })
        {
            var expected = await PostgresTestDatabase.ColumnAsync(source.Name, $"SELECT x::text FROM {t} x WHERE at >= '2024-01-01 00:00:00+00' ORDER BY 1");
            var excluded = await PostgresTestDatabase.ColumnAsync(source.Name, $"SELECT x::text FROM {t} x WHERE at < '2024-01-01 00:00:00+00' ORDER BY 1");
            Assert.NotEmpty(expected);
            Assert.NotEmpty(excluded);
            Assert.Equal(expected, await PostgresTestDatabase.ColumnAsync(restored.Name, $"SELECT x::text FROM {t} x ORDER BY 1"));
        }
        Assert.Equal(0L, await PostgresTestDatabase.ScalarAsync(restored.Name, "SELECT count(*) FROM events_a WHERE at < '2024-01-01 00:00:00+00'"));
    }

    [PostgresFact]
    public async Task Subset_whose_table_references_an_unselected_table_is_refused_naming_it()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgsubfk", """
            CREATE TABLE customers (id int PRIMARY KEY);
            CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id));
            """);
        var all = await _provider.ListTablesAsync(source.Target, default);
        var e = await Assert.ThrowsAsync<DbBackupException>(() =>
            DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, [Table(all, "public", "orders")], null, null, 1)));
        Assert.Equal("TableSubsetIncomplete", e.ErrorId);
        Assert.Contains("customers", e.Message);
    }
}
