using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Corpus;

/// <summary>-Table / --table naming a partitioned table (as pagila's payment) restores its whole tree, default
/// and sub-partitioned partitions included, into a new database and over an existing one; a partition named
/// without its partitioned table, or a table the backup lacks, is refused before anything is recorded.</summary>
public sealed class PostgresCorpusPartitionSubsetTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<string> _databases = [];

    private const string Sql = """
        CREATE TABLE regions (code text PRIMARY KEY);
        INSERT INTO regions VALUES ('north'), ('south');
        CREATE TABLE sales (id serial, region text NOT NULL, sold date NOT NULL, amount numeric(8,2) CHECK (amount >= 0),
                            PRIMARY KEY (id, sold, region)) PARTITION BY RANGE (sold);
        COMMENT ON TABLE sales IS 'every sale';
        CREATE TABLE sales_2023 PARTITION OF sales FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
        CREATE TABLE sales_2024 PARTITION OF sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (region);
        CREATE TABLE sales_2024_north PARTITION OF sales_2024 FOR VALUES IN ('north');
        CREATE TABLE sales_2024_rest PARTITION OF sales_2024 DEFAULT;
        CREATE TABLE sales_other PARTITION OF sales DEFAULT;
        CREATE INDEX sales_region ON sales (region, sold);
        ALTER TABLE sales ADD CONSTRAINT sales_region_fk FOREIGN KEY (region) REFERENCES regions;
        INSERT INTO sales (region, sold, amount)
            SELECT CASE WHEN i % 3 = 0 THEN 'north' ELSE 'south' END, date '2022-06-01' + i * 7, i * 2.5 FROM generate_series(1, 200) i;
        """;

    private async Task<string> CreateAsync()
    {
        var db = await TestSql.PgCreateAsync("pgparttree", Sql);
        _databases.Add(db);
        return db;
    }

    private string Name(string prefix)
    {
        var name = TestServers.UniqueName(prefix);
        _databases.Add(name);
        return name;
    }

    private async Task<BackupRecord> BackupAsync(string db, string[]? tables = null)
    {
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db), Tables = tables ?? [] }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        return backup;
    }

    private async Task RestoreAsync(RestoreOptions options)
    {
        var started = await _repo.Engine.StartRestoreAsync(options, CancellationToken.None);
        var done = await _repo.WaitAsync<RestoreRecord>(started.Id);
        Assert.True(done.State == OperationState.Succeeded, done.StatusMessage);
    }

    [PostgresFact]
    public async Task A_partitioned_table_named_for_a_new_database_brings_its_whole_tree_as_pg_dump_has_it()
    {
        var db = await CreateAsync();
        var backup = await BackupAsync(db);
        // The control: pg_dump | pg_restore of the whole database, less the table not named (its foreign key goes with it).
        var control = Name("pgparttree_ctl");
        await PostgresCorpusComparison.RestoreControlAsync(db, control);
        await PostgresTestDatabase.ExecAsync(control, "DROP TABLE regions CASCADE");
        var subject = Name("pgparttree_dbb");

        await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = subject, Tables = ["sales"] });

        await PostgresCorpusComparison.AssertSameAsync(control, subject);
    }

    [PostgresFact]
    public async Task Pagilas_payment_named_for_a_new_database_brings_every_partition_with_the_source_rows()
    {
        var db = await TestSql.PgCreateAsync("pgparttree", PostgresCorpusPagila.Sql);
        _databases.Add(db);
        var backup = await BackupAsync(db);
        var subject = Name("pgparttree_dbb");

        await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = subject, Tables = ["public.payment"] });

        static List<string> Tables(IEnumerable<string> lines) => lines.Where(l => l.StartsWith("table ", StringComparison.Ordinal)).ToList();
        var source = Tables(await PostgresCorpusComparison.ContentsAsync(db)).Where(l => l.StartsWith("table public.payment", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, source.Count);
        PostgresCorpusComparison.AssertSameLines("payment's partitions", source, Tables(await PostgresCorpusComparison.ContentsAsync(subject)));
        Assert.Equal("p", await PostgresTestDatabase.ScalarAsync(subject, "SELECT relkind::text FROM pg_class WHERE oid = 'public.payment'::regclass"));
    }

    [PostgresFact]
    public async Task A_partitioned_table_named_over_an_existing_database_replaces_its_whole_tree_and_keeps_the_rest()
    {
        var db = await CreateAsync();
        var backup = await BackupAsync(db);
        await TestSql.PgExecAsync(db, "INSERT INTO regions VALUES ('east')");
        // The control: the database as it should end up (the tree as backed up, regions as changed since).
        var control = Name("pgparttree_ctl");
        await PostgresTestDatabase.AdminAsync($"CREATE DATABASE \"{control}\" TEMPLATE \"{db}\"");
        await TestSql.PgExecAsync(db, """
            DELETE FROM sales WHERE id % 4 = 0; UPDATE sales SET amount = 0 WHERE region = 'north';
            INSERT INTO sales (region, sold, amount) VALUES ('east', '2024-02-03', 1), ('south', '2030-01-01', 2);
            """);

        await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Tables = ["public.sales"], Force = true, SkipSafetyBackup = true });

        await PostgresCorpusComparison.AssertSameAsync(control, db);
    }

    [PostgresFact]
    public async Task A_table_subset_backup_with_a_partitioned_table_over_an_existing_database_replaces_its_whole_tree()
    {
        var db = await CreateAsync();
        var backup = await BackupAsync(db, ["sales", "regions"]);
        var control = Name("pgparttree_ctl");
        await PostgresTestDatabase.AdminAsync($"CREATE DATABASE \"{control}\" TEMPLATE \"{db}\"");
        await TestSql.PgExecAsync(db, "DELETE FROM sales WHERE region = 'south'; INSERT INTO sales (region, sold, amount) VALUES ('north', '2024-05-06', 3)");

        await RestoreAsync(new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Force = true, SkipSafetyBackup = true });

        await PostgresCorpusComparison.AssertSameAsync(control, db);
    }

    [PostgresFact]
    public async Task A_partition_without_its_partitioned_table_is_refused_before_anything_is_recorded_naming_the_partitioned_table()
    {
        var db = await CreateAsync();
        var backup = await BackupAsync(db);
        var subject = Name("pgparttree_dbb");

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), TargetDatabase = subject, Tables = ["sales_2024_north"] }, CancellationToken.None));

        Assert.Equal("PartitionWithoutParent", e.ErrorId);
        Assert.Contains("public.sales_2024_north", e.Message, StringComparison.Ordinal);
        Assert.Contains("-Table / --table (public.sales)", e.Message, StringComparison.Ordinal);
        Assert.Empty(_repo.Engine.Repository.ReadAllRestores());
        Assert.False(await PostgresTestDatabase.ExistsAsync(subject));
    }

    [PostgresFact]
    public async Task An_unknown_table_is_refused_before_anything_is_recorded_listing_partitioned_tables_not_their_partitions()
    {
        var db = await CreateAsync();
        var backup = await BackupAsync(db);

        var e = await Assert.ThrowsAsync<DbBackupException>(() => _repo.Engine.StartRestoreAsync(
            new RestoreOptions { BackupId = backup.Id, Target = TestServers.Postgres(db), Tables = ["payments"], Force = true }, CancellationToken.None));

        Assert.Equal("TableNotInBackup", e.ErrorId);
        Assert.Contains("has no table payments", e.Message, StringComparison.Ordinal);
        Assert.Contains("public.regions, public.sales (partitioned)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sales_2023", e.Message, StringComparison.Ordinal);
        Assert.Empty(_repo.Engine.Repository.ReadAllRestores());
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
