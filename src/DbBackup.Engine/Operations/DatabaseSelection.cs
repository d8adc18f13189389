namespace DbBackup.Engine.Operations;

/// <summary>Which databases of one server a call is about, as Backup-DbaDatabase takes them: names
/// and wildcard patterns (<see cref="DatabaseNamePattern"/>), every user database, minus exclusions.</summary>
public sealed class DatabaseSelection
{
    /// <summary>Names or patterns; empty with <see cref="All"/>.</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];

    /// <summary>Every user database of the server (see IDatabaseProvider.ListDatabasesAsync).</summary>
    public bool All { get; init; }

    /// <summary>Names or patterns to leave out.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>True when the server must be asked which databases exist (a pattern or All); plain
    /// names are taken as given, so a missing one fails in its own backup with DatabaseNotFound.</summary>
    public bool NeedsServerList => All || Databases.Any(DatabaseNamePattern.HasWildcards);
}
