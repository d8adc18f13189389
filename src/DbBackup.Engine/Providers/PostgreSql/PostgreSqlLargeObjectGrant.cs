namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>One privilege on a large object or a database, as aclexplode reports it.</summary>
public sealed class PostgreSqlLargeObjectGrant
{
    /// <summary>The role granted to, or null for PUBLIC.</summary>
    public string? Grantee { get; set; }
    /// <summary>SELECT or UPDATE (a large object); CREATE, TEMPORARY or CONNECT (a database).</summary>
    public string Privilege { get; set; } = "";
    /// <summary>WITH GRANT OPTION.</summary>
    public bool Grantable { get; set; }
    /// <summary>The role that granted it.</summary>
    public string Grantor { get; set; } = "";
}
