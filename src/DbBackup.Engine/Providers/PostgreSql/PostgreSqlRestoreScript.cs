using System.Globalization;
using System.Text;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The SQL pg_restore writes for one section of a schema archive (<c>pg_restore -v -f -</c>),
/// split into its TOC entries so that only the entries of some tables can be run. Verbose output heads
/// each entry with <c>-- TOC entry N</c>, <c>-- Dependencies: …</c> and <c>-- Name: …; Type: …; Schema: …</c>.
/// psql meta-commands (the <c>\restrict</c>/<c>\unrestrict</c> lines of pg_dump 15.14 and later) are dropped:
/// the SQL runs through a driver, not psql.</summary>
internal sealed class PostgreSqlRestoreScript
{
    private const string EntryMarker = "\n--\n-- TOC entry ";

    /// <summary>One TOC entry of the script.</summary>
    public sealed record Entry(int Id, IReadOnlyList<int> Dependencies, string Name, string Type, string Schema, string Sql);

    /// <summary>The session settings before the first entry (search_path, client_encoding …).</summary>
    public string Preamble { get; private init; } = "";

    /// <summary>The entries in pg_restore's order (dependencies first).</summary>
    public IReadOnlyList<Entry> Entries { get; private init; } = [];

    /// <summary>Parses pg_restore's verbose plain-text output.</summary>
    public static PostgreSqlRestoreScript Parse(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var pieces = text.Split(EntryMarker);
        var entries = new List<Entry>();
        foreach (var piece in pieces.Skip(1))
        {
            var lines = piece.Split('\n');
            var id = int.Parse(lines[0].Split(' ', 2)[0], CultureInfo.InvariantCulture);
            var deps = new List<int>();
            string name = "", type = "", schema = "";
            foreach (var line in lines.Skip(1).TakeWhile(l => l != "--"))
            {
                if (line.StartsWith("-- Dependencies: ", StringComparison.Ordinal))
                    deps.AddRange(line["-- Dependencies: ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(d => int.Parse(d, CultureInfo.InvariantCulture)));
                else if (line.StartsWith("-- Name: ", StringComparison.Ordinal))
                    (name, type, schema) = ParseNameLine(line);
            }
            entries.Add(new Entry(id, deps, name, type, schema, WithoutMetaCommands(string.Join('\n', lines.Skip(1)))));
        }
        return new PostgreSqlRestoreScript { Preamble = WithoutMetaCommands(pieces[0]), Entries = entries };
    }

    /// <summary>"-- Name: a; Type: TABLE; Schema: public; Owner: x": the last separators win, so a name
    /// containing "; Type: " still parses.</summary>
    private static (string Name, string Type, string Schema) ParseNameLine(string line)
    {
        var body = line["-- Name: ".Length..];
        var owner = body.LastIndexOf("; Owner: ", StringComparison.Ordinal);
        if (owner >= 0) body = body[..owner];
        var schemaAt = body.LastIndexOf("; Schema: ", StringComparison.Ordinal);
        var typeAt = schemaAt < 0 ? -1 : body.LastIndexOf("; Type: ", schemaAt, StringComparison.Ordinal);
        if (typeAt < 0) return (body, "", "");
        return (body[..typeAt], body[(typeAt + "; Type: ".Length)..schemaAt], body[(schemaAt + "; Schema: ".Length)..]);
    }

    private static string WithoutMetaCommands(string sql)
        => string.Join('\n', sql.Split('\n').Where(l => !l.StartsWith('\\')));

    /// <summary>Entry kinds that belong to a table: restored with it when it is chosen, never on their own.</summary>
    private static readonly HashSet<string> Attached = new(StringComparer.Ordinal)
    {
        "COMMENT", "ACL", "SECURITY LABEL", "SEQUENCE", "SEQUENCE OWNED BY", "DEFAULT", "CONSTRAINT", "CHECK CONSTRAINT",
        "FK CONSTRAINT", "INDEX", "TRIGGER", "POLICY", "ROW SECURITY", "RULE", "STATISTICS", "PUBLICATION TABLE",
    };

    /// <summary>Kinds of objects that stand on their own and that a table, its defaults or its triggers
    /// can need: brought into a new database with the tables that depend on them.</summary>
    private static readonly HashSet<string> Standalone = new(StringComparer.Ordinal)
    {
        "SEQUENCE", "TYPE", "DOMAIN", "FUNCTION", "PROCEDURE", "AGGREGATE", "EXTENSION", "COLLATION", "CONVERSION",
        "OPERATOR", "OPERATOR CLASS", "OPERATOR FAMILY", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY",
    };

    /// <summary>Kinds whose name is "table object": they belong to the table named first, even when they
    /// also depend on a chosen table (a foreign key of another table into a chosen one is not restored).</summary>
    private static readonly HashSet<string> NamedByTable = new(StringComparer.Ordinal)
    {
        "CONSTRAINT", "CHECK CONSTRAINT", "FK CONSTRAINT", "TRIGGER", "POLICY", "RULE", "DEFAULT",
    };

    /// <summary>The ids of the chosen tables' entries and of everything attached to them, across the
    /// given scripts (pre-data and post-data entries depend on each other). Refuses tables that are
    /// partitions or take part in inheritance: their definitions need other tables.</summary>
    /// <remarks>With <paramref name="keysToOtherTables"/> false, foreign keys to tables that are not chosen
    /// are left out (the new database has no such tables), as pg_restore -t leaves them. With
    /// <paramref name="theirDependencies"/> (a new database, which has none of them) the objects the chosen
    /// entries need come too: sequences their defaults draw from without being owned by them, types,
    /// domains, trigger functions, extensions, collations; where pg_restore -t fails on them. One that
    /// itself needs a table not chosen (a function over its row type) stays out.</remarks>
    public static HashSet<int> Select(IReadOnlyList<PostgreSqlRestoreScript> scripts, IReadOnlyList<(string Schema, string Name)> tables, bool keysToOtherTables = true,
        bool theirDependencies = false)
    {
        var all = scripts.SelectMany(s => s.Entries).ToList();
        var byId = all.GroupBy(e => e.Id).ToDictionary(g => g.Key, g => g.First());
        tables = WithWholeTrees(Partitions(scripts), tables);
        var selected = new HashSet<int>();
        foreach (var (schema, name) in tables)
        {
            var entry = all.FirstOrDefault(e => e.Type == "TABLE" && e.Schema == schema && e.Name == name)
                ?? throw new DbBackupException(ErrorKind.InvalidData, "TableNotInSchema", $"The backup's schema archive has no definition of table {schema}.{name}.") { TargetObject = $"{schema}.{name}" };
            selected.Add(entry.Id);
        }
        bool Owns(Entry e) => (!NamedByTable.Contains(e.Type)
                || tables.Any(t => e.Schema == t.Schema && e.Name.StartsWith(t.Name + " ", StringComparison.Ordinal)))
            && (keysToOtherTables || e.Type != "FK CONSTRAINT"
                || e.Dependencies.All(d => !byId.TryGetValue(d, out var p) || p.Type != "TABLE" || selected.Contains(d)));
        // An ATTACH comes when both its sides do: a partitioned table restored with all its partitions.
        bool Attaches(Entry e) => e.Type is "TABLE ATTACH" or "INDEX ATTACH" && AttachSides(e).Any() && AttachSides(e).All(selected.Contains);
        IEnumerable<int> AttachSides(Entry e) => e.Dependencies.Where(d => byId.TryGetValue(d, out var p) && p.Type is "TABLE" or "INDEX");
        bool Needed(Entry e) => theirDependencies && Standalone.Contains(e.Type)
            && all.Any(x => selected.Contains(x.Id) && x.Dependencies.Contains(e.Id))
            && e.Dependencies.All(d => !byId.TryGetValue(d, out var p) || p.Type != "TABLE" || selected.Contains(d));
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var e in all)
                if (!selected.Contains(e.Id) && ((Attached.Contains(e.Type) && e.Dependencies.Any(selected.Contains) && Owns(e)) || Attaches(e) || Needed(e)))
                    changed |= selected.Add(e.Id);
        }
        var entangled = all.Where(e => (e.Type is "TABLE ATTACH" or "INDEX ATTACH" && !selected.Contains(e.Id) && e.Dependencies.Any(selected.Contains))
                || (e.Type == "TABLE" && selected.Contains(e.Id) && e.Dependencies.Any(d => byId.TryGetValue(d, out var p) && p.Type == "TABLE" && !selected.Contains(d))))
            .Select(e => $"{e.Schema}.{e.Name}").Distinct().ToList();
        if (entangled.Count > 0)
            throw new DbBackupException(ErrorKind.NotSupported, "PartitionedTableReplace",
                $"Table(s) {string.Join(", ", entangled)} are partitions or inherit from other tables; they cannot be replaced on their own. " +
                // Into a new database the advice to use a new database would send the caller round in a circle.
                (theirDependencies ? "Restore the whole backup (without -Table / --table), or leave these tables out."
                    : "Restore into a new database with -TargetDatabase / --target-database.")) { TargetObject = entangled[0] };
        return selected;
    }

    /// <summary>The archive's partitions: (partitioned table, partition) for each TABLE ATTACH entry, which
    /// depends on the two tables and is named after the partition.</summary>
    public static IReadOnlyList<((string Schema, string Name) Parent, (string Schema, string Name) Partition)> Partitions(IReadOnlyList<PostgreSqlRestoreScript> scripts)
    {
        var all = scripts.SelectMany(s => s.Entries).ToList();
        var tables = all.Where(e => e.Type == "TABLE").GroupBy(e => e.Id).ToDictionary(g => g.Key, g => g.First());
        var list = new List<((string, string), (string, string))>();
        foreach (var attach in all.Where(e => e.Type == "TABLE ATTACH"))
        {
            var sides = attach.Dependencies.Where(tables.ContainsKey).Select(d => tables[d]).ToList();
            var parent = sides.FirstOrDefault(t => t.Schema != attach.Schema || t.Name != attach.Name);
            if (parent != null && sides.Any(t => t != parent)) list.Add(((parent.Schema, parent.Name), (attach.Schema, attach.Name)));
        }
        return list;
    }

    /// <summary><paramref name="tables"/> with every partitioned table all of whose partitions are among them
    /// (bottom up, so a sub-partitioned partition counts once its own partitions are all there): a backup
    /// records only the tables that hold rows, so a tree asked for by its root arrives as its leaves.</summary>
    public static IReadOnlyList<(string Schema, string Name)> WithWholeTrees(
        IReadOnlyList<((string Schema, string Name) Parent, (string Schema, string Name) Partition)> partitions, IReadOnlyList<(string Schema, string Name)> tables)
    {
        var set = new List<(string Schema, string Name)>(tables);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var parent in partitions.Select(p => p.Parent).Distinct().Where(p => !set.Contains(p)).ToList())
                if (partitions.Where(p => p.Parent == parent).All(p => set.Contains(p.Partition)))
                {
                    set.Add(parent);
                    changed = true;
                }
        }
        return set;
    }

    /// <summary>The SQL of the selected entries in script order, after the preamble. Unselected entries
    /// contribute only their trailing default_tablespace / default_table_access_method settings, which
    /// pg_restore emits once for the entries that follow.</summary>
    public string SqlFor(HashSet<int> selected)
    {
        var sql = new StringBuilder(Preamble).Append('\n');
        foreach (var e in Entries)
        {
            if (selected.Contains(e.Id)) sql.Append(e.Sql).Append('\n');
            else
                foreach (var line in e.Sql.Split('\n'))
                    if (line.StartsWith("SET default_tablespace = ", StringComparison.Ordinal) || line.StartsWith("SET default_table_access_method = ", StringComparison.Ordinal))
                        sql.Append(line).Append('\n');
        }
        return sql.ToString();
    }

    /// <summary>Each selected entry's SQL as <see cref="SqlFor"/> would give it alone (the preamble, the tablespace
    /// and access method settings in force at that entry, the entry), in one pass over the script. The tablespace
    /// is always set (the default before the script sets one), so one session can run several entries in turn.</summary>
    public Dictionary<int, string> SqlForEach(IReadOnlySet<int> selected)
    {
        var result = new Dictionary<int, string>();
        string? tablespace = "SET default_tablespace = '';", accessMethod = null;
        foreach (var e in Entries)
        {
            if (selected.Contains(e.Id))
                result[e.Id] = string.Join('\n', new[] { Preamble, tablespace, accessMethod, e.Sql }.OfType<string>()) + "\n";
            foreach (var line in e.Sql.Split('\n'))
                if (line.StartsWith("SET default_tablespace = ", StringComparison.Ordinal)) tablespace = line;
                else if (line.StartsWith("SET default_table_access_method = ", StringComparison.Ordinal)) accessMethod = line;
        }
        return result;
    }
}
