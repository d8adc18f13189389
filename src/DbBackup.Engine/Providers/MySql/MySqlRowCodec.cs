using System.Buffers;
using System.Text;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>The exact data-file form of rows: the SELECT that produces it, the check of each line, and
/// the INSERT that loads it back where LOAD DATA cannot, and LOAD DATA's escapes. See <see cref="MySqlValueEncoding"/>.</summary>
internal static class MySqlRowCodec
{
    /// <summary>The select-list expression for one column read through the driver: every value as the
    /// bytes of a binary string, so nothing is converted on the way. Strings, blobs, JSON and spatial
    /// values come as their stored bytes (escaped by the reader, see <see cref="Escape"/>); numbers
    /// and temporal values as the server's exact text, the same text the client printed.</summary>
    public static string DriverSelectExpression(MySqlColumn column)
    {
        var c = MySqlSyntax.Identifier(column.Name);
        return column.Encoding switch
        {
            MySqlValueEncoding.Float => $"CAST(CAST({c} AS DOUBLE) AS BINARY)",
            MySqlValueEncoding.Bit => $"CAST(CAST({c} AS UNSIGNED) AS BINARY)",
            _ => $"CAST({c} AS BINARY)",
        };
    }

    /// <summary>Checks one data-file line: its field count and every value's form (or \N). Throws
    /// MySqlCorruptDataFile naming the table and line.</summary>
    public static void CheckLine(ReadOnlySpan<byte> line, IReadOnlyList<MySqlColumn> columns, string table, long lineNumber)
    {
        var fieldCount = line.Count((byte)'\t') + 1;
        if (fieldCount != columns.Count)
            throw Corrupt(table, lineNumber, $"{fieldCount} fields, expected {columns.Count}");
        for (var i = 0; i < fieldCount; i++)
        {
            var tab = line.IndexOf((byte)'\t');
            var f = tab < 0 ? line : line[..tab];
            line = tab < 0 ? default : line[(tab + 1)..];
            if (!f.SequenceEqual("\\N"u8) && !IsValid(f, columns[i].Encoding))
                throw Corrupt(table, lineNumber, $"bad value for column '{columns[i].Name}'");
        }
    }

    /// <summary>Appends "(v1,v2,…)" for one data-file line, every value validated against its
    /// column's encoding so nothing from the file is spliced into SQL unchecked.</summary>
    public static void AppendTuple(StringBuilder sql, ReadOnlySpan<byte> line, IReadOnlyList<MySqlColumn> columns, string table, long lineNumber)
    {
        CheckLine(line, columns, table, lineNumber);
        var fieldCount = columns.Count;
        sql.Append('(');
        for (var i = 0; i < fieldCount; i++)
        {
            var tab = line.IndexOf((byte)'\t');
            var f = tab < 0 ? line : line[..tab];
            line = tab < 0 ? default : line[(tab + 1)..];
            if (i > 0) sql.Append(',');
            var column = columns[i];
            if (f.SequenceEqual("\\N"u8))
            {
                sql.Append("NULL");
                continue;
            }
            switch (column.Encoding)
            {
                case MySqlValueEncoding.Hex or MySqlValueEncoding.Escaped:
                    if (column.CharacterSet is { } cs) sql.Append('_').Append(cs).Append(' ');
                    sql.Append("X'");
                    if (column.Encoding == MySqlValueEncoding.Hex) AppendAscii(sql, f);
                    else AppendUnescapedAsHex(sql, f);
                    sql.Append('\'');
                    break;
                case MySqlValueEncoding.Integer or MySqlValueEncoding.Decimal or MySqlValueEncoding.Bit:
                    AppendAscii(sql, f);
                    break;
                default:
                    // Quoted text: the server converts it with correctly rounded strtod (floats) or its
                    // temporal parser, both exact for the forms we wrote.
                    sql.Append('\'');
                    AppendAscii(sql, f);
                    sql.Append('\'');
                    break;
            }
        }
        sql.Append(')');
    }

    /// <summary>Appends bytes already validated as ASCII, without a string per value (hex values of
    /// blobs are large and there are millions of values per table).</summary>
    private static void AppendAscii(StringBuilder sql, ReadOnlySpan<byte> ascii)
    {
        Span<char> chars = stackalloc char[1024];
        while (ascii.Length > 0)
        {
            var n = Math.Min(ascii.Length, chars.Length);
            for (var i = 0; i < n; i++) chars[i] = (char)ascii[i];
            sql.Append(chars[..n]);
            ascii = ascii[n..];
        }
    }

    /// <summary>Appends the hex digits of the bytes an already validated escaped field stands for.</summary>
    private static void AppendUnescapedAsHex(StringBuilder sql, ReadOnlySpan<byte> escaped)
    {
        Span<char> chars = stackalloc char[1024];
        var n = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            var b = escaped[i];
            if (b == (byte)'\\')
            {
                b = escaped[++i] switch { (byte)'t' => (byte)'\t', (byte)'n' => (byte)'\n', var e => e };
            }
            chars[n++] = HexDigit(b >> 4);
            chars[n++] = HexDigit(b & 0xF);
            if (n == chars.Length)
            {
                sql.Append(chars);
                n = 0;
            }
        }
        sql.Append(chars[..n]);
    }

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    /// <summary>Writes <paramref name="value"/> with LOAD DATA's escapes for backslash, tab and newline into
    /// <paramref name="destination"/> (room for twice the value's length) and returns the bytes written.
    /// Every other byte, 0x00 and CR included, is taken as it is by LOAD DATA ... CHARACTER SET binary.</summary>
    public static int Escape(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        var written = 0;
        for (var at = value.IndexOfAny(EscapedBytes); at >= 0; at = value.IndexOfAny(EscapedBytes))
        {
            value[..at].CopyTo(destination[written..]);
            written += at;
            destination[written++] = (byte)'\\';
            destination[written++] = value[at] switch { (byte)'\t' => (byte)'t', (byte)'\n' => (byte)'n', var b => b };
            value = value[(at + 1)..];
        }
        value.CopyTo(destination[written..]);
        return written + value.Length;
    }

    private static DbBackupException Corrupt(string table, long lineNumber, string what)
        => new(ErrorKind.InvalidData, "MySqlCorruptDataFile", $"The data file of table '{table}' is damaged at line {lineNumber}: {what}.");

    /// <summary>True when <paramref name="field"/> is a well-formed value of <paramref name="encoding"/>.
    /// Hand-written over the bytes rather than regular expressions over a decoded string: it runs for
    /// every value of every row on both backup and restore.</summary>
    public static bool IsValid(ReadOnlySpan<byte> field, MySqlValueEncoding encoding) => encoding switch
    {
        // HEX() prints upper-case digits, two per byte.
        MySqlValueEncoding.Hex => field.Length % 2 == 0 && !field.ContainsAnyExcept(HexDigits),
        MySqlValueEncoding.Integer => IsNumber(field, allowSign: true, allowFraction: false, allowExponent: false),
        MySqlValueEncoding.Bit => IsNumber(field, allowSign: false, allowFraction: false, allowExponent: false),
        MySqlValueEncoding.Decimal => IsNumber(field, allowSign: true, allowFraction: true, allowExponent: false),
        MySqlValueEncoding.Float or MySqlValueEncoding.Double => IsNumber(field, allowSign: true, allowFraction: true, allowExponent: true),
        MySqlValueEncoding.Temporal => IsTemporal(field),
        MySqlValueEncoding.Escaped => IsEscaped(field),
        _ => false,
    };

    private static readonly SearchValues<byte> EscapedBytes = SearchValues.Create("\\\t\n"u8);
    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789ABCDEF"u8);
    private static readonly SearchValues<byte> Digits = SearchValues.Create("0123456789"u8);
    private static readonly SearchValues<byte> TemporalTail = SearchValues.Create("0123456789:. -"u8);

    /// <summary>[-]digits[.digits][(e|E)[+|-]digits], each part only where allowed.</summary>
    private static bool IsNumber(ReadOnlySpan<byte> f, bool allowSign, bool allowFraction, bool allowExponent)
    {
        if (allowSign && f.Length > 0 && f[0] == (byte)'-') f = f[1..];
        if (!SkipDigits(ref f)) return false;
        if (allowFraction && f.Length > 0 && f[0] == (byte)'.')
        {
            f = f[1..];
            if (!SkipDigits(ref f)) return false;
        }
        if (allowExponent && f.Length > 0 && (f[0] == (byte)'e' || f[0] == (byte)'E'))
        {
            f = f[1..];
            if (f.Length > 0 && (f[0] == (byte)'-' || f[0] == (byte)'+')) f = f[1..];
            if (!SkipDigits(ref f)) return false;
        }
        return f.Length == 0;
    }

    /// <summary>Skips one or more leading digits; false when there is none.</summary>
    private static bool SkipDigits(ref ReadOnlySpan<byte> f)
    {
        var end = f.IndexOfAnyExcept(Digits);
        if (end == 0 || f.Length == 0) return false;
        f = end < 0 ? default : f[end..];
        return true;
    }

    /// <summary>No raw tab or newline, and every backslash starts one of the escapes <c>\\</c>, <c>\t</c>, <c>\n</c>.</summary>
    private static bool IsEscaped(ReadOnlySpan<byte> f)
    {
        for (var at = f.IndexOfAny(EscapedBytes); at >= 0; at = f.IndexOfAny(EscapedBytes))
        {
            if (f[at] != (byte)'\\' || at + 1 == f.Length || f[at + 1] is not ((byte)'\\' or (byte)'t' or (byte)'n')) return false;
            f = f[(at + 2)..];
        }
        return true;
    }

    /// <summary>[-]digit then digits, ':', '.', ' ' or '-' (dates, times, datetimes, years).</summary>
    private static bool IsTemporal(ReadOnlySpan<byte> f)
    {
        if (f.Length > 0 && f[0] == (byte)'-') f = f[1..];
        return f.Length > 0 && Digits.Contains(f[0]) && !f[1..].ContainsAnyExcept(TemporalTail);
    }
}
