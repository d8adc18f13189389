using DbBackup.Engine.Providers;

namespace DbBackup.Engine.Operations;

/// <summary>Resolves a user's table list against the database and the since-filter's date column.
/// Names are matched, never spliced: the provider quotes the resolved identifiers.</summary>
public static class TableSelection
{
    /// <summary>Column names tried, in order, when no date column is given (case-insensitive),
    /// covering the usual conventions (Rails/Django/Laravel, Mambu's creationdate, .NET's CreatedOn).</summary>
    public static readonly IReadOnlyList<string> DateColumnCandidates =
        ["created_at", "creationdate", "creation_date", "created", "created_on", "createdon", "createdat", "date_created", "inserted_at", "create_time"];

    /// <summary>The tables named by <paramref name="requested"/> ("schema.table" or "table"), or all
    /// tables when none are named. Unknown or ambiguous names are refused in one error listing all of them.</summary>
    public static IReadOnlyList<TableInfo> Resolve(IReadOnlyList<TableInfo> available, IReadOnlyList<string> requested, string database)
    {
        if (requested.Count == 0) return available;
        var result = new List<TableInfo>();
        var unknown = new List<string>();
        var ambiguous = new List<string>();
        foreach (var name in requested.Distinct(StringComparer.Ordinal))
        {
            var exact = available.Where(t => t.QualifiedName == name || (t.Schema.Length > 0 && $"{t.Schema}.{t.Name}" == name)).ToList();
            var byName = exact.Count > 0 ? exact : available.Where(t => t.Name == name).ToList();
            if (byName.Count == 0) byName = available.Where(t => string.Equals(t.QualifiedName, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (byName.Count == 1) { if (!result.Contains(byName[0])) result.Add(byName[0]); }
            else if (byName.Count == 0) unknown.Add(name);
            else ambiguous.Add($"{name} ({string.Join(", ", byName.Select(t => t.QualifiedName))})");
        }
        if (unknown.Count > 0)
        {
            var sample = string.Join(", ", available.Take(20).Select(t => t.QualifiedName)) + (available.Count > 20 ? ", …" : "");
            throw new DbBackupException(ErrorKind.InvalidArgument, "UnknownTable",
                $"Unknown table(s) in database '{database}': [{string.Join(", ", unknown)}]. Tables that exist: [{sample}].")
            { TargetObject = unknown };
        }
        if (ambiguous.Count > 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "AmbiguousTable",
                $"Table name(s) match more than one table; qualify them with the schema: {string.Join("; ", ambiguous)}.")
            { TargetObject = ambiguous };
        return result;
    }

    /// <summary>The date column the since-filter uses on every selected table: <paramref name="explicitColumn"/>
    /// or the first candidate any table has. Refuses a selection where some tables lack it with the
    /// seed's message "Tables which cannot be filtered by date: [..]".</summary>
    public static string ResolveDateColumn(IReadOnlyList<TableInfo> tables, string? explicitColumn)
    {
        string? column = explicitColumn;
        if (string.IsNullOrWhiteSpace(column))
        {
            column = DateColumnCandidates.FirstOrDefault(c => tables.Any(t => t.DateColumns.Any(d => string.Equals(d, c, StringComparison.OrdinalIgnoreCase))));
            if (column == null)
                throw new DbBackupException(ErrorKind.InvalidArgument, "NoDateColumn",
                    $"The provided table list is invalid. Tables which cannot be filtered by date: [{string.Join(", ", tables.Select(t => t.QualifiedName))}]. " +
                    $"None has a date column named {string.Join(", ", DateColumnCandidates)}; name one with --date-column / -DateColumn.");
        }
        var lacking = tables.Where(t => !t.DateColumns.Any(d => string.Equals(d, column, StringComparison.OrdinalIgnoreCase))).ToList();
        if (lacking.Count > 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "TablesNotFilterableByDate",
                $"The provided table list is invalid. Tables which cannot be filtered by date: [{string.Join(", ", lacking.Select(t => t.QualifiedName))}] " +
                $"(no date/time column '{column}'). Back them up in a separate backup without --since.")
            { TargetObject = lacking.Select(t => t.QualifiedName).ToArray() };
        // Use the table's own spelling of the column (case) so the provider quotes it exactly.
        return tables[0].DateColumns.First(d => string.Equals(d, column, StringComparison.OrdinalIgnoreCase));
    }
}
