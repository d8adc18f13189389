using System.Text;

namespace DbBackup.Engine.Policies;

/// <summary>Reads a password from PostgreSQL's password file as libpq does (passwordFromFile in
/// fe-connect.c): the file is PGPASSFILE, else ~/.pgpass (%APPDATA%\postgresql\pgpass.conf on
/// Windows); on Unix it is ignored unless it is a regular file without group or world permissions;
/// lines are host:port:database:user:password, '#' starts a comment line, a field of exactly '*'
/// matches anything, '\' escapes the next character (so '\:' and '\\'), and the first matching line
/// wins. An empty host or a socket path matches as 'localhost'. Its contents are never logged.</summary>
public static class PgPassFile
{
    /// <summary>The file libpq would read.</summary>
    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable("PGPASSFILE") is { Length: > 0 } p) return p;
        return OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "postgresql", "pgpass.conf")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pgpass");
    }

    /// <summary>The password for this connection, or null (no file, a file libpq would ignore, no match).</summary>
    public static string? Find(string host, int port, string database, string user, string? path = null)
    {
        path ??= DefaultPath();
        if (!File.Exists(path)) return null;
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & groupOrOther) != 0) return null; // libpq: "has group or world access; permissions should be u=rw (0600) or less"
        }
        if (string.IsNullOrEmpty(host) || host.StartsWith('/')) host = "localhost";
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = Split(line);
            if (fields.Count < 5) continue;
            if (Matches(fields[0], host) && Matches(fields[1], port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                && Matches(fields[2], database) && Matches(fields[3], user))
                return Unescape(fields[4]);
        }
        return null;
    }

    /// <summary>Splits at unescaped ':' keeping escapes (the password field is everything after the fourth).</summary>
    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                current.Append(c).Append(line[++i]);
                continue;
            }
            if (c == ':' && fields.Count < 4)
            {
                fields.Add(current.ToString());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }

    private static bool Matches(string field, string value) => field == "*" || Unescape(field) == value;

    private static string Unescape(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length) i++;
            sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
