using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>A uniquely named MariaDB database for one test, plus the other databases and temp folders
/// the test creates; all dropped/deleted on dispose.</summary>
internal sealed class MySqlTestDatabase : IAsyncDisposable
{
    private readonly List<string> _databases = [];
    private readonly List<string> _folders = [];

    private MySqlTestDatabase(string name) => Name = name;

    /// <summary>The test's source database.</summary>
    public string Name { get; }

    /// <summary>Target on the test's database.</summary>
    public ConnectionTarget Target => TestServers.MySql(Name);

    /// <summary>Creates the database (utf8mb4).</summary>
    public static async Task<MySqlTestDatabase> CreateAsync(string prefix = "dbb_my")
    {
        var db = new MySqlTestDatabase(TestServers.UniqueName(prefix));
        db._databases.Add(db.Name);
        await ExecAsync(null, $"CREATE DATABASE `{db.Name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
        return db;
    }

    /// <summary>A fresh database name that will be dropped on dispose (not created).</summary>
    public string NewName(string prefix = "dbb_myr")
    {
        var n = TestServers.UniqueName(prefix);
        _databases.Add(n);
        return n;
    }

    /// <summary>Runs a script (DELIMITER allowed) in <paramref name="database"/> or none.</summary>
    public static async Task ExecAsync(string? database, string sql)
        => await MySqlClientTools.QueryAsync(TestServers.MySql(database ?? "mysql"), database, sql, CancellationToken.None);

    /// <summary>Runs a query in this database and returns tab-split rows.</summary>
    public Task<List<string[]>> QueryAsync(string sql, string? database = null)
        => MySqlClientTools.QueryAsync(TestServers.MySql(database ?? Name), database ?? Name, sql, CancellationToken.None);

    /// <summary>Runs a script in this database.</summary>
    public Task ExecAsync(string sql) => ExecAsync(Name, sql);

    /// <summary>Dumps this database (or a subset) into a new temp folder.</summary>
    public async Task<(PayloadReader Reader, DumpResult Result, string Folder, IReadOnlyList<BackupFile> Files)> DumpAsync(
        IReadOnlyList<TableInfo>? tables = null, DateTimeOffset? since = null, string? dateColumn = null, CancellationToken cancellationToken = default,
        IProgress<OperationProgress>? progress = null, MySqlProvider? provider = null, ConnectionTarget? target = null, int jobs = 2)
    {
        var folder = Path.Combine(Path.GetTempPath(), "dbb-my-test-" + Guid.NewGuid().ToString("N"));
        _folders.Add(folder);
        var writer = new PayloadWriter(folder, CompressionKind.Gzip);
        var result = await (provider ?? new MySqlProvider()).DumpAsync(new DumpRequest(target ?? Target, tables, since, dateColumn, jobs), writer,
            progress ?? new Progress<OperationProgress>(), cancellationToken);
        return (new PayloadReader(folder, writer.Files, CompressionKind.Gzip), result, folder, writer.Files);
    }

    /// <summary>Restores a payload into a new database and returns its name.</summary>
    public async Task<string> RestoreAsync(IPayloadSource source, string? name = null, MySqlProvider? provider = null)
    {
        name ??= NewName();
        await (provider ?? new MySqlProvider()).RestoreAsync(new RestoreRequest(TestServers.MySql(name), new BackupRecord { Engine = DatabaseEngine.MySql }, 2),
            source, new Progress<OperationProgress>(), CancellationToken.None);
        return name;
    }

    /// <summary>True when a database of that name exists.</summary>
    public async Task<bool> ExistsAsync(string database)
        => (await QueryAsync($"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '{database}'"))[0][0] == "1";

    /// <summary>Every base table's rows in a binary-exact, provider-independent form
    /// (HEX(CAST(col AS BINARY)) per column, 'NULL' for NULL), sorted, keyed by table name.</summary>
    public async Task<Dictionary<string, List<string>>> SnapshotAsync(string database)
    {
        var cols = await QueryAsync(
            "SELECT HEX(c.table_name), HEX(c.column_name) FROM information_schema.columns c JOIN information_schema.tables t " +
            "USING (table_schema, table_name) WHERE t.table_type = 'BASE TABLE' AND c.table_schema = '" + database + "' ORDER BY c.table_name, c.ordinal_position", database);
        var result = new Dictionary<string, List<string>>();
        foreach (var table in cols.GroupBy(r => MySqlSyntax.FromHex(r[0])))
        {
            var exprs = table.Select(r => MySqlSyntax.Identifier(MySqlSyntax.FromHex(r[1])))
                .Select(c => $"IFNULL(HEX(CAST({c} AS BINARY)), 'NULL')");
            var rows = await QueryAsync("SET time_zone = '+00:00'; SELECT CONCAT_WS(',', " + string.Join(", ", exprs) + ") FROM " + MySqlSyntax.Identifier(table.Key), database);
            result[table.Key] = rows.Select(r => r[0]).Order(StringComparer.Ordinal).ToList();
        }
        return result;
    }

    /// <summary>Views, routines, triggers and events with their definitions (database name removed).</summary>
    public async Task<List<string>> InventoryAsync(string database)
    {
        var db = $"'{database}'";
        var rows = await QueryAsync(
            $"SELECT CONCAT('view ', table_name, ' ', HEX(REPLACE(view_definition, '`{database}`.', ''))) FROM information_schema.views WHERE table_schema = {db} " +
            $"UNION ALL SELECT CONCAT('routine ', routine_type, ' ', routine_name, ' ', HEX(routine_definition)) FROM information_schema.routines WHERE routine_schema = {db} " +
            $"UNION ALL SELECT CONCAT('trigger ', trigger_name, ' ', event_object_table, ' ', action_timing, ' ', event_manipulation, ' ', HEX(action_statement)) FROM information_schema.triggers WHERE trigger_schema = {db} " +
            $"UNION ALL SELECT CONCAT('event ', event_name, ' ', status, ' ', HEX(event_definition)) FROM information_schema.events WHERE event_schema = {db}", database);
        return rows.Select(r => r[0]).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Drops every database and deletes every folder this test made.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var d in _databases)
        {
            try { await ExecAsync(null, $"DROP DATABASE IF EXISTS {MySqlSyntax.Identifier(d)};"); } catch (Exception) { }
        }
        foreach (var f in _folders)
        {
            try { Directory.Delete(f, recursive: true); } catch (IOException) { }
        }
    }
}
