using System.Text;
using System.Text.Json;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>A database's own properties (<see cref="PostgreSqlTocDatabase"/>): read at backup time, and
/// recreated as <c>pg_restore --create</c> does: the locale in CREATE DATABASE, the rest once the
/// restored copy is complete (settings such as default_transaction_read_only or a connection limit
/// would otherwise act on the restore's own sessions).</summary>
internal static class PostgreSqlDatabaseProperties
{
    /// <summary>Columns that appeared in later versions are read through to_jsonb, so one query serves 12 to 17.</summary>
    private const string PropertiesSql = """
        SELECT coalesce(to_jsonb(d) ->> 'datlocprovider', 'c'), d.datcollate::text, d.datctype::text,
               coalesce(to_jsonb(d) ->> 'daticulocale', to_jsonb(d) ->> 'datlocale'), to_jsonb(d) ->> 'daticurules',
               pg_get_userbyid(d.datdba)::text,
               CASE WHEN d.datacl IS NULL THEN NULL ELSE coalesce((
                   SELECT json_agg(json_build_object(
                       'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END,
                       'privilege', a.privilege_type, 'grantable', a.is_grantable, 'grantor', pg_get_userbyid(a.grantor)::text))
                   FROM aclexplode(d.datacl) a), '[]') END::text,
               shobj_description(d.oid, 'pg_database'), d.datconnlimit,
               (SELECT t.spcname::text FROM pg_tablespace t WHERE t.oid = d.dattablespace), d.datistemplate
        FROM pg_database d WHERE d.datname = current_database()
        """;

    private const string SettingsSql = """
        SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole)::text END, c.cfg
        FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) WITH ORDINALITY AS c(cfg, n)
        WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY s.setrole <> 0, 1, c.n
        """;

    /// <summary>Variables whose value is a list of quoted elements (pg_dump's variable_is_guc_list_quote):
    /// each element must become its own literal, or the list would be read back as one element.</summary>
    private static readonly HashSet<string> ListVariables = new(StringComparer.OrdinalIgnoreCase)
    {
        "local_preload_libraries", "search_path", "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories",
    };

    /// <summary>The tablespace a database is in unless CREATE DATABASE names another.</summary>
    internal const string DefaultTablespace = "pg_default";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, TypeInfoResolver = PayloadJsonContext.Default };

    /// <summary>The properties of the database <paramref name="conn"/> is connected to.</summary>
    public static async Task<PostgreSqlTocDatabase> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var db = new PostgreSqlTocDatabase();
        await using (var cmd = new NpgsqlCommand(PropertiesSql, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await r.ReadAsync(ct).ConfigureAwait(false);
            db.LocaleProvider = r.GetString(0) switch { "i" => "icu", "b" => "builtin", _ => "libc" };
            db.Collate = r.GetString(1);
            db.Ctype = r.GetString(2);
            db.IcuLocale = db.LocaleProvider == "libc" || r.IsDBNull(3) ? null : r.GetString(3);
            db.IcuRules = r.IsDBNull(4) ? null : r.GetString(4);
            db.Owner = r.GetString(5);
            db.Acl = r.IsDBNull(6) ? null : JsonSerializer.Deserialize<List<PostgreSqlLargeObjectGrant>>(r.GetString(6), Json);
            db.Comment = r.IsDBNull(7) ? null : r.GetString(7);
            db.ConnectionLimit = r.GetInt32(8);
            db.Tablespace = r.IsDBNull(9) || r.GetString(9) == DefaultTablespace ? null : r.GetString(9);
            db.IsTemplate = r.GetBoolean(10);
        }
        await using (var cmd = new NpgsqlCommand(SettingsSql, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var config = r.GetString(1);
                var eq = config.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) continue;
                db.Settings.Add(new PostgreSqlTocDatabaseSetting { Role = r.IsDBNull(0) ? null : r.GetString(0), Name = config[..eq], Value = config[(eq + 1)..] });
            }
        return db;
    }

    /// <summary>CREATE DATABASE for a restore: template0 and the source's encoding, its tablespace, and its locale
    /// when the backup recorded it (<paramref name="db"/> null: the server's default locale, as before).</summary>
    public static string CreateSql(string database, string encoding, PostgreSqlTocDatabase? db, string? tablespace = null)
    {
        var sql = new StringBuilder($"CREATE DATABASE {PostgreSqlSyntax.Identifier(database)} TEMPLATE template0 ENCODING {PostgreSqlSyntax.Literal(encoding)}");
        // The tablespace is kept with the server's locale too: data never lands elsewhere unasked.
        if (tablespace != null) sql.Append(" TABLESPACE ").Append(PostgreSqlSyntax.Identifier(tablespace));
        if (db == null) return sql.ToString();
        sql.Append($" LC_COLLATE {PostgreSqlSyntax.Literal(db.Collate)} LC_CTYPE {PostgreSqlSyntax.Literal(db.Ctype)}");
        // Only named when not libc: servers before 15 know no LOCALE_PROVIDER and are always libc.
        if (db.LocaleProvider == "icu")
            sql.Append(" LOCALE_PROVIDER icu ICU_LOCALE ").Append(PostgreSqlSyntax.Literal(db.IcuLocale ?? ""));
        else if (db.LocaleProvider == "builtin")
            sql.Append(" LOCALE_PROVIDER builtin BUILTIN_LOCALE ").Append(PostgreSqlSyntax.Literal(db.IcuLocale ?? ""));
        else if (db.LocaleProvider != "libc")
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid", $"{PostgreSqlToc.FileName} names an unknown locale provider '{db.LocaleProvider}'; expected libc, icu or builtin.");
        if (db.IcuRules != null) sql.Append(" ICU_RULES ").Append(PostgreSqlSyntax.Literal(db.IcuRules));
        return sql.ToString();
    }

    /// <summary>The statements that give a restored database the rest of its properties, in pg_dump's order:
    /// owner, privileges, comment, connection limit, template flag, settings. (ALLOW_CONNECTIONS false needs
    /// nothing: such a database cannot be connected to, so it is never backed up.)</summary>
    public static IEnumerable<string> FinishSql(string database, PostgreSqlTocDatabase db)
    {
        var name = PostgreSqlSyntax.Identifier(database);
        var target = "DATABASE " + name;
        if (db.Owner.Length > 0) yield return $"ALTER DATABASE {name} OWNER TO {PostgreSqlSyntax.Identifier(db.Owner)}";
        if (db.Acl != null)
        {
            // The backup's privileges are explicit: the defaults (PUBLIC's CONNECT and TEMPORARY, the owner's all) go first.
            yield return $"REVOKE ALL ON {target} FROM PUBLIC";
            if (db.Owner.Length > 0) yield return $"REVOKE ALL ON {target} FROM {PostgreSqlSyntax.Identifier(db.Owner)}";
            foreach (var g in db.Acl.GroupBy(g => (g.Grantee, g.Grantor, g.Grantable)))
            {
                var grantee = g.Key.Grantee == null ? "PUBLIC" : PostgreSqlSyntax.Identifier(g.Key.Grantee);
                var grant = $"GRANT {string.Join(", ", g.Select(p => Privilege(p.Privilege)))} ON {target} TO {grantee}{(g.Key.Grantable ? " WITH GRANT OPTION" : "")}";
                // A superuser's GRANT counts as the owner's; another grantor's must be made as that role
                // (GRANTED BY accepts only the current user before PostgreSQL 16).
                yield return g.Key.Grantor == db.Owner ? grant : $"SET ROLE {PostgreSqlSyntax.Identifier(g.Key.Grantor)}; {grant}; RESET ROLE";
            }
        }
        if (db.Comment != null) yield return $"COMMENT ON {target} IS {PostgreSqlSyntax.Literal(db.Comment)}";
        if (db.ConnectionLimit != -1) yield return $"ALTER DATABASE {name} CONNECTION LIMIT {db.ConnectionLimit}";
        if (db.IsTemplate) yield return $"ALTER DATABASE {name} IS_TEMPLATE true";
        foreach (var s in db.Settings)
        {
            var scope = s.Role == null ? $"ALTER DATABASE {name}" : $"ALTER ROLE {PostgreSqlSyntax.Identifier(s.Role)} IN DATABASE {name}";
            yield return $"{scope} SET {PostgreSqlSyntax.Identifier(s.Name)} TO {Value(s.Name, s.Value)}";
        }
    }

    /// <summary>Privilege names come from the backup: only the ones a database has are written into SQL.</summary>
    private static string Privilege(string privilege) => privilege switch
    {
        "CREATE" or "TEMPORARY" or "CONNECT" => privilege,
        _ => throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid",
            $"{PostgreSqlToc.FileName} names a database privilege '{privilege}'; a database has CREATE, TEMPORARY and CONNECT."),
    };

    /// <summary>A setting's value as SQL: one literal, or one per element for list variables (whose stored
    /// form is elements separated by commas, each possibly double-quoted, as SplitGUCList reads it).</summary>
    internal static string Value(string name, string value)
    {
        if (!ListVariables.Contains(name)) return PostgreSqlSyntax.Literal(value);
        var elements = new List<string>();
        var i = 0;
        while (i < value.Length)
        {
            while (i < value.Length && char.IsWhiteSpace(value[i])) i++;
            var element = new StringBuilder();
            if (i < value.Length && value[i] == '"')
            {
                for (i++; i < value.Length; i++)
                {
                    if (value[i] != '"') { element.Append(value[i]); continue; }
                    if (i + 1 < value.Length && value[i + 1] == '"') { element.Append('"'); i++; continue; }
                    i++;
                    break;
                }
            }
            else
                while (i < value.Length && value[i] != ',') element.Append(value[i++]);
            elements.Add(element.ToString().TrimEnd());
            while (i < value.Length && value[i] != ',') i++;
            i++; // past the comma
        }
        return elements.Count == 0 ? "''" : string.Join(", ", elements.Select(PostgreSqlSyntax.Literal));
    }
}
