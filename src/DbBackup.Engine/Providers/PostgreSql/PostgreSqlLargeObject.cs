namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>One line of the large-object metadata file (see <see cref="PostgreSqlTocLargeObjects"/>).</summary>
public sealed class PostgreSqlLargeObject
{
    /// <summary>The object's OID, kept on restore as pg_dump keeps it (tables refer to large objects by OID).</summary>
    public uint Oid { get; set; }
    /// <summary>Owner role.</summary>
    public string Owner { get; set; } = "";
    /// <summary>Size in bytes: this many bytes of the data file are its content.</summary>
    public long Bytes { get; set; }
    /// <summary>The privileges (aclexplode of lomacl), or null for the default (the owner's alone).</summary>
    public List<PostgreSqlLargeObjectGrant>? Acl { get; set; }
    /// <summary>COMMENT ON LARGE OBJECT, or null.</summary>
    public string? Comment { get; set; }
}
