namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>A table whose rows a dump copies: a plain table or a leaf partition.</summary>
/// <param name="Schema">Schema, unquoted.</param>
/// <param name="Name">Name, unquoted.</param>
/// <param name="Columns">Non-generated columns in ordinal order.</param>
/// <param name="EstimatedBytes">relpages × block size (an estimate), for ordering and progress.</param>
internal sealed record PostgreSqlDumpTable(string Schema, string Name, IReadOnlyList<string> Columns, long EstimatedBytes)
{
    /// <summary>The partition root its rows are loaded through on restore (see PostgreSqlCatalog.LoadViaRoot), or null.</summary>
    public (string Schema, string Name)? LoadVia { get; init; }

    /// <summary>schema.name as a user would write it (unquoted, for messages and progress).</summary>
    public string DisplayName => Schema + "." + Name;
}
