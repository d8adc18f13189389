namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>A materialized view in <see cref="PostgreSqlToc"/>: pg_dump --schema-only creates it WITH NO
/// DATA, so the restore refreshes the ones that were populated, after the data and post-data.</summary>
public sealed class PostgreSqlTocMaterializedView
{
    /// <summary>Schema, unquoted.</summary>
    public string Schema { get; set; } = "";
    /// <summary>Name, unquoted.</summary>
    public string Name { get; set; } = "";
    /// <summary>pg_class.relispopulated in the backup's snapshot.</summary>
    public bool Populated { get; set; }
}
