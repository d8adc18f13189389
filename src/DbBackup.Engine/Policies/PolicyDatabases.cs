using System.Text.RegularExpressions;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;

namespace DbBackup.Engine.Policies;

/// <summary>The databases a policy covers: its one database, or those of the server matching its
/// wildcard pattern (* any run, ? one character; case-sensitive) at the time of the run. System
/// databases and DbBackup's own scratch, restore-aside and swap databases never match a pattern.</summary>
public static class PolicyDatabases
{
    private static readonly string[] MySqlSystem = ["information_schema", "performance_schema", "mysql", "sys"];
    private static readonly string[] OwnMarkers = ["__restore_", "dbbackup_verify_", "dbbackup_old_"];

    /// <summary>True when the policy's Database is a pattern.</summary>
    public static bool IsPattern(string database) => database.IndexOfAny(['*', '?']) >= 0;

    /// <summary>True when <paramref name="name"/> matches the pattern.</summary>
    public static bool Matches(string pattern, string name)
        => Regex.IsMatch(name, "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant);

    /// <summary>The databases of <paramref name="policy"/> on its server now, in name order.</summary>
    public static async Task<List<string>> ResolveAsync(BackupPolicy policy, ConnectionTarget server, CancellationToken ct)
    {
        if (!IsPattern(policy.Database)) return [policy.Database];
        var names = policy.Engine == DatabaseEngine.PostgreSql ? await ListPostgreSqlAsync(server, ct).ConfigureAwait(false) : await ListMySqlAsync(server, ct).ConfigureAwait(false);
        return names.Where(n => Matches(policy.Database, n) && !OwnMarkers.Any(m => n.Contains(m, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<List<string>> ListPostgreSqlAsync(ConnectionTarget server, CancellationToken ct)
    {
        await using var c = await PostgreSqlConnector.OpenMaintenanceAsync(server, ct).ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn";
        var names = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) names.Add(r.GetString(0));
        return names;
    }

    private static async Task<List<string>> ListMySqlAsync(ConnectionTarget server, CancellationToken ct)
    {
        var rows = await MySqlClientTools.QueryAsync(server, null, "SHOW DATABASES", ct).ConfigureAwait(false);
        return rows.Select(r => r[0]).Where(n => !MySqlSystem.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
    }
}
