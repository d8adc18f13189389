namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>One setting of a database: ALTER DATABASE … SET, or ALTER ROLE … IN DATABASE … SET.</summary>
public sealed class PostgreSqlTocDatabaseSetting
{
    /// <summary>The role it applies to, or null for every role.</summary>
    public string? Role { get; set; }
    /// <summary>The variable's name as the server stores it (lower case, custom ones with their prefix).</summary>
    public string Name { get; set; } = "";
    /// <summary>The value as the server stores it (a list variable's elements joined by ", ").</summary>
    public string Value { get; set; } = "";
}
