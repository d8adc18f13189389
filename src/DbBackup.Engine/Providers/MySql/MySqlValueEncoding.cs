namespace DbBackup.Engine.Providers.MySql;

/// <summary>How one column's values are written in a data file (one row per line, tab-separated,
/// <c>\N</c> for NULL). Every form is exact and contains no tab, newline or quote.</summary>
internal enum MySqlValueEncoding
{
    /// <summary>Upper-case HEX() of the stored bytes (strings in their column charset, blobs, JSON, spatial).</summary>
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
}
