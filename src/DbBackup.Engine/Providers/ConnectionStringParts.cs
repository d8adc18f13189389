using DbBackup.Model;

namespace DbBackup.Engine.Providers;

/// <summary>What a password-free connection string names; null where it is silent, so the caller can
/// fill the gaps from other parameters (-Engine, -Credential) or defaults.</summary>
public sealed record ConnectionStringParts(DatabaseEngine? Engine, string? Server, int? Port, string? UserName, string? Database);
