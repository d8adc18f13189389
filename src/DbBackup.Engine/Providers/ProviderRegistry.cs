using DbBackup.Engine.Providers.MySql;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;

namespace DbBackup.Engine.Providers;

/// <summary>The provider for each engine.</summary>
public static class ProviderRegistry
{
    /// <summary>A provider for <paramref name="engine"/>.</summary>
    public static IDatabaseProvider For(DatabaseEngine engine) => engine switch
    {
        DatabaseEngine.PostgreSql => new PostgreSqlProvider(),
        DatabaseEngine.MySql => new MySqlProvider(),
        _ => throw new DbBackupException(ErrorKind.NotSupported, "EngineNotAvailable", $"No provider for {engine} is built into this DbBackup."),
    };
}
