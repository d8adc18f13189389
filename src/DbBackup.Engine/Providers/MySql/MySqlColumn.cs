namespace DbBackup.Engine.Providers.MySql;

/// <summary>One column of a dumped table as recorded in toc.json.</summary>
internal sealed class MySqlColumn
{
    /// <summary>Column name, unquoted.</summary>
    public string Name { get; set; } = "";
    /// <summary>information_schema DATA_TYPE (lower case, e.g. "varchar").</summary>
    public string DataType { get; set; } = "";
    /// <summary>Full COLUMN_TYPE (e.g. "decimal(65,30) unsigned"), for people reading the toc.</summary>
    public string ColumnType { get; set; } = "";
    /// <summary>Character set of a character column, else null (binary).</summary>
    public string? CharacterSet { get; set; }
    /// <summary>How values are written in the data file.</summary>
    public MySqlValueEncoding Encoding { get; set; }

    /// <summary>Maps a DATA_TYPE to its exact data-file encoding.</summary>
    public static MySqlValueEncoding EncodingFor(string dataType) => dataType switch
    {
        "tinyint" or "smallint" or "mediumint" or "int" or "integer" or "bigint" => MySqlValueEncoding.Integer,
        "decimal" or "numeric" => MySqlValueEncoding.Decimal,
        "float" => MySqlValueEncoding.Float,
        "double" or "real" or "double precision" => MySqlValueEncoding.Double,
        "bit" => MySqlValueEncoding.Bit,
        "date" or "datetime" or "timestamp" or "time" or "year" => MySqlValueEncoding.Temporal,
        // Strings, blobs, enum/set (by value), JSON (MySQL's binary JSON prints as utf8mb4 text),
        // spatial (internal SRID+WKB form) and anything newer (inet6, uuid…) travel as bytes.
        _ => MySqlValueEncoding.Escaped,
    };

    /// <summary>True for the encodings that carry a value's bytes (hex or escaped), as opposed to a
    /// number's or a time's text: their columns are loaded through a variable in the column's charset.</summary>
    public static bool CarriesBytes(MySqlValueEncoding encoding) => encoding is MySqlValueEncoding.Hex or MySqlValueEncoding.Escaped;
}
