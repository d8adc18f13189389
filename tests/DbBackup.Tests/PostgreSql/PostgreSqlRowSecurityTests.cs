using DbBackup.Engine;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>A backup taken by a role that row-level security applies to must fail, naming the table, rather
/// than silently keep only the rows the policies show it (pg_dump sets row_security off for the same reason).</summary>
public sealed class PostgreSqlRowSecurityTests
{
    private const string Role = "dbbackup_rls_owner";
    private readonly PostgreSqlProvider _provider = new();

    [PostgresFact]
    public async Task A_dump_by_a_role_that_row_security_filters_fails_naming_the_table_instead_of_dropping_rows()
    {
        // A login role of the test's own: a fresh random password each run, so no secret is kept anywhere.
        var password = Guid.NewGuid().ToString("N");
        await PostgresTestDatabase.AdminAsync($"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Role}') THEN CREATE ROLE {Role} LOGIN; END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$;
            ALTER ROLE {Role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}'
            """);
        await using var source = await PostgresTestDatabase.CreateAsync("pgrls_src", createOptions: $"OWNER {Role}");
        await source.ExecAsync($"""
            SET ROLE {Role};
            CREATE TABLE secret (id int PRIMARY KEY, owner_name text NOT NULL);
            INSERT INTO secret VALUES (1, '{Role}'), (2, 'someone else'), (3, 'someone else');
            ALTER TABLE secret ENABLE ROW LEVEL SECURITY;
            ALTER TABLE secret FORCE ROW LEVEL SECURITY;
            CREATE POLICY mine ON secret USING (owner_name = current_user);
            """);
        var asOwner = source.Target with { UserName = Role, Password = password };

        var e = await Assert.ThrowsAsync<DbBackupException>(() => DumpedPayload.DumpAsync(_provider, new DumpRequest(asOwner, null, null, null, 1)));
        Assert.Equal("TableDumpFailed", e.ErrorId);
        Assert.Contains("public.secret", e.Message);
        Assert.Contains("row-level security", e.Message);
        // The superuser's backup has every row.
        using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 1));
        Assert.Equal(3, payload.Result.TableStats.Single().Rows);
    }
}
