namespace DbBackup.Engine.Providers.MySql;

/// <summary>One unit of table data read by one session: a whole table, or one primary-key range of a
/// big one. <paramref name="Where"/> combines the since-filter and the range.</summary>
internal sealed record MySqlDataPart(int Table, int Index, string? File, string? Where, long EstimatedBytes);
