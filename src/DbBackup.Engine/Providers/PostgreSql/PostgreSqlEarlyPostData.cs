using System.Globalization;
using System.Text.RegularExpressions;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The post-data indexes and keys of a table that are built as soon as that table's rows are in,
/// while other tables still load (what <c>pg_restore -j</c> does), instead of after all the data.</summary>
/// <remarks>Only an INDEX or CONSTRAINT (primary key, unique, exclusion) entry that depends on exactly one
/// table and on no other post-data entry, of a table outside every partition and inheritance tree: such a
/// build reads that table alone, so building it earlier gives the same object. Foreign keys, attaches,
/// triggers, rules, comments and privileges keep their places in <see cref="PostgreSqlPostDataPhases"/>.</remarks>
internal sealed partial class PostgreSqlEarlyPostData
{
    private readonly Dictionary<(string Schema, string Name), List<string>> _byTable;
    private readonly Dictionary<string, string> _sql;
    private readonly HashSet<string> _shared;

    private PostgreSqlEarlyPostData(Dictionary<(string Schema, string Name), List<string>> byTable, Dictionary<string, string> sql, HashSet<string> shared)
        => (_byTable, _sql, _shared) = (byTable, sql, shared);

    /// <summary>No entry is built early.</summary>
    public static PostgreSqlEarlyPostData None { get; } = new([], [], []);

    /// <summary>Whether an early line only creates an index (CREATE INDEX takes the table's SHARE lock, so such builds
    /// of one table run side by side); a key or anything else with ALTER TABLE (a CLUSTER ON after an index) holds a
    /// lock the others wait for.</summary>
    public bool Shared(string line) => _shared.Contains(line);

    /// <summary>What pg_restore would send for one of the early lines: the script's preamble, the tablespace and
    /// access method settings in force at that entry, and the entry's own SQL (<see cref="PostgreSqlRestoreScript.SqlFor"/>).</summary>
    public string SqlOf(string line) => _sql[line];

    /// <summary>Every early entry's <c>pg_restore -l</c> line, to leave out of the later phases.</summary>
    public IReadOnlySet<string> Lines => _byTable.Values.SelectMany(l => l).ToHashSet(StringComparer.Ordinal);

    /// <summary>The <c>pg_restore -l</c> lines to run once the table is loaded, or null.</summary>
    public IReadOnlyList<string>? For(string schema, string name) => _byTable.GetValueOrDefault((schema, name));

    /// <summary>Picks the early entries among <paramref name="postDataListing"/> (<c>pg_restore -l --section=post-data</c>)
    /// by the dependencies in <paramref name="script"/> (<c>pg_restore -v -f -</c> of the whole schema archive),
    /// for the <paramref name="tables"/> that may take them (loaded directly, not through a partition root).</summary>
    public static PostgreSqlEarlyPostData Plan(string postDataListing, PostgreSqlRestoreScript script, IReadOnlyCollection<(string Schema, string Name)> tables)
    {
        var post = new Dictionary<int, string>();
        foreach (var line in postDataListing.Split('\n'))
            if (EntryId().Match(line) is { Success: true } m) post[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)] = line; // as PostgreSqlPostDataPhases.Split sees it
        var tableEntries = script.Entries.Where(e => e.Type == "TABLE").ToDictionary(e => e.Id);
        // A parent, a child (inheritance or partition) or an attached partition: its indexes interact with others'.
        var entangled = new HashSet<int>();
        foreach (var e in script.Entries)
            foreach (var d in e.Dependencies.Where(tableEntries.ContainsKey))
                if (e.Type == "TABLE") { entangled.Add(e.Id); entangled.Add(d); }
                else if (e.Type is "TABLE ATTACH" or "INDEX ATTACH") entangled.Add(d);
        var wanted = tables.ToHashSet();
        var byTable = new Dictionary<(string Schema, string Name), List<string>>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var shared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in script.Entries)
        {
            if (e.Type is not ("INDEX" or "CONSTRAINT") || !post.TryGetValue(e.Id, out var line)) continue;
            var onTables = e.Dependencies.Where(tableEntries.ContainsKey).Distinct().ToList(); // an expression index lists its table twice
            if (onTables.Count != 1 || entangled.Contains(onTables[0]) || e.Dependencies.Any(post.ContainsKey)) continue;
            var table = tableEntries[onTables[0]];
            if (!wanted.Contains((table.Schema, table.Name))) continue;
            if (!byTable.TryGetValue((table.Schema, table.Name), out var lines)) byTable[(table.Schema, table.Name)] = lines = [];
            lines.Add(line);
            ids[line] = e.Id;
            if (e.Type == "INDEX" && !e.Sql.Contains("ALTER TABLE", StringComparison.Ordinal)) shared.Add(line);
        }
        var sql = script.SqlForEach(ids.Values.ToHashSet());
        return new PostgreSqlEarlyPostData(byTable, ids.ToDictionary(p => p.Key, p => sql[p.Value], StringComparer.Ordinal), shared);
    }

    /// <summary>"dumpId; catalogOid objectOid TYPE …": group 1 is the dump id.</summary>
    [GeneratedRegex(@"^\s*(\d+);\s*\d+\s+\d+\s")]
    private static partial Regex EntryId();
}
