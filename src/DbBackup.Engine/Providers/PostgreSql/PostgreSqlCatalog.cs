using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The catalog queries the provider needs. Everything a user named arrives as a parameter.</summary>
internal static class PostgreSqlCatalog
{
    /// <summary>User schemas: not the system ones, not toast or temporary schemas.</summary>
    private const string UserSchema = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'";

    /// <summary>Relations created by an extension belong to the extension (CREATE EXTENSION recreates them).</summary>
    private const string NotExtensionMember =
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')";

    /// <summary>Non-generated columns in ordinal order: the server recomputes generated ones on restore.</summary>
    private const string CopyColumns = "(SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a " +
        "WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '')";

    /// <summary>The root of a leaf partition whose rows must be loaded through that root, or NULL. A hash
    /// partition key on an enum hashes the enum value's OID, which differs in the restored database, so a
    /// row may belong to another partition there. pg_dump then loads such partitions' rows through the
    /// root of their tree and lets the server route them; so does DbBackup.</summary>
    private const string LoadViaRoot = """
        CASE WHEN c.relispartition AND EXISTS (
            SELECT 1 FROM pg_partition_ancestors(c.oid) anc JOIN pg_partitioned_table pt ON pt.partrelid = anc.relid
            WHERE pt.partstrat = 'h' AND EXISTS (
                SELECT 1 FROM unnest(pt.partattrs::int2[]) k JOIN pg_attribute ka ON ka.attrelid = pt.partrelid AND ka.attnum = k
                JOIN pg_type kt ON kt.oid = ka.atttypid WHERE kt.typtype = 'e'))
        THEN pg_partition_root(c.oid) END
        """;

    /// <summary>Plain tables, leaf partitions and partitioned parents of user schemas, with a size
    /// estimate from pg_class.relpages: pg_table_size takes a lock on the table and so waited forever
    /// (start of a backup included) behind any ACCESS EXCLUSIVE lock (ALTER TABLE, VACUUM FULL…).
    /// Parents are listed Parents are listed
    /// so a user can name one (with the sum of their leaves' sizes); a dump expands a parent to its leaf
    /// partitions, because rows live only in the leaves and a parent cannot be COPYed from.</summary>
    public static async Task<IReadOnlyList<TableInfo>> ListTablesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var sql = $"""
            SELECT n.nspname::text, c.relname::text,
                   coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                               AND a.atttypid IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype)), ARRAY[]::text[]),
                   CASE WHEN c.relkind = 'p'
                        THEN (SELECT coalesce(sum(l.relpages), 0) FROM pg_partition_tree(c.oid) t JOIN pg_class l ON l.oid = t.relid WHERE t.isleaf)::bigint
                        ELSE c.relpages::bigint END * current_setting('block_size')::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND {UserSchema} AND {NotExtensionMember}
            ORDER BY 1, 2
            """;
        var list = new List<TableInfo>();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new TableInfo(r.GetString(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetInt64(3)));
        return list;
    }

    /// <summary>Resolves what a dump covers. <paramref name="requested"/> null means the whole database.
    /// A named partitioned table expands to all its leaf partitions (data) and its whole partition tree
    /// (schema); a named leaf partition brings its ancestors' definitions (so it can be attached on
    /// restore) but not their other partitions' rows.</summary>
    public static async Task<PostgreSqlDumpPlan> PlanDumpAsync(NpgsqlConnection conn, IReadOnlyList<TableInfo>? requested, CancellationToken ct)
    {
        if (requested == null)
        {
            var all = await OidsAsync(conn, $"""
                SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND {UserSchema} AND {NotExtensionMember}
                """, null, ct).ConfigureAwait(false);
            return new PostgreSqlDumpPlan
            {
                DataTables = await DataTablesAsync(conn, all, ct).ConfigureAwait(false),
                SchemaRelations = null,
                SubsetSchemas = [],
                Sequences = await NamesAsync(conn, $"""
                    SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind = 'S' AND c.relpersistence <> 't' AND {UserSchema}
                      AND ({NotExtensionMember} OR c.oid IN (SELECT unnest(x.extconfig) FROM pg_extension x)) ORDER BY 1, 2
                    """, null, ct).ConfigureAwait(false),
            };
        }

        var selected = await ResolveAsync(conn, requested, ct).ConfigureAwait(false);
        var dataOids = await OidsAsync(conn, """
            SELECT c.oid FROM pg_class c WHERE c.oid = ANY($1) AND c.relkind = 'r'
            UNION
            SELECT t.relid FROM unnest($1::oid[]) s(oid) CROSS JOIN LATERAL pg_partition_tree(s.oid) t
            JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf AND c.relkind = 'r'
            """, selected, ct).ConfigureAwait(false);
        var schemaOids = await OidsAsync(conn, """
            SELECT s.oid FROM unnest($1::oid[]) s(oid)
            UNION SELECT t.relid FROM unnest($1::oid[]) s(oid) CROSS JOIN LATERAL pg_partition_tree(s.oid) t
            UNION SELECT a.relid FROM unnest($1::oid[]) s(oid) CROSS JOIN LATERAL pg_partition_ancestors(s.oid) a
            """, selected, ct).ConfigureAwait(false);
        await RefuseMissingDependenciesAsync(conn, schemaOids, ct).ConfigureAwait(false);

        // Sequences owned by the tables (serial, identity) or used by their column defaults: without
        // them the tables' definitions cannot be restored.
        var sequences = await NamesAsync(conn, """
            SELECT n.nspname::text, s.relname::text FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
            WHERE s.relkind = 'S' AND (
                EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid
                        AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($1) AND d.deptype IN ('a', 'i'))
             OR EXISTS (SELECT 1 FROM pg_attrdef ad JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                        WHERE ad.adrelid = ANY($1) AND d.refclassid = 'pg_class'::regclass AND d.refobjid = s.oid))
            ORDER BY 1, 2
            """, schemaOids, ct).ConfigureAwait(false);
        var relations = await NamesAsync(conn, """
            SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = ANY($1) ORDER BY 1, 2
            """, schemaOids, ct).ConfigureAwait(false);
        return new PostgreSqlDumpPlan
        {
            DataTables = await DataTablesAsync(conn, dataOids, ct).ConfigureAwait(false),
            SchemaRelations = [.. relations, .. sequences],
            SubsetSchemas = relations.Concat(sequences).Select(r => r.Schema).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Sequences = sequences,
        };
    }

    /// <summary>pg_dump -t takes only the named relations, not what they depend on. Rather than write a
    /// table-subset backup that cannot be restored, refuse one whose tables reference tables, types or
    /// trigger functions outside it.</summary>
    private static async Task RefuseMissingDependenciesAsync(NpgsqlConnection conn, uint[] oids, CancellationToken ct)
    {
        const string sql = """
            SELECT DISTINCT format('%s has a foreign key to %s', con.conrelid::regclass, con.confrelid::regclass)
            FROM pg_constraint con WHERE con.contype = 'f' AND con.conrelid = ANY($1) AND NOT con.confrelid = ANY($1)
            UNION
            SELECT DISTINCT format('%s uses type %s', a.attrelid::regclass, format_type(a.atttypid, NULL))
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
            JOIN pg_type bt ON bt.oid = coalesce(et.oid, t.oid)
            JOIN pg_namespace tn ON tn.oid = bt.typnamespace
            WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
              AND tn.nspname NOT IN ('pg_catalog', 'information_schema')
              AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_type'::regclass AND e.objid = bt.oid AND e.deptype = 'e')
            UNION
            SELECT DISTINCT format('%s has trigger %s calling %s', tg.tgrelid::regclass, quote_ident(tg.tgname), tg.tgfoid::regproc)
            FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace
            WHERE tg.tgrelid = ANY($1) AND NOT tg.tgisinternal AND pn.nspname NOT IN ('pg_catalog', 'information_schema')
            ORDER BY 1
            """;
        var problems = new List<string>();
        await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { OidArray(oids) } };
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false)) problems.Add(r.GetString(0));
        if (problems.Count > 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "TableSubsetIncomplete",
                "The selected tables depend on objects outside the selection, so a backup of only these tables could not " +
                "be restored: " + string.Join("; ", problems) + ". Add the referenced tables to the selection or back up the whole database.");
    }

    private static async Task<uint[]> ResolveAsync(NpgsqlConnection conn, IReadOnlyList<TableInfo> requested, CancellationToken ct)
    {
        const string sql = """
            SELECT r.s, r.t, c.oid FROM unnest($1::text[], $2::text[]) AS r(s, t)
            LEFT JOIN (pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace)
              ON n.nspname = r.s AND c.relname = r.t AND c.relkind IN ('r', 'p')
            """;
        await using var cmd = new NpgsqlCommand(sql, conn)
        {
            Parameters = { new() { Value = requested.Select(t => t.Schema).ToArray() }, new() { Value = requested.Select(t => t.Name).ToArray() } },
        };
        var oids = new List<uint>();
        var missing = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                if (r.IsDBNull(2)) missing.Add(r.GetString(0) + "." + r.GetString(1));
                else oids.Add(r.GetFieldValue<uint>(2));
            }
        if (missing.Count > 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "UnknownTable",
                $"No such table in database '{conn.Database}': {string.Join(", ", missing)}. Name ordinary or partitioned tables as schema.table.")
            { TargetObject = missing[0] };
        return oids.Distinct().ToArray();
    }

    private static async Task<IReadOnlyList<PostgreSqlDumpTable>> DataTablesAsync(NpgsqlConnection conn, uint[] oids, CancellationToken ct)
    {
        // A leaf loaded through its root is copied in the root's column order, so its rows' text (and
        // checksums) are the root's whatever the leaf's own column order.
        var sql = $"""
            SELECT n.nspname::text, c.relname::text,
                   coalesce(CASE WHEN v.root IS NULL THEN {CopyColumns} ELSE {CopyColumns.Replace("c.oid", "v.root", StringComparison.Ordinal)} END, ARRAY[]::text[]),
                   pg_table_size(c.oid), rn.nspname::text, rc.relname::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL (SELECT {LoadViaRoot} AS root) v
            LEFT JOIN pg_class rc ON rc.oid = v.root LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE c.oid = ANY($1) ORDER BY 4 DESC, 1, 2
            """;
        var list = new List<PostgreSqlDumpTable>();
        await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { OidArray(oids) } };
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new PostgreSqlDumpTable(r.GetString(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetInt64(3))
            {
                LoadVia = r.IsDBNull(4) ? null : (r.GetString(4), r.GetString(5)),
            });
        return list;
    }

    /// <summary>The copy column list of an existing table, and whether it is a partitioned table (whose
    /// rows are its partitions' rows), or null when there is no such table.</summary>
    public static async Task<(IReadOnlyList<string> Columns, bool Partitioned)?> CopyColumnsAsync(NpgsqlConnection conn, string schema, string name, CancellationToken ct)
    {
        var sql = $"""
            SELECT coalesce({CopyColumns}, ARRAY[]::text[]), c.relkind = 'p' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
            """;
        await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = schema }, new() { Value = name } } };
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return null;
        return (r.GetFieldValue<string[]>(0), r.GetBoolean(1));
    }

    /// <summary>Roles that own objects or hold privileges in the current database: a restore that keeps
    /// owners and grants needs every one of them on the target.</summary>
    public static async Task<List<string>> RolesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var sql = $"""
            SELECT r.rolname::text FROM pg_roles r WHERE r.oid IN (
                SELECT d.refobjid FROM pg_shdepend d
                WHERE d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND d.refclassid = 'pg_authid'::regclass
                UNION SELECT c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {UserSchema}
                UNION SELECT p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {UserSchema}
                UNION SELECT t.typowner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {UserSchema}
                UNION SELECT n.nspowner FROM pg_namespace n WHERE {UserSchema})
            ORDER BY 1
            """;
        var roles = new List<string>();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) roles.Add(r.GetString(0));
        return roles;
    }

    /// <summary>The tables extensions registered with pg_extension_config_dump, with the extension's row
    /// filter (pg_extension.extconfig/extcondition). Sequences registered so are in the plan's sequences
    /// (their position is set after the restore, as pg_dump sets it).</summary>
    public static async Task<List<PostgreSqlTocExtensionTable>> ExtensionConfigTablesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var sql = $"""
            SELECT x.extname::text, n.nspname::text, c.relname::text, coalesce({CopyColumns}, ARRAY[]::text[]), coalesce(u.cond, '')
            FROM pg_extension x CROSS JOIN LATERAL unnest(x.extconfig, x.extcondition) AS u(reloid, cond)
            JOIN pg_class c ON c.oid = u.reloid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' ORDER BY 1, 2, 3
            """;
        var list = new List<PostgreSqlTocExtensionTable>();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new PostgreSqlTocExtensionTable
            {
                Extension = r.GetString(0), Schema = r.GetString(1), Name = r.GetString(2), Columns = [.. r.GetFieldValue<string[]>(3)], Condition = r.GetString(4),
            });
        return list;
    }

    /// <summary>Materialized views of user schemas (not extension members) and whether each is populated.</summary>
    public static async Task<List<PostgreSqlTocMaterializedView>> MaterializedViewsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var sql = $"""
            SELECT n.nspname::text, c.relname::text, c.relispopulated FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'm' AND {UserSchema} AND {NotExtensionMember} ORDER BY 1, 2
            """;
        var list = new List<PostgreSqlTocMaterializedView>();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new PostgreSqlTocMaterializedView { Schema = r.GetString(0), Name = r.GetString(1), Populated = r.GetBoolean(2) });
        return list;
    }

    private static async Task<uint[]> OidsAsync(NpgsqlConnection conn, string sql, uint[]? parameter, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (parameter != null) cmd.Parameters.Add(OidArray(parameter));
        var list = new List<uint>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) list.Add(r.GetFieldValue<uint>(0));
        return list.Distinct().ToArray();
    }

    private static async Task<List<(string Schema, string Name)>> NamesAsync(NpgsqlConnection conn, string sql, uint[]? parameter, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (parameter != null) cmd.Parameters.Add(OidArray(parameter));
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    private static NpgsqlParameter OidArray(uint[] oids) => new() { Value = oids, DataTypeName = "oid[]" };
}
