using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Major-version arithmetic for the restore compatibility check. PostgreSQL majors are the
/// first number (10+); MySQL/MariaDB majors are the first two ("10.11", "8.0").</summary>
public static class ServerVersions
{
    /// <summary>A parsed server version.</summary>
    public sealed record Parsed(int Major, string MajorText, string? Flavor);

    /// <summary>Parses "15.18", "10.11.19-MariaDB-0+deb12u1", "8.0.36".</summary>
    public static Parsed Parse(DatabaseEngine engine, string? text)
    {
        text ??= "";
        var numeric = new string(text.TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        var parts = numeric.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(p => int.TryParse(p, out var n) ? n : 0).ToArray();
        var v = new Version(parts.ElementAtOrDefault(0), parts.ElementAtOrDefault(1), parts.ElementAtOrDefault(2));
        string? flavor = engine == DatabaseEngine.PostgreSql ? "PostgreSQL"
            : text.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) ? "MariaDB" : (text.Length > 0 ? "MySQL" : null);
        var major = Major(engine, v);
        var majorText = engine == DatabaseEngine.PostgreSql ? v.Major.ToString() : $"{v.Major}.{v.Minor}";
        return new Parsed(major, majorText, flavor);
    }

    /// <summary>A comparable major number: 15 for PostgreSQL 15.x; 1011 for MariaDB 10.11.</summary>
    public static int Major(DatabaseEngine engine, Version v)
        => engine == DatabaseEngine.PostgreSql ? v.Major : v.Major * 100 + Math.Max(0, v.Minor);
}
