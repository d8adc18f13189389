namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The pg_dump / pg_restore pair a provider runs, with pg_dump's reported version.</summary>
/// <param name="PgDump">Full path of pg_dump.</param>
/// <param name="PgRestore">Full path of pg_restore (same directory as pg_dump).</param>
/// <param name="Version">pg_dump --version output, e.g. "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)".</param>
/// <param name="Major">Major version of the tools (15 for 15.18; 9 for 9.6).</param>
public sealed record PostgreSqlTools(string PgDump, string PgRestore, string Version, int Major);
