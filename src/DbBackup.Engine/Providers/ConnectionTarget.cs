using DbBackup.Model;

namespace DbBackup.Engine.Providers;

/// <summary>Where to connect and as whom. The password lives only in memory and reaches child
/// processes through their environment or a 0600 options file, never argv, logs or manifests.</summary>
public sealed record ConnectionTarget(DatabaseEngine Engine, string Server, int Port, string UserName, string Database)
{
    /// <summary>Password, or null to rely on the tool's own mechanisms (.pgpass, socket auth…).</summary>
    public string? Password { get; init; }

    /// <summary>The engine's default port.</summary>
    public static int DefaultPort(DatabaseEngine engine) => engine == DatabaseEngine.PostgreSql ? 5432 : 3306;

    /// <summary>Same server and credentials, another database.</summary>
    public ConnectionTarget WithDatabase(string database) => this with { Database = database };

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{Engine} {UserName}@{Server}:{Port}/{Database}";
}
