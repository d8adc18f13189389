using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Corpus;

/// <summary>The roles the PostgreSQL corpus and large-object tests give objects to. Roles are cluster-wide,
/// so they have fixed names, are created when missing (concurrent tests may race to create them) and are
/// never dropped.</summary>
internal static class PostgresCorpusRoles
{
    public const string Owner = "dbbackup_corpus_owner";
    public const string Reader = "dbbackup_corpus_reader";
    /// <summary>A role whose name needs quoting: spaces, double quotes, upper case.</summary>
    public const string Weird = "dbbackup corpus \"weird\" Role";
    /// <summary><see cref="Weird"/> as an SQL identifier.</summary>
    public const string QuotedWeird = "\"dbbackup corpus \"\"weird\"\" Role\"";

    public static async Task EnsureAsync()
    {
        foreach (var (role, quoted) in new[] { (Owner, Owner), (Reader, Reader), (Weird, QuotedWeird) })
            await PostgresTestDatabase.AdminAsync($"""
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {quoted} NOLOGIN; END IF;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END $$
                """);
    }
}
