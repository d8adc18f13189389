namespace DbBackup.Engine.Providers.MySql;

/// <summary>One table's entry in toc.json.</summary>
internal sealed class MySqlTocTable
{
    /// <summary>Table name, unquoted.</summary>
    public string Name { get; set; } = "";
    /// <summary>Logical payload name of its data file (e.g. "data/0001.tsv").</summary>
    public string File { get; set; } = "";
    /// <summary>Rows written.</summary>
    public long Rows { get; set; }
    /// <summary>RowSetChecksum of the data file's lines.</summary>
    public string Checksum { get; set; } = "";
    /// <summary>Columns in the data file, in order (generated columns are not stored).</summary>
    public List<MySqlColumn> Columns { get; set; } = [];
}
