using System.Management.Automation;
using DbBackup.Engine;
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

    /// <summary>Builds the target; throws <see cref="DbBackupException"/> for a bad or incomplete one.</summary>
    public ConnectionTarget Build(ConnectionTarget? fallback = null, bool requireDatabase = true)
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
        var engine = Engine ?? parts.Engine ?? fallback?.Engine
            ?? throw new DbBackupException(ErrorKind.InvalidArgument, "EngineRequired",
                "Say which engine the server runs: -Engine PostgreSql or -Engine MySql (or a postgresql://, mysql:// connection string).");
        var sameServerAsFallback = fallback is not null && engine == fallback.Engine && Server is null && parts.Server is null;
        var server = Server ?? parts.Server ?? fallback?.Server ?? "localhost";
        var port = Port ?? parts.Port ?? (sameServerAsFallback ? fallback!.Port : ConnectionTarget.DefaultPort(engine));
        var user = NonEmpty(Credential?.UserName) ?? parts.UserName ?? fallback?.UserName ?? Environment.UserName;
        var database = Database ?? parts.Database ?? fallback?.Database ?? "";
        if (requireDatabase && database.Length == 0)
            throw new DbBackupException(ErrorKind.InvalidArgument, "DatabaseRequired",
                "Name the database with -Database (or in the connection string's path or Database= key).");
        var password = Credential is null || ReferenceEquals(Credential, PSCredential.Empty) ? null : Credential.GetNetworkCredential().Password;
        return new ConnectionTarget(engine, server, port, user, database) { Password = password };
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s.TrimStart('\\');
}
