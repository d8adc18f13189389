namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The large objects of a whole-database backup in <see cref="PostgreSqlToc"/>: one JSON line per
/// object in <see cref="MetadataFile"/> (oid, owner, privileges, comment, size), and their contents one
/// after the other, in the same order, in <see cref="DataFile"/>.</summary>
public sealed class PostgreSqlTocLargeObjects
{
    /// <summary>Logical payload file of the JSON lines.</summary>
    public string MetadataFile { get; set; } = PostgreSqlLargeObjects.MetadataFileName;
    /// <summary>Logical payload file of the concatenated contents.</summary>
    public string DataFile { get; set; } = PostgreSqlLargeObjects.DataFileName;
    /// <summary>Number of large objects.</summary>
    public long Count { get; set; }
    /// <summary>Sum of their sizes, the length of <see cref="DataFile"/>.</summary>
    public long Bytes { get; set; }
}
