using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Corpus;

/// <summary>A table subset restored into a new database brings what those tables need with them, as
/// sample databases written by hand need it: a sequence their default draws from that no column owns,
/// an enum, a domain with a check, a trigger function, an extension type.</summary>
public sealed class PostgresCorpusTableSubsetTests
{
    private const string Sql = """
        CREATE EXTENSION citext;
        CREATE SCHEMA lib;
        -- Created on its own and never OWNED BY: pg_dump makes the table depend on it, not the reverse.
        CREATE SEQUENCE lib.title_ids START WITH 100;
        CREATE TYPE lib.shelf_kind AS ENUM ('oak', 'steel');
        COMMENT ON TYPE lib.shelf_kind IS 'what the shelf is made of';
        CREATE DOMAIN lib.pages AS integer CONSTRAINT pages_positive CHECK (VALUE > 0);
        CREATE FUNCTION lib.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched = now(); RETURN NEW; END $$;
        CREATE TABLE lib.titles (
            id integer DEFAULT nextval('lib.title_ids'::regclass) PRIMARY KEY,
            name citext NOT NULL, kind lib.shelf_kind, length lib.pages, touched timestamptz);
        CREATE TRIGGER titles_touch BEFORE UPDATE ON lib.titles FOR EACH ROW EXECUTE FUNCTION lib.touch();
        INSERT INTO lib.titles (name, kind, length, touched) VALUES ('Dune', 'oak', 412, '2020-01-02 03:04:05+00'), ('Emma', NULL, 9, NULL);
        -- Left out of the subset, with what only it needs: its own serial and a function over its row type.
        CREATE TABLE lib.loans (id serial PRIMARY KEY, title_id integer REFERENCES lib.titles, due date);
        INSERT INTO lib.loans (title_id, due) VALUES (100, '2024-05-06');
        CREATE FUNCTION lib.overdue(l lib.loans) RETURNS boolean LANGUAGE sql AS 'SELECT l.due < current_date';
        """;

    [PostgresFact]
    public async Task Tables_restored_into_a_new_database_bring_the_sequences_types_and_functions_they_need()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgsubset", Sql);
        var control = TestServers.UniqueName("pgsubset_ctl");
        var subject = TestServers.UniqueName("pgsubset_dbb");
        try
        {
            // The control: the whole database through pg_dump | pg_restore, less the table not chosen and
            // what depends on it (pg_restore -t alone fails here: it does not bring the sequence).
            await PostgresCorpusComparison.RestoreControlAsync(source.Name, control);
            await PostgresTestDatabase.ExecAsync(control, "DROP TABLE lib.loans CASCADE");
            using var dumped = await DumpedPayload.DumpAsync(new PostgreSqlProvider(), new DumpRequest(source.Target, null, null, null, 1));

            await new PostgreSqlProvider().ReplaceTablesAsync(new TableReplaceRequest(TestServers.Postgres(subject), new BackupRecord(),
                [new TableStat { Schema = "lib", Name = "titles" }], true, "unused", 1), dumped.Reader(), new DumpedPayload.SyncProgress([]), default);

            await PostgresCorpusComparison.AssertSameAsync(control, subject);
            // The sequence goes on from where the backup left it.
            await PostgresTestDatabase.ExecAsync(subject, "INSERT INTO lib.titles (name) VALUES ('Ulysses')");
            Assert.Equal(102L, await PostgresTestDatabase.ScalarAsync(subject, "SELECT max(id)::bigint FROM lib.titles"));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(control);
            await PostgresTestDatabase.DropAsync(subject);
        }
    }

    [PostgresFact]
    public async Task A_partition_named_for_a_new_database_is_refused_without_advising_a_new_database()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgsubpart", """
            CREATE TABLE sales (id int, sold date NOT NULL) PARTITION BY RANGE (sold);
            CREATE TABLE sales_2024 PARTITION OF sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            -- With its only partition named, a partitioned table comes whole: a second one keeps sales_2024 alone.
            CREATE TABLE sales_2025 PARTITION OF sales FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            INSERT INTO sales VALUES (1, '2024-03-04');
            """);
        var subject = TestServers.UniqueName("pgsubpart_dbb");
        using var dumped = await DumpedPayload.DumpAsync(new PostgreSqlProvider(), new DumpRequest(source.Target, null, null, null, 1));

        var e = await Assert.ThrowsAsync<DbBackup.Engine.DbBackupException>(() => new PostgreSqlProvider().ReplaceTablesAsync(new TableReplaceRequest(TestServers.Postgres(subject),
            new BackupRecord(), [new TableStat { Schema = "public", Name = "sales_2024" }], true, "unused", 1), dumped.Reader(), new DumpedPayload.SyncProgress([]), default));

        Assert.Equal("PartitionedTableReplace", e.ErrorId);
        Assert.Contains("public.sales_2024", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--target-database", e.Message, StringComparison.Ordinal);
        Assert.False(await PostgresTestDatabase.ExistsAsync(subject));
    }
}
