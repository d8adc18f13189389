namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>One data file of a table in <see cref="PostgreSqlToc"/>: the whole table, or one block range
/// of a table split across dump jobs (see <see cref="PostgreSqlTableSplit"/>).</summary>
public sealed class PostgreSqlTocPiece
{
    /// <summary>Logical payload file name, e.g. data/0001.002.copy.</summary>
    public string File { get; set; } = "";
    /// <summary>Rows in the file.</summary>
    public long Rows { get; set; }
    /// <summary>Uncompressed bytes in the file.</summary>
    public long Bytes { get; set; }
}
