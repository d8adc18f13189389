namespace DbBackup.Engine.Providers.MySql;

/// <summary>One table to read: its stored columns, the since-filter (or null) and its data file (null
/// when only checksums are wanted).</summary>
internal sealed record MySqlTableJob(string Table, List<MySqlColumn> Columns, string? Where, string? File);
