namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>One table's data file in <see cref="PostgreSqlToc"/>.</summary>
public sealed class PostgreSqlTocTable
{
    /// <summary>Schema, unquoted.</summary>
    public string Schema { get; set; } = "";
    /// <summary>Table name, unquoted.</summary>
    public string Name { get; set; } = "";
    /// <summary>Columns in the file's order (generated columns are left out: the server recomputes them).</summary>
    public List<string> Columns { get; set; } = [];
    /// <summary>Schema of the partition root the rows are loaded through (a hash partition key on an enum
    /// routes rows differently in another database), or null to load into the table itself.</summary>
    public string? LoadViaSchema { get; set; }
    /// <summary>Name of that partition root, or null.</summary>
    public string? LoadViaName { get; set; }
    /// <summary>Logical payload file name, e.g. data/0001.copy; empty when the rows are in <see cref="Pieces"/>.</summary>
    public string File { get; set; } = "";
    /// <summary>The data files of a table split across dump jobs (format 3), in block order; null when the
    /// table is in <see cref="File"/>.</summary>
    public List<PostgreSqlTocPiece>? Pieces { get; set; }
    /// <summary>Rows of the table (all its files).</summary>
    public long Rows { get; set; }
    /// <summary>Uncompressed bytes of the table (all its files).</summary>
    public long Bytes { get; set; }
    /// <summary>Order-independent checksum of the rows (see RowSetChecksum).</summary>
    public string ContentChecksum { get; set; } = "";

    /// <summary>The table's data files: its pieces, or its one file.</summary>
    public IReadOnlyList<PostgreSqlTocPiece> DataFiles() => Pieces ?? [new PostgreSqlTocPiece { File = File, Rows = Rows, Bytes = Bytes }];
}
