namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>One privilege on a large object, as aclexplode reports it.</summary>
public sealed class PostgreSqlLargeObjectGrant
{
    /// <summary>The role granted to, or null for PUBLIC.</summary>
    public string? Grantee { get; set; }
    /// <summary>SELECT or UPDATE.</summary>
    public string Privilege { get; set; } = "";
    /// <summary>WITH GRANT OPTION.</summary>
    public bool Grantable { get; set; }
    /// <summary>The role that granted it.</summary>
    public string Grantor { get; set; } = "";
}
