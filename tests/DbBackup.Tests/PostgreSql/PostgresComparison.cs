namespace DbBackup.Tests.PostgreSql;

/// <summary>Compares two databases: the object inventory (relations, columns, functions, triggers,
/// constraints, views, enums, owners) and every table's rows, at the byte level.</summary>
internal static class PostgresComparison
{
    private const string UserSchema = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'";

    private static readonly string[] Inventory =
    [
        $"SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || c.relpersistence::text || ':' || pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {UserSchema} ORDER BY 1",
        $"SELECT c.oid::regclass || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull::text || ':' || a.attgenerated::text || ':' || a.attidentity::text || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE {UserSchema} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1",
        $"SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || '):' || p.prokind::text || ':' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {UserSchema} ORDER BY 1",
        "SELECT tgrelid::regclass || ':' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
        $"SELECT conrelid::regclass || '.' || conname || ':' || pg_get_constraintdef(con.oid) FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace WHERE {UserSchema} ORDER BY 1",
        $"SELECT indexrelid::regclass || ':' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {UserSchema} ORDER BY 1",
        $"SELECT c.oid::regclass || ':' || pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v' AND {UserSchema} ORDER BY 1",
        "SELECT enumtypid::regtype || ':' || string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum GROUP BY enumtypid ORDER BY 1",
        $"SELECT c.oid::regclass || ':' || pg_get_expr(c.relpartbound, c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relispartition AND {UserSchema} ORDER BY 1",
        $"SELECT s.seqrelid::regclass || ':' || s.seqtypid::regtype || ':' || s.seqstart || ':' || s.seqincrement || ':' || s.seqmin || ':' || s.seqmax FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {UserSchema} ORDER BY 1",
    ];

    /// <summary>Every large object: OID, owner, privileges (sorted), comment and the md5 of its content.</summary>
    public const string LargeObjectsSql = """
        SELECT m.oid || ':' || pg_get_userbyid(m.lomowner) || ':'
            || coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(m.lomacl) x), 'default') || ':'
            || coalesce(obj_description(m.oid, 'pg_largeobject'), '') || ':' || md5(lo_get(m.oid)) || ':' || length(lo_get(m.oid))
        FROM pg_largeobject_metadata m ORDER BY m.oid
        """;

    public static async Task AssertSameAsync(string source, string restored)
    {
        foreach (var sql in Inventory)
        {
            var a = await PostgresTestDatabase.ColumnAsync(source, sql);
            var b = await PostgresTestDatabase.ColumnAsync(restored, sql);
            Assert.Equal(a, b);
        }
        var tables = await PostgresTestDatabase.ColumnAsync(source,
            $"SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND {UserSchema} ORDER BY 1");
        Assert.NotEmpty(tables);
        foreach (var t in tables)
        {
            // Every row's text form, sorted: exact for floats (extra_float_digits = 3 is set on the test
            // connections), hex for bytea, so equal lists mean equal multisets of rows. (record_send would
            // embed type OIDs, which differ between databases for enums.) Binary spot checks are in the tests.
            var sql = $"SELECT md5(x::text) FROM {t} x ORDER BY 1";
            Assert.Equal(await PostgresTestDatabase.ColumnAsync(source, sql), await PostgresTestDatabase.ColumnAsync(restored, sql));
        }
    }
}
