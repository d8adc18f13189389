using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Brings materialized views back to the state they had in the backup. pg_dump --schema-only
/// creates every one WITH NO DATA; pg_restore of a full archive refreshes the populated ones at the end,
/// and so does this, in dependency order.</summary>
internal static class PostgreSqlMaterializedViews
{
    /// <summary>Every rewrite-rule edge from a view or materialized view to a view or materialized view it reads.</summary>
    private const string EdgesSql = """
        SELECT DISTINCT r.ev_class, d.refobjid
        FROM pg_rewrite r
        JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
        JOIN pg_class rc ON rc.oid = d.refobjid
        WHERE d.refobjid <> r.ev_class AND rc.relkind IN ('m', 'v')
        """;

    private const string MaterializedViewsSql = """
        SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'm' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('m', 'v') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        """;

    /// <summary>Refreshes the materialized views <paramref name="recorded"/> lists as populated.</summary>
    /// <remarks>Backups written before the populated state was recorded (<paramref name="recorded"/> null)
    /// get every materialized view refreshed: a materialized view is populated unless it was created or
    /// refreshed WITH NO DATA, and one left unpopulated by mistake makes every query on it fail, whereas
    /// one populated by mistake only holds rows its owner had not asked for yet.
    /// A populated view that reads an unpopulated one cannot be refreshed while that one is empty, so the
    /// unpopulated one is refreshed first and emptied again (WITH NO DATA) at the end.</remarks>
    public static async Task RefreshAsync(NpgsqlConnection conn, IReadOnlyList<PostgreSqlTocMaterializedView>? recorded, CancellationToken ct)
    {
        if (recorded is { Count: 0 } || recorded?.All(m => !m.Populated) == true) return;
        var names = new Dictionary<uint, (string Schema, string Name, bool IsMatview)>();
        await using (var cmd = new NpgsqlCommand(MaterializedViewsSql, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                names[r.GetFieldValue<uint>(0)] = (r.GetString(1), r.GetString(2), r.GetBoolean(3));
        var reads = new Dictionary<uint, List<uint>>();
        await using (var cmd = new NpgsqlCommand(EdgesSql, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var from = r.GetFieldValue<uint>(0);
                if (!reads.TryGetValue(from, out var list)) reads[from] = list = [];
                list.Add(r.GetFieldValue<uint>(1));
            }

        var populated = recorded == null
            ? names.Where(n => n.Value.IsMatview).Select(n => n.Key).ToHashSet()
            : names.Where(n => n.Value.IsMatview && recorded.Any(m => m.Populated && m.Schema == n.Value.Schema && m.Name == n.Value.Name))
                .Select(n => n.Key).ToHashSet();

        // Depth-first over what each populated view reads (through plain views): a view comes after
        // every materialized view it reads, directly or not.
        var order = new List<uint>();
        var seen = new HashSet<uint>();
        void Visit(uint oid)
        {
            if (!seen.Add(oid)) return;
            foreach (var dep in reads.GetValueOrDefault(oid) ?? []) Visit(dep);
            if (names.TryGetValue(oid, out var n) && n.IsMatview) order.Add(oid);
        }
        foreach (var oid in populated.Order()) Visit(oid);

        foreach (var oid in order)
            await ExecuteAsync(conn, "REFRESH MATERIALIZED VIEW " + Qualified(names[oid]), ct).ConfigureAwait(false);
        foreach (var oid in Enumerable.Reverse(order).Where(o => !populated.Contains(o)))
            await ExecuteAsync(conn, "REFRESH MATERIALIZED VIEW " + Qualified(names[oid]) + " WITH NO DATA", ct).ConfigureAwait(false);
    }

    private static string Qualified((string Schema, string Name, bool _) n) => PostgreSqlSyntax.Qualified(n.Schema, n.Name);

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
