namespace DbBackup.Engine.Providers.MySql;

/// <summary>The server hides from an account the triggers of tables it lacks TRIGGER on, the events of a database
/// it lacks EVENT on, and the routines it may neither execute nor read through mysql.proc: they are simply absent
/// from information_schema, so a dump would leave them out without a word (as mariadb-dump does) and still say
/// Succeeded. Before a dump the account's own grants are read from information_schema's *_PRIVILEGES views, and a
/// right they show missing fails the backup, naming it and the GRANT that gives it. A right given through a role
/// is not in those views, so with a role enabled the check stands aside rather than refuse a working account.</summary>
internal static class MySqlObjectVisibility
{
    /// <summary>Throws MySqlPermissionDenied when the account cannot see every trigger of <paramref name="tables"/>,
    /// every event or every routine of the source database.</summary>
    public static async Task RequireAsync(ConnectionTarget source, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        // MariaDB lists one NULL row when no role is enabled, hence COUNT(role_name).
        var who = await MySqlConnections.QueryAsync(source, null,
            "SELECT CURRENT_USER(), (SELECT COUNT(role_name) FROM information_schema.enabled_roles)", cancellationToken).ConfigureAwait(false);
        var current = who[0][0];
        if (who[0][1] != "0" || current.LastIndexOf('@') is var at && at < 0) return;
        // information_schema writes the grantee as 'user'@'host'; MariaDB's grants to PUBLIC reach everyone.
        var grantee = MySqlSyntax.StringLiteral($"'{current[..at]}'@'{current[(at + 1)..]}'");
        var db = MySqlSyntax.StringLiteral(source.Database);
        var rows = await MySqlConnections.QueryAsync(source, null,
            $"SELECT 'G', privilege_type, '' FROM information_schema.user_privileges WHERE grantee IN ({grantee}, 'PUBLIC') " +
            $"UNION ALL SELECT 'S', privilege_type, '' FROM information_schema.schema_privileges WHERE grantee IN ({grantee}, 'PUBLIC') AND {db} LIKE table_schema " +
            $"UNION ALL SELECT 'T', privilege_type, HEX(table_name) FROM information_schema.table_privileges WHERE grantee IN ({grantee}, 'PUBLIC') AND table_schema = {db} " +
            $"UNION ALL SELECT 'M', privilege_type, '' FROM information_schema.schema_privileges WHERE grantee IN ({grantee}, 'PUBLIC') AND 'mysql' LIKE table_schema " +
            $"UNION ALL SELECT 'P', privilege_type, '' FROM information_schema.table_privileges WHERE grantee IN ({grantee}, 'PUBLIC') AND table_schema = 'mysql' AND table_name = 'proc'",
            cancellationToken).ConfigureAwait(false);
        bool Has(string scope, string privilege) => rows.Any(r => r[0] == scope && r[1] == privilege);
        bool Granted(string privilege) => Has("G", privilege) || Has("S", privilege);

        var missing = new List<string>();
        var grants = new List<string>();
        if (!Granted("TRIGGER"))
        {
            var withTrigger = rows.Where(r => r[0] == "T" && r[1] == "TRIGGER").Select(r => MySqlSyntax.FromHex(r[2])).ToHashSet(StringComparer.Ordinal);
            var without = tables.Where(t => !withTrigger.Contains(t)).ToList();
            if (without.Count > 0) { missing.Add($"TRIGGER (the triggers of {string.Join(", ", without)})"); grants.Add("TRIGGER"); }
        }
        if (!Granted("EVENT")) { missing.Add("EVENT (the events)"); grants.Add("EVENT"); }
        // A routine is listed to an account that may execute it or read mysql.proc (MySQL 8: SHOW_ROUTINE or a global
        // SELECT); a listed routine whose body stays hidden fails by name later (MySqlSchemaReader).
        var seesRoutines = Granted("EXECUTE") || Has("G", "SELECT") || Has("G", "SHOW_ROUTINE") || Has("M", "SELECT") || Has("P", "SELECT");
        // EXECUTE lists a routine but shows its body only to its definer, so mysql.proc is the grant to give.
        if (!seesRoutines) missing.Add("EXECUTE, or SELECT on mysql.proc (the routines)");
        if (missing.Count == 0) return;

        var account = $"'{current[..at]}'@'{current[(at + 1)..]}'";
        var fix = new List<string>();
        if (grants.Count > 0) fix.Add($"GRANT {string.Join(", ", grants)} ON {MySqlSyntax.Identifier(source.Database)}.* TO {account};");
        if (!seesRoutines) fix.Add($"GRANT SELECT ON mysql.proc TO {account}; (MySQL 8: GRANT SHOW_ROUTINE ON *.* TO {account};)");
        throw new DbBackupException(ErrorKind.AuthenticationError, "MySqlPermissionDenied",
            $"User '{source.UserName}' on {source.Server}:{source.Port} lacks {string.Join("; ", missing)} on database '{source.Database}': the server " +
            "hides those objects from the account, so the backup would leave them out; it stopped before reading any data. " +
            string.Join(" ", fix)) { TargetObject = source.Database };
    }
}
