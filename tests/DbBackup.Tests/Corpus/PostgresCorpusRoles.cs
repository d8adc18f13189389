using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Corpus;

/// <summary>The roles the PostgreSQL corpus and large-object tests give objects to. Roles are cluster-wide,
/// so they have fixed names, are created when missing (concurrent tests may race to create them) and are
/// never dropped.</summary>
internal static class PostgresCorpusRoles
{
    public const string Owner = "dbbackup_corpus_owner";
    public const string Reader = "dbbackup_corpus_reader";

    public static async Task EnsureAsync()
    {
        foreach (var role in new[] { Owner, Reader })
            await PostgresTestDatabase.AdminAsync($"""
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} NOLOGIN; END IF;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END $$
                """);
    }
}
