using DbBackup.Engine.Providers;

namespace DbBackup.Engine.Operations;

/// <summary>Which databases of a server a selection (names, wildcards, all, exclusions) names.</summary>
internal sealed class DatabaseResolver(EngineContext context)
{
    /// <summary>The databases <paramref name="selection"/> names on the server of <paramref name="server"/>,
    /// ordered and without repeats. A pattern that matches nothing, or a selection left empty by its
    /// exclusions, is an error naming it (nothing is started for a typo).</summary>
    public async Task<IReadOnlyList<string>> ResolveDatabasesAsync(ConnectionTarget server, DatabaseSelection selection, CancellationToken cancellationToken)
    {
        if (selection.All && selection.Databases.Count > 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "DatabaseSelectionConflict",
                $"Give either --all-databases / -AllDatabases or database names ({string.Join(", ", selection.Databases)}), not both.");
        if (!selection.All && selection.Databases.Count == 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "DatabaseRequired",
                "Name the database with --database / -Database (names or wildcards), or back up every database with --all-databases / -AllDatabases.");
        var exclude = selection.Exclude.Select(e => new DatabaseNamePattern(e)).ToList();
        // DbBackup's own working databases (restore asides, verify scratch copies) are never selected
        // by a pattern or by All; a plain name is still taken as given.
        IReadOnlyList<string> onServer = selection.NeedsServerList
            ? (await context.Provider(server.Engine).ListDatabasesAsync(server, cancellationToken).ConfigureAwait(false))
                .Where(d => !RestoreDatabaseNames.IsWorkingDatabase(d)).ToList()
            : [];
        var chosen = new List<string>();
        if (selection.All) chosen.AddRange(onServer);
        foreach (var text in selection.Databases)
        {
            var pattern = new DatabaseNamePattern(text);
            if (pattern.Literal is { } name) { chosen.Add(name); continue; }
            var matches = onServer.Where(pattern.IsMatch).ToList();
            if (matches.Count == 0)
                throw new DbBackupException(ErrorKind.NotFound, "NoDatabaseMatches",
                    $"No database on {server.Server}:{server.Port} matches '{text}'. {Listing(onServer, text)}") { TargetObject = text };
            chosen.AddRange(matches);
        }
        var result = chosen.Where(d => !exclude.Any(x => x.IsMatch(d))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (result.Count == 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "NoDatabaseSelected",
                $"--exclude-database / -ExcludeDatabase ({string.Join(", ", selection.Exclude)}) leaves no database of {string.Join(", ", chosen.Distinct())} to back up.");
        return result;
    }

    // The names closest to what was typed: those sharing the longest start with the pattern's literal
    // prefix (so 'shop_x*' suggests shop_eu and shop_us, not every database of the server).
    private static string Listing(IReadOnlyList<string> names, string pattern)
    {
        if (names.Count == 0) return "The server has no user databases.";
        var prefix = new string(pattern.TakeWhile(c => c is not ('*' or '?' or '[' or '`')).ToArray());
        for (var length = prefix.Length; length > 0; length--)
        {
            var near = names.Where(n => n.StartsWith(prefix[..length], StringComparison.OrdinalIgnoreCase)).ToList();
            if (near.Count > 0)
                return $"Databases starting with '{prefix[..length]}': {string.Join(", ", near.Take(12))}{(near.Count > 12 ? $" and {near.Count - 12} more" : "")}.";
        }
        return $"None of its {names.Count} databases starts like it.";
    }
}
