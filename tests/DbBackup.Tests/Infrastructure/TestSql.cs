using System.Diagnostics;
using DbBackup.Engine.Providers;

namespace DbBackup.Tests.Infrastructure;

/// <summary>Runs SQL against the real test servers: Npgsql for PostgreSQL, the mariadb client for MariaDB.</summary>
public static class TestSql
{
    // PostgreSQL: one implementation, PostgresTestDatabase; these names keep the lifecycle tests short.

    /// <summary>Connection string for a PostgreSQL test database.</summary>
    public static string PgConnectionString(string database) => PostgreSql.PostgresTestDatabase.ConnectionString(database);

    /// <summary>Executes statements on a PostgreSQL database.</summary>
    public static Task PgExecAsync(string database, string sql) => PostgreSql.PostgresTestDatabase.ExecAsync(database, sql);

    /// <summary>First column of every row, as text.</summary>
    public static Task<List<string?>> PgColumnAsync(string database, string sql) => PostgreSql.PostgresTestDatabase.ColumnAsync(database, sql);

    /// <summary>Creates a fresh PostgreSQL database and returns its name.</summary>
    public static async Task<string> PgCreateAsync(string prefix, string? setupSql = null)
    {
        var name = TestServers.UniqueName(prefix);
        await PgExecAsync("postgres", $"CREATE DATABASE \"{name}\"");
        if (setupSql != null) await PgExecAsync(name, setupSql);
        return name;
    }

    /// <summary>Drops a PostgreSQL database if it exists.</summary>
    public static Task PgDropAsync(string name) => PostgreSql.PostgresTestDatabase.DropAsync(name);

    /// <summary>True when the PostgreSQL database exists.</summary>
    public static Task<bool> PgExistsAsync(string name) => PostgreSql.PostgresTestDatabase.ExistsAsync(name);

    /// <summary>Runs SQL through the mariadb client (password via MYSQL_PWD, never argv); returns stdout (batch, raw, no column names).</summary>
    public static async Task<string> MyExecAsync(string? database, string sql)
    {
        var t = TestServers.MySql();
        var psi = new ProcessStartInfo(ToolRunner.Find("mariadb", "mysql") ?? "mariadb")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-h", t.Server, "-P", t.Port.ToString(), "-u", t.UserName, "--batch", "--raw", "--skip-column-names", "--default-character-set=utf8mb4" }) psi.ArgumentList.Add(a);
        if (database != null) psi.ArgumentList.Add(database);
        psi.Environment["MYSQL_PWD"] = t.Password;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteAsync(sql);
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"mariadb failed: {await stderr}");
        return await stdout;
    }

    /// <summary>Creates a fresh MariaDB database.</summary>
    public static async Task<string> MyCreateAsync(string prefix, string? setupSql = null)
    {
        var name = TestServers.UniqueName(prefix);
        await MyExecAsync(null, $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        if (setupSql != null) await MyExecAsync(name, setupSql);
        return name;
    }

    /// <summary>Drops a MariaDB database.</summary>
    public static Task MyDropAsync(string name) => MyExecAsync(null, $"DROP DATABASE IF EXISTS `{name}`");

    /// <summary>True when the MariaDB database exists.</summary>
    public static async Task<bool> MyExistsAsync(string name)
        => (await MyExecAsync(null, $"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '{name}'")).Trim() == "1";
}
