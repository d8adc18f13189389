using DbBackup.Engine.Artifacts;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Which line form a table's content checksum was taken over. The checksum is the
/// <see cref="RowSetChecksum"/> of the data-file lines, so it depends on how values are written:
/// backups before payload format 4 wrote strings and blobs as hex, later ones as escaped bytes. A
/// checksum over escaped lines is stored with the prefix <see cref="EscapedPrefix"/>, so a verify that
/// recomputes it from a restored database (which sees only the manifest's table stats) takes the same
/// form, and an older backup's bare checksum still compares with its hex form.</summary>
internal static class MySqlChecksumForm
{
    /// <summary>Prefix of a checksum taken over lines with <see cref="MySqlValueEncoding.Escaped"/> values.</summary>
    public const string EscapedPrefix = "escaped:";

    /// <summary>The stored form of a table's checksum read with <paramref name="columns"/>.</summary>
    public static string Of(RowSetChecksum checksum, IReadOnlyList<MySqlColumn> columns)
        => columns.Any(c => c.Encoding == MySqlValueEncoding.Escaped) ? EscapedPrefix + checksum.Value : checksum.Value;

    /// <summary>True when <paramref name="checksum"/> was taken over escaped lines.</summary>
    public static bool IsEscaped(string checksum) => checksum.StartsWith(EscapedPrefix, StringComparison.Ordinal);

    /// <summary><paramref name="columns"/> with escaped values read as hex, the form of a checksum without the prefix.</summary>
    public static List<MySqlColumn> AsHex(IEnumerable<MySqlColumn> columns) => columns.Select(c => c.Encoding != MySqlValueEncoding.Escaped ? c : new MySqlColumn
    {
        Name = c.Name, DataType = c.DataType, ColumnType = c.ColumnType, CharacterSet = c.CharacterSet, Encoding = MySqlValueEncoding.Hex,
    }).ToList();
}
