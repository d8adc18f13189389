namespace DbBackup.Engine.Providers.MySql;

/// <summary>The MySQL payload's table of contents (toc.json). Layout of a MySQL backup: the schema
/// scripts (see <see cref="MySqlSchemaScripts"/>), data/NNNN.tsv (one table per file; one row per line;
/// fields separated by TAB; <c>\N</c> is NULL; values encoded as each column's
/// <see cref="MySqlColumn.Encoding"/> says) and this file.</summary>
internal sealed class MySqlToc
{
    /// <summary>The format version this code writes; it reads this one and every earlier one.
    /// 2: routines and views in scripts of their own (see <see cref="MySqlSchemaScripts"/>).
    /// 3: a big table may be in several data files, one per primary-key range (<see cref="MySqlTocTable.Parts"/>);
    /// written only when a table was split.
    /// 4: string, JSON, spatial and binary values are escaped bytes (<see cref="MySqlValueEncoding.Escaped"/>),
    /// not hex; written by every backup since.</summary>
    public const int CurrentFormatVersion = EscapedFormatVersion;

    /// <summary>The first version whose columns may be <see cref="MySqlValueEncoding.Escaped"/>.</summary>
    public const int EscapedFormatVersion = 4;

    /// <summary>The payload format version a backup of this format records (<c>FormatVersion</c> in the
    /// manifest), so a DbBackup reading toc formats up to 3 refuses it up front, by the record, instead of
    /// failing on a column encoding it does not know. Format 2 and 3 tocs were recorded as 2.</summary>
    public const int RecordFormatVersion = 5;

    /// <summary>Payload format version.</summary>
    public int FormatVersion { get; set; } = CurrentFormatVersion;
    /// <summary>Source database.</summary>
    public string Database { get; set; } = "";
    /// <summary>Source database default character set.</summary>
    public string CharacterSet { get; set; } = "";
    /// <summary>Source database default collation.</summary>
    public string Collation { get; set; } = "";
    /// <summary>Source database comment (MariaDB 10.5 and newer), or null for none.</summary>
    public string? Comment { get; set; }
    /// <summary>Server version at dump time.</summary>
    public string ServerVersion { get; set; } = "";
    /// <summary>True when only some tables were dumped (views are then not included).</summary>
    public bool Subset { get; set; }
    /// <summary>The since-filter instant (UTC, ISO 8601), when one was applied.</summary>
    public string? Since { get; set; }
    /// <summary>The column the since-filter applied to.</summary>
    public string? DateColumn { get; set; }
    /// <summary>Tables in dump order.</summary>
    public List<MySqlTocTable> Tables { get; set; } = [];
}
