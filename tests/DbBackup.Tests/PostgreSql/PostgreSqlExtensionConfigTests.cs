using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Corpus;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>Extension configuration tables (pg_extension_config_dump): their user rows, as the extension's
/// condition selects them, survive a restore as they survive pg_dump | pg_restore. No extension shipped
/// with PostgreSQL 15 has such tables, so the test installs a tiny one (TestExtension/) into the server's
/// extension folder when it is missing; that needs write access there (root, as in CI).</summary>
public sealed class PostgreSqlExtensionConfigTests
{
    private const string Extension = "dbbackup_cfgtest";
    private const string Rows = """
        SELECT 'setting ' || string_agg(s::text, ' ' ORDER BY s.name) FROM dbbackup_cfgtest_setting s
        UNION ALL SELECT 'job ' || string_agg(j::text, ' ' ORDER BY j.id) FROM dbbackup_cfgtest_job j
        UNION ALL SELECT 'sequence ' || last_value || ' ' || is_called FROM dbbackup_cfgtest_seq
        """;

    private readonly PostgreSqlProvider _provider = new();

    [PostgresFact]
    public async Task The_user_rows_of_extension_configuration_tables_are_restored_as_pg_restore_restores_them()
    {
        await EnsureInstalledAsync();
        await using var source = await PostgresTestDatabase.CreateAsync("pgext_src", $"""
            CREATE EXTENSION {Extension};
            INSERT INTO dbbackup_cfgtest_setting VALUES ('mine', 'x''y', false), ('other', NULL, false);
            INSERT INTO dbbackup_cfgtest_job VALUES (1, 'vacuum'), (2, E'tab\there');
            SELECT setval('dbbackup_cfgtest_seq', 41); SELECT nextval('dbbackup_cfgtest_seq');
            """);
        var control = TestServers.UniqueName("pgext_ctl");
        try
        {
            await using var restored = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, 2), "pgext_dst");
            // DbBackup versions before would restore such a backup without those rows, so they must refuse it.
            Assert.Equal(PostgreSqlToc.ExtensionTablesFormatVersion, restored.Payload.Result.FormatVersion);
            await PostgresCorpusComparison.RestoreControlAsync(source.Name, control);

            var expected = await PostgresTestDatabase.ColumnAsync(control, Rows);
            Assert.Equal(await PostgresTestDatabase.ColumnAsync(source.Name, Rows), expected);
            Assert.Equal(expected, await PostgresTestDatabase.ColumnAsync(restored.Name, Rows));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(control);
        }
    }

    [PostgresFact]
    public async Task A_database_without_extension_configuration_rows_keeps_the_older_payload_format()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgext_none", "CREATE TABLE t (a int); INSERT INTO t VALUES (1);");
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
        Assert.Equal(PostgreSqlToc.BaseFormatVersion, payload.Result.FormatVersion);
    }

    /// <summary>Copies the test extension into the server's extension folder unless it is there as it is here.</summary>
    private static async Task EnsureInstalledAsync()
    {
        var folder = Path.Combine((string)(await PostgresTestDatabase.ScalarAsync("postgres", "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'"))!, "extension");
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "PostgreSql", "TestExtension")))
            {
                var installed = Path.Combine(folder, Path.GetFileName(file));
                if (!File.Exists(installed) || !File.ReadAllBytes(installed).SequenceEqual(File.ReadAllBytes(file))) File.Copy(file, installed, overwrite: true);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            Assert.Fail($"The test extension {Extension} is not installed and {folder} is not writable ({e.Message}): copy tests/DbBackup.Tests/PostgreSql/TestExtension/* there as root.");
        }
    }
}
