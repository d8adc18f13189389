using DbBackup.Engine.Providers;
using DbBackup.Tests.Infrastructure;
using Npgsql;

namespace DbBackup.Tests.PostgreSql;

/// <summary>A uniquely named scratch database for one test, dropped (with any session on it) on dispose.</summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    private PostgresTestDatabase(string name) => Name = name;

    /// <summary>Database name.</summary>
    public string Name { get; }

    /// <summary>Connection target for this database.</summary>
    public ConnectionTarget Target => TestServers.Postgres(Name);

    /// <summary>Creates the database (with <paramref name="createOptions"/> after CREATE DATABASE name, if
    /// given) and runs <paramref name="setupSql"/> in it.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync(string prefix, string? setupSql = null, string? createOptions = null)
    {
        var db = new PostgresTestDatabase(TestServers.UniqueName(prefix));
        await AdminAsync($"CREATE DATABASE \"{db.Name}\" {createOptions}");
        if (setupSql != null) await db.ExecAsync(setupSql);
        return db;
    }

    /// <summary>Connection string for any database on the test server.</summary>
    public static string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = TestServers.Postgres().Server, Port = TestServers.Postgres().Port, Username = TestServers.Postgres().UserName,
        Password = TestServers.Postgres().Password, Database = database, Pooling = false, CommandTimeout = 300,
        Options = "-c extra_float_digits=3 -c TimeZone=UTC -c DateStyle=ISO",
    }.ConnectionString;

    /// <summary>Runs SQL on the maintenance database.</summary>
    public static async Task AdminAsync(string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString("postgres"));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Creates an in-place tablespace (allow_in_place_tablespaces, PostgreSQL 15): no directory on the server's
    /// machine. Drop it with <c>DROP TABLESPACE</c> once its databases are gone.</summary>
    public static async Task CreateInPlaceTablespaceAsync(string name)
    {
        await using var c = new NpgsqlConnection(ConnectionString("postgres"));
        await c.OpenAsync();
        foreach (var sql in new[] { "SET allow_in_place_tablespaces = true", $"CREATE TABLESPACE \"{name}\" LOCATION ''" }) // not in one batch: CREATE TABLESPACE refuses a pipeline
            await new NpgsqlCommand(sql, c).ExecuteNonQueryAsync();
    }

    /// <summary>True when a database of that name exists.</summary>
    public static async Task<bool> ExistsAsync(string name)
    {
        await using var c = new NpgsqlConnection(ConnectionString("postgres"));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c) { Parameters = { new() { Value = name } } };
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Drops a database (and its sessions) if it exists.</summary>
    public static Task DropAsync(string name) => AdminAsync($"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"")}\" WITH (FORCE)");

    /// <summary>Runs SQL in this database.</summary>
    public Task ExecAsync(string sql) => ExecAsync(Name, sql);

    /// <summary>Runs SQL in a database.</summary>
    public static async Task ExecAsync(string database, string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString(database));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Every row of a query, each value as returned by Npgsql.</summary>
    public static async Task<List<object?[]>> RowsAsync(string database, string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString(database));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await r.ReadAsync())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>First column of every row, as text.</summary>
    public static async Task<List<string?>> ColumnAsync(string database, string sql)
        => (await RowsAsync(database, sql)).Select(r => r[0]?.ToString()).ToList();

    /// <summary>Single value.</summary>
    public static async Task<object?> ScalarAsync(string database, string sql) => (await RowsAsync(database, sql)).Single()[0];

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await DropAsync(Name);
}
