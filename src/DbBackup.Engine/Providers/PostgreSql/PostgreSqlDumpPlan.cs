namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>What one dump covers, resolved under the dump's snapshot.</summary>
internal sealed class PostgreSqlDumpPlan
{
    /// <summary>Tables whose rows are copied, largest first.</summary>
    public required IReadOnlyList<PostgreSqlDumpTable> DataTables { get; init; }
    /// <summary>Relations (schema, name) whose definitions pg_dump takes with -t, or null for the whole database.</summary>
    public required IReadOnlyList<(string Schema, string Name)>? SchemaRelations { get; init; }
    /// <summary>Schemas a table-subset restore must create first (pg_dump -t does not dump them).</summary>
    public required IReadOnlyList<string> SubsetSchemas { get; init; }
    /// <summary>Sequences whose positions are saved.</summary>
    public required IReadOnlyList<(string Schema, string Name)> Sequences { get; init; }
}
