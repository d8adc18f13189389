namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The rows of one extension configuration table (registered by its extension with
/// pg_extension_config_dump) that the extension's condition selects, as pg_dump dumps them: the
/// extension's own rows come back with CREATE EXTENSION, the user's from <see cref="File"/>.</summary>
public sealed class PostgreSqlTocExtensionTable
{
    /// <summary>The extension that owns the table.</summary>
    public string Extension { get; set; } = "";
    /// <summary>Schema of the table.</summary>
    public string Schema { get; set; } = "";
    /// <summary>Table name.</summary>
    public string Name { get; set; } = "";
    /// <summary>The COPY column list (generated columns excluded).</summary>
    public List<string> Columns { get; set; } = [];
    /// <summary>The extension's filter (pg_extension.extcondition, e.g. "WHERE NOT builtin"); empty for every row.</summary>
    public string Condition { get; set; } = "";
    /// <summary>The COPY text data file.</summary>
    public string File { get; set; } = "";
    /// <summary>Rows in the file.</summary>
    public long Rows { get; set; }
}
