using System.Text.RegularExpressions;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Which of LOAD DATA's warnings mean a value was not taken as it was. One does not: an ENUM
/// column holding its error value (index 0, stored where a non-strict session inserted a non-member)
/// dumps as '' and can only come back with the server's "Data truncated" warning, which stores the
/// same index 0, as a mariadb-dump restore does. Every other warning fails the load.</summary>
internal static partial class MySqlLoadWarnings
{
    /// <summary>Session setting so SHOW WARNINGS lists every warning of a load, not the first 64.</summary>
    public const string SessionSetup = "SET SESSION max_error_count = 65535";

    /// <summary>The warnings (Level, Code, Message rows of SHOW WARNINGS) that are real losses.</summary>
    public static List<string[]> Losses(IEnumerable<string[]> warnings, IReadOnlyList<MySqlColumn> columns)
    {
        var errorValueColumns = columns.Where(HoldsErrorValueAsEmpty).Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return warnings.Where(w => !(w.Length >= 3 && w[1] == "1265" && TruncatedColumn().Match(w[2]) is { Success: true } m
            && errorValueColumns.Contains(m.Groups[1].Value))).ToList();
    }

    /// <summary>True when a column of the table may hold an ENUM error value.</summary>
    public static bool MayHoldErrorValues(IEnumerable<MySqlColumn> columns) => columns.Any(HoldsErrorValueAsEmpty);

    /// <summary>True for an ENUM without an '' member: there '' in the data file can only be the error
    /// value. Where the member list might hold '' (a false match only keeps the strict check), no.</summary>
    private static bool HoldsErrorValueAsEmpty(MySqlColumn column)
        => column.DataType == "enum" && !EmptyMember().IsMatch(column.ColumnType);

    [GeneratedRegex(@"[(,]''[,)]")]
    private static partial Regex EmptyMember();

    [GeneratedRegex(@"^Data truncated for column '(.*)' at row \d+$")]
    private static partial Regex TruncatedColumn();
}
