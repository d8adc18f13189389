using System.Management.Automation;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.PowerShell.Bridge;

/// <summary>The target parameters every cmdlet shares (-Engine, -Server, -Port, -Database,
/// -Credential, -ConnectionString) as bound, turned into a <see cref="ConnectionTarget"/>.
/// Explicit parameters win over the connection string; gaps are filled from <c>fallback</c>
/// (for a restore: the backup's own server) and then from the engine defaults.</summary>
internal sealed class TargetSpec
{
    public DatabaseEngine? Engine { get; init; }
    public string? Server { get; init; }
    public int? Port { get; init; }
    public string? Database { get; init; }
    public PSCredential? Credential { get; init; }
    public string? ConnectionString { get; init; }

    /// <summary>Builds the target; throws <see cref="DbBackupException"/> for a bad or incomplete one. With a
    /// <paramref name="fallback"/> (the backup's own server) the gaps are filled by the engine's rule for a restore's
    /// target (<see cref="RestoreTarget.Resolve"/>), else by the engine defaults.</summary>
    public ConnectionTarget Build(ConnectionTarget? fallback = null, bool requireDatabase = true)
    {
        var given = Given();
        var target = fallback is not null ? given.Resolve(fallback) : WithDefaults(given);
        if (requireDatabase && target.Database.Length == 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "DatabaseRequired",
                "Name the database with -Database (or in the connection string's path or Database= key).");
        return WithPassword(target);
    }

    /// <summary>What the parameters name, explicit ones winning over the connection string's; null where neither
    /// says. Throws when the two contradict each other.</summary>
    public RestoreTarget Given()
    {
        ConnectionStringParts parts = ConnectionString is null
            ? new ConnectionStringParts(null, null, null, null, null)
            : ConnectionStringParser.Parse(ConnectionString);
        if (Engine is { } e && parts.Engine is { } pe && e != pe)
            throw new DbBackupException(ErrorKind.InvalidArgument, "EngineConflict",
                $"-Engine {e} contradicts the connection string, which names {pe}. Give one of them or make them agree.");

        if (NonEmpty(Credential?.UserName) is { } credentialUser && parts.UserName is { } connectionUser && credentialUser != connectionUser)
            throw new DbBackupException(ErrorKind.InvalidArgument, "UserConflict",
                $"-Credential names the user '{credentialUser}' but the connection string names '{connectionUser}'. Give the user in one place, or make them agree.");
        return new RestoreTarget(Engine ?? parts.Engine, Server ?? parts.Server, Port ?? parts.Port,
            NonEmpty(Credential?.UserName) ?? parts.UserName, Database ?? parts.Database);
    }

    /// <summary>The target with the -Credential's password, if any.</summary>
    public ConnectionTarget WithPassword(ConnectionTarget target)
        => target with { Password = Credential is null || ReferenceEquals(Credential, PSCredential.Empty) ? null : Credential.GetNetworkCredential().Password };

    /// <summary>A target with no backup behind it: the engine is required, the rest defaults to this host, the
    /// engine's port and the current user.</summary>
    private static ConnectionTarget WithDefaults(RestoreTarget given)
    {
        var engine = given.Engine
            ?? throw new DbBackupException(ErrorKind.InvalidArgument, "EngineRequired",
                "Say which engine the server runs: -Engine PostgreSql or -Engine MySql (or a postgresql://, mysql:// connection string).");
        return new ConnectionTarget(engine, given.Server ?? "localhost", given.Port ?? ConnectionTarget.DefaultPort(engine),
            given.UserName ?? Environment.UserName, given.Database ?? "");
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s.TrimStart('\\');
}
