using System.Collections;
using System.Management.Automation;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.PowerShell.Completion;

/// <summary>The target parameters typed so far on the command line, as far as completion can see them
/// (PowerShell evaluates only constants and variables into fakeBoundParameters; nothing is
/// transformed, so -Credential may still be a plain user name).</summary>
internal sealed record CompletionTarget(DatabaseEngine? Engine, string? Server, int? Port, PSCredential? Credential, string? UserName)
{
    public static CompletionTarget From(IDictionary fake)
    {
        DatabaseEngine? engine = Text(fake, "Engine") is { } e && Enum.TryParse<DatabaseEngine>(e, ignoreCase: true, out var parsed) ? parsed : null;
        int? port = Text(fake, "Port") is { } p && int.TryParse(p, out var n) ? n : null;
        var credential = Unwrap(fake["Credential"]) as PSCredential;
        var user = credential?.UserName ?? (Unwrap(fake["Credential"]) as string);
        return new CompletionTarget(engine, Text(fake, "Server"), port, credential, user);
    }

    /// <summary>The server to ask for its databases, or null when the engine is not typed yet.</summary>
    public ConnectionTarget? ServerToAsk()
    {
        if (Engine is not { } engine) return null;
        var password = Credential is null ? null : Credential.GetNetworkCredential().Password;
        return new ConnectionTarget(engine, Server ?? "localhost", Port ?? ConnectionTarget.DefaultPort(engine),
            string.IsNullOrEmpty(UserName) ? Environment.UserName : UserName.TrimStart('\\'), "") { Password = password };
    }

    /// <summary>True when a record of <paramref name="engine"/> on <paramref name="server"/>:<paramref name="port"/> fits what was typed.</summary>
    public bool Matches(DatabaseEngine engine, string server, int port)
        => (Engine is null || Engine == engine) && (Server is null || ServerNames.Same(server, Server)) && (Port is null || Port == port);

    private static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;

    private static string? Text(IDictionary fake, string name) => Unwrap(fake[name])?.ToString() is { Length: > 0 } s ? s : null;
}
