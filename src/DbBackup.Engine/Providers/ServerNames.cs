namespace DbBackup.Engine.Providers;

/// <summary>When two server names given by users mean the same server. Host names are compared
/// case-insensitively without a trailing dot, and the loopback spellings (localhost, 127.0.0.1, ::1)
/// are one server: a backup taken with -Server 127.0.0.1 is found with -Server localhost. No DNS
/// lookup: a filter must not depend on the resolver of the machine that lists.</summary>
public static class ServerNames
{
    /// <summary>The form names are compared in.</summary>
    public static string Canonical(string server)
    {
        var s = server.Trim().TrimEnd('.').ToLowerInvariant();
        if (s.StartsWith('[') && s.EndsWith(']')) s = s[1..^1];
        return s is "localhost" or "127.0.0.1" or "::1" or "0:0:0:0:0:0:0:1" ? "localhost" : s;
    }

    /// <summary>True when both names denote the same server.</summary>
    public static bool Same(string? a, string? b) => a is not null && b is not null && Canonical(a) == Canonical(b);
}
