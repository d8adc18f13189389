namespace DbBackup.Engine.Providers.MySql;

/// <summary>How one column's values are written in a data file (one row per line, tab-separated,
/// <c>\N</c> for NULL). Every form is exact and contains no raw tab or newline; a backslash only
/// starts an escape (<see cref="Escaped"/>) or the NULL marker.</summary>
internal enum MySqlValueEncoding
{
    /// <summary>Upper-case HEX() of the stored bytes (strings in their column charset, blobs, JSON, spatial).
    /// Written by payload formats 1 to 3; still read.</summary>
    Hex,
    /// <summary>Decimal integer text (all integer types).</summary>
    Integer,
    /// <summary>DECIMAL text as the server prints it (exact).</summary>
    Decimal,
    /// <summary>FLOAT widened exactly to DOUBLE and printed as the shortest text that round-trips the double.</summary>
    Float,
    /// <summary>DOUBLE printed as the shortest text that round-trips it.</summary>
    Double,
    /// <summary>BIT as an unsigned integer.</summary>
    Bit,
    /// <summary>DATE/DATETIME/TIMESTAMP/TIME/YEAR text with full fractional seconds (TIMESTAMP in UTC).</summary>
    Temporal,
    /// <summary>The stored bytes themselves (strings in their column charset, blobs, JSON, spatial) with
    /// LOAD DATA's escapes: backslash as <c>\\</c>, tab as <c>\t</c>, newline as <c>\n</c>; every other byte
    /// as it is. Written from payload format 4 on, in place of <see cref="Hex"/>: the text compresses
    /// 12 % smaller and faster than its hex, and LOAD DATA takes the field as it is (bench/README.md,
    /// "MariaDB payload size by table").</summary>
    Escaped,
}
