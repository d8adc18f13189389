namespace DbBackup.Model;

/// <summary>One payload file of a backup as stored in the repository.</summary>
public sealed class BackupFile
{
    /// <summary>Path relative to the backup folder, forward slashes (for example <c>data/0001.copy.gz</c>).</summary>
    public string Name { get; set; } = "";
    /// <summary>Stored size in bytes.</summary>
    public long Size { get; set; }
    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public string Sha256 { get; set; } = "";
}

/// <summary>Row count and an order-independent content checksum of one table, taken while it was dumped.</summary>
public sealed class TableStat
{
    /// <summary>Schema (PostgreSQL) or empty (MySQL).</summary>
    public string Schema { get; set; } = "";
    /// <summary>Table name, unquoted.</summary>
    public string Name { get; set; } = "";
    /// <summary>Rows dumped.</summary>
    public long Rows { get; set; }
    /// <summary>Order-independent checksum of the rows' canonical data form (hex).</summary>
    public string ContentChecksum { get; set; } = "";

    /// <summary>schema.name, or name when there is no schema.</summary>
    public override string ToString() => Schema.Length == 0 ? Name : Schema + "." + Name;
}
