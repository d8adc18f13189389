namespace DbBackup.Engine.Providers.MySql;

/// <summary>One table's entry in toc.json.</summary>
internal sealed class MySqlTocTable
{
    /// <summary>Table name, unquoted.</summary>
    public string Name { get; set; } = "";
    /// <summary>Logical payload name of its data file (e.g. "data/0001.tsv").</summary>
    public string File { get; set; } = "";
    /// <summary>Rows written (all parts).</summary>
    public long Rows { get; set; }
    /// <summary>Rows in <see cref="File"/> when the table has <see cref="Parts"/>, else null (all rows).</summary>
    public long? FileRows { get; set; }
    /// <summary>Further data files when the table was read in primary-key ranges (format 3), else null.</summary>
    public List<MySqlTocPart>? Parts { get; set; }
    /// <summary>RowSetChecksum of the lines of all its data files.</summary>
    public string Checksum { get; set; } = "";
    /// <summary>Columns in the data file, in order (generated columns are not stored).</summary>
    public List<MySqlColumn> Columns { get; set; } = [];
}
