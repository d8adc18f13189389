namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The source database's own properties, as <c>pg_dump --create</c> recreates them: locale,
/// owner, privileges, comment, connection limit and ALTER DATABASE / ALTER ROLE … IN DATABASE settings.
/// Null in backups written before DbBackup recorded them; those restore with the server's default locale.</summary>
public sealed class PostgreSqlTocDatabase
{
    /// <summary>"libc" or "icu" (datlocprovider; always libc before PostgreSQL 15).</summary>
    public string LocaleProvider { get; set; } = "libc";
    /// <summary>LC_COLLATE (datcollate).</summary>
    public string Collate { get; set; } = "";
    /// <summary>LC_CTYPE (datctype).</summary>
    public string Ctype { get; set; } = "";
    /// <summary>The ICU locale of an ICU database, else null.</summary>
    public string? IcuLocale { get; set; }
    /// <summary>ICU tailoring rules (PostgreSQL 16 and newer), else null.</summary>
    public string? IcuRules { get; set; }
    /// <summary>The owner role.</summary>
    public string Owner { get; set; } = "";
    /// <summary>The privileges (aclexplode of datacl), or null for the default ones.</summary>
    public List<PostgreSqlLargeObjectGrant>? Acl { get; set; }
    /// <summary>COMMENT ON DATABASE, or null.</summary>
    public string? Comment { get; set; }
    /// <summary>CONNECTION LIMIT; -1 for none.</summary>
    public int ConnectionLimit { get; set; } = -1;
    /// <summary>The database's own tablespace (CREATE DATABASE … TABLESPACE), or null for pg_default. A restore
    /// recreates it there, and is refused, naming it, on a server without that tablespace.</summary>
    public string? Tablespace { get; set; }
    /// <summary>IS_TEMPLATE: the database can be cloned by any role with CREATEDB.</summary>
    public bool IsTemplate { get; set; }
    /// <summary>pg_db_role_setting rows of the database, in their order.</summary>
    public List<PostgreSqlTocDatabaseSetting> Settings { get; set; } = [];

    /// <summary>Every role these properties name: they must exist on the target.</summary>
    public IEnumerable<string> Roles()
        => new[] { Owner }.Concat(Acl?.SelectMany(g => new[] { g.Grantee, g.Grantor }) ?? []).Concat(Settings.Select(s => s.Role))
            .OfType<string>().Where(r => r.Length > 0);
}
