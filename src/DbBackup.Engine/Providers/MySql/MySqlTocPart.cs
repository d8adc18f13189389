namespace DbBackup.Engine.Providers.MySql;

/// <summary>A further data file of a table read in primary-key ranges (toc format 3).</summary>
internal sealed class MySqlTocPart
{
    /// <summary>Logical payload name of the file (e.g. "data/0001.2.tsv").</summary>
    public string File { get; set; } = "";
    /// <summary>Rows in the file.</summary>
    public long Rows { get; set; }
}
