using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Tests.Infrastructure;

/// <summary>The real servers the tests talk to, from environment variables with local defaults:
/// DBBACKUP_TEST_PG_HOST/PORT/USER/PASSWORD and DBBACKUP_TEST_MYSQL_HOST/PORT/USER/PASSWORD.
/// .ci/run creates both users.</summary>
public static class TestServers
{
    private static string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

    /// <summary>True when running under CI (CI=true): an unreachable server then fails instead of skipping.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>PostgreSQL target on the maintenance database "postgres".</summary>
    public static ConnectionTarget Postgres(string database = "postgres") => new(DatabaseEngine.PostgreSql,
        Env("DBBACKUP_TEST_PG_HOST", "127.0.0.1"), int.Parse(Env("DBBACKUP_TEST_PG_PORT", "5432")),
        Env("DBBACKUP_TEST_PG_USER", "dbbackup"), database)
    { Password = Env("DBBACKUP_TEST_PG_PASSWORD", "dbbackup-test-pw") };

    /// <summary>MariaDB/MySQL target.</summary>
    public static ConnectionTarget MySql(string database = "mysql") => new(DatabaseEngine.MySql,
        Env("DBBACKUP_TEST_MYSQL_HOST", "127.0.0.1"), int.Parse(Env("DBBACKUP_TEST_MYSQL_PORT", "3306")),
        Env("DBBACKUP_TEST_MYSQL_USER", "dbbackup"), database)
    { Password = Env("DBBACKUP_TEST_MYSQL_PASSWORD", "dbbackup-test-pw") };

    /// <summary>A loopback port nothing listens on at the moment of the call (for a listener a test
    /// starts, or for a target where no server answers).</summary>
    public static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static readonly Lazy<string?> PgProblem = new(() => Probe("127.0.0.1", Postgres().Server, Postgres().Port));
    private static readonly Lazy<string?> MySqlProblem = new(() => Probe("127.0.0.1", MySql().Server, MySql().Port));

    private static string? Probe(string _, string host, int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            if (!client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(3))) return $"no answer from {host}:{port}";
            return null;
        }
        catch (Exception e) { return $"{host}:{port} unreachable ({e.GetBaseException().Message})"; }
    }

    /// <summary>Null when PostgreSQL is reachable, else why not.</summary>
    public static string? PostgresUnavailable => PgProblem.Value;

    /// <summary>Null when MariaDB/MySQL is reachable, else why not.</summary>
    public static string? MySqlUnavailable => MySqlProblem.Value;

    /// <summary>A fresh, unique, lower-case database name for one test.</summary>
    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
}

/// <summary>A test that needs PostgreSQL: skipped with a visible reason when the server is unreachable,
/// except in CI where it runs (and fails).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when PostgreSQL is unreachable outside CI.</summary>
    public PostgresFactAttribute()
    {
        if (!TestServers.InCi && TestServers.PostgresUnavailable is { } why) Skip = "PostgreSQL not reachable: " + why;
    }
}

/// <summary>A test that needs MariaDB/MySQL (see <see cref="PostgresFactAttribute"/>).</summary>
public sealed class MySqlFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when MariaDB is unreachable outside CI.</summary>
    public MySqlFactAttribute()
    {
        if (!TestServers.InCi && TestServers.MySqlUnavailable is { } why) Skip = "MariaDB/MySQL not reachable: " + why;
    }
}

/// <summary>Parameterised form of <see cref="PostgresFactAttribute"/>/<see cref="MySqlFactAttribute"/>:
/// needs both servers.</summary>
public sealed class ServersTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets Skip when either server is unreachable outside CI.</summary>
    public ServersTheoryAttribute()
    {
        if (!TestServers.InCi && (TestServers.PostgresUnavailable ?? TestServers.MySqlUnavailable) is { } why) Skip = "Test servers not reachable: " + why;
    }
}
