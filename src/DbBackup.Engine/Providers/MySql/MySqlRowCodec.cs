using System.Text;
using System.Text.RegularExpressions;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>The exact data-file form of rows: the SELECT that produces it, the check of what the
/// client printed, and the INSERT that loads it back. See <see cref="MySqlValueEncoding"/>.</summary>
internal static partial class MySqlRowCodec
{
    /// <summary>What the dump SELECT yields for a non-NULL value whose HEX() exceeded the server's
    /// max_allowed_packet (the server then returns NULL with a warning; we must not store it as NULL).</summary>
    private const byte TooLargeMarker = (byte)'!';

    /// <summary>The select-list expression for one column.</summary>
    public static string SelectExpression(MySqlColumn column)
    {
        var c = MySqlSyntax.Identifier(column.Name);
        return column.Encoding switch
        {
            MySqlValueEncoding.Hex => $"IF({c} IS NULL, NULL, IFNULL(HEX({c}), '!'))",
            // The widening FLOAT→DOUBLE is exact, and the server prints doubles in their shortest
            // round-trip form, so the text parses back to the same double, which is exactly the float.
            MySqlValueEncoding.Float => $"CAST({c} AS DOUBLE)",
            MySqlValueEncoding.Bit => $"CAST({c} AS UNSIGNED)",
            _ => c,
        };
    }

    /// <summary>SELECT of one table's stored columns, optionally filtered.</summary>
    public static string SelectStatement(string database, string table, IReadOnlyList<MySqlColumn> columns, string? where)
        => "SELECT " + string.Join(", ", columns.Select(SelectExpression)) + " FROM " + MySqlSyntax.Qualified(database, table)
           + (where == null ? "" : " WHERE " + where);

    /// <summary>Turns one line the client printed into the canonical data-file line: checks the field
    /// count and each field's form, writes NULL as \N. Throws on anything unexpected.</summary>
    public static void Canonicalize(ReadOnlySpan<byte> line, IReadOnlyList<MySqlColumn> columns, string table, List<byte> output)
    {
        output.Clear();
        var index = 0;
        while (true)
        {
            var tab = line.IndexOf((byte)'\t');
            var field = tab < 0 ? line : line[..tab];
            if (index >= columns.Count) throw Unexpected(table, "more fields than columns");
            if (index > 0) output.Add((byte)'\t');
            if (field.SequenceEqual("NULL"u8))
            {
                output.Add((byte)'\\');
                output.Add((byte)'N');
            }
            else
            {
                if (field.Length == 1 && field[0] == TooLargeMarker)
                    throw new DbBackupException(ErrorKind.ServerError, "MySqlValueTooLarge",
                        $"A value in column '{columns[index].Name}' of table '{table}' is larger than half the server's " +
                        "max_allowed_packet, so it cannot be read exactly. Raise max_allowed_packet on the server (up to 1G) and retry.");
                if (!IsValid(field, columns[index].Encoding)) throw Unexpected(table, $"column '{columns[index].Name}' printed an unexpected form");
                output.AddRange(field);
            }
            index++;
            if (tab < 0) break;
            line = line[(tab + 1)..];
        }
        if (index != columns.Count) throw Unexpected(table, $"{index} fields for {columns.Count} columns");
    }

    private static DbBackupException Unexpected(string table, string what)
        => new(ErrorKind.InvalidData, "MySqlUnexpectedRow", $"Reading table '{table}': {what}.");

    /// <summary>Appends "(v1,v2,…)" for one data-file line, every value validated against its
    /// column's encoding so nothing from the file is spliced into SQL unchecked.</summary>
    public static void AppendTuple(StringBuilder sql, string line, IReadOnlyList<MySqlColumn> columns, string table, long lineNumber)
    {
        var fields = line.Split('\t');
        if (fields.Length != columns.Count)
            throw Corrupt(table, lineNumber, $"{fields.Length} fields, expected {columns.Count}");
        sql.Append('(');
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) sql.Append(',');
            var f = fields[i];
            var column = columns[i];
            if (f == "\\N")
            {
                sql.Append("NULL");
                continue;
            }
            if (!IsValid(Encoding.ASCII.GetBytes(f), column.Encoding)) throw Corrupt(table, lineNumber, $"bad value for column '{column.Name}'");
            switch (column.Encoding)
            {
                case MySqlValueEncoding.Hex:
                    if (column.CharacterSet is { } cs) sql.Append('_').Append(cs).Append(' ');
                    sql.Append("X'").Append(f).Append('\'');
                    break;
                case MySqlValueEncoding.Integer or MySqlValueEncoding.Decimal or MySqlValueEncoding.Bit:
                    sql.Append(f);
                    break;
                default:
                    // Quoted text: the server converts it with correctly rounded strtod (floats) or its
                    // temporal parser, both exact for the forms we wrote.
                    sql.Append('\'').Append(f).Append('\'');
                    break;
            }
        }
        sql.Append(')');
    }

    private static DbBackupException Corrupt(string table, long lineNumber, string what)
        => new(ErrorKind.InvalidData, "MySqlCorruptDataFile", $"The data file of table '{table}' is damaged at line {lineNumber}: {what}.");

    /// <summary>True when <paramref name="field"/> is a well-formed value of <paramref name="encoding"/>.</summary>
    public static bool IsValid(ReadOnlySpan<byte> field, MySqlValueEncoding encoding)
    {
        var text = Encoding.ASCII.GetString(field);
        return encoding switch
        {
            MySqlValueEncoding.Hex => field.Length % 2 == 0 && HexPattern().IsMatch(text),
            MySqlValueEncoding.Integer => IntegerPattern().IsMatch(text),
            MySqlValueEncoding.Bit => UnsignedPattern().IsMatch(text),
            MySqlValueEncoding.Decimal => DecimalPattern().IsMatch(text),
            MySqlValueEncoding.Float or MySqlValueEncoding.Double => FloatPattern().IsMatch(text),
            MySqlValueEncoding.Temporal => TemporalPattern().IsMatch(text),
            _ => false,
        };
    }

    [GeneratedRegex("^[0-9A-F]*$")] private static partial Regex HexPattern();
    [GeneratedRegex("^-?[0-9]+$")] private static partial Regex IntegerPattern();
    [GeneratedRegex("^[0-9]+$")] private static partial Regex UnsignedPattern();
    [GeneratedRegex("^-?[0-9]+(\\.[0-9]+)?$")] private static partial Regex DecimalPattern();
    [GeneratedRegex("^-?[0-9]+(\\.[0-9]+)?(e[-+]?[0-9]+)?$", RegexOptions.IgnoreCase)] private static partial Regex FloatPattern();
    [GeneratedRegex("^-?[0-9][0-9:. -]*$")] private static partial Regex TemporalPattern();
}
