using System.Text;

namespace DbBackup.Engine.Policies;

/// <summary>Reads the client password from MySQL/MariaDB option files as the client tools do
/// (my_default.cc): the files /etc/my.cnf, /etc/mysql/my.cnf, $MYSQL_HOME/my.cnf and ~/.my.cnf in that
/// order, the last value winning; groups [client], [client-server] and [client-mariadb]; '#' and ';'
/// start comment lines and '#' outside quotes ends a value; one pair of matching quotes around a value
/// is removed; the escapes \n \t \r \b \s \" \' \\ are read, any other '\' is kept; '-' and '_' in
/// option names are the same; !include and !includedir are followed; a world-writable file is ignored.
/// Its contents are never logged.</summary>
public static class MySqlOptionFile
{
    private static readonly string[] Groups = ["client", "client-server", "client-mariadb"];

    /// <summary>The files the client tools read, in order.</summary>
    public static IEnumerable<string> DefaultPaths()
    {
        if (OperatingSystem.IsWindows())
        {
            var windows = Environment.GetFolderPath(Environment.SpecialFolder.Windows);
            yield return Path.Combine(windows, "my.ini");
            yield return Path.Combine(windows, "my.cnf");
            yield return @"C:\my.ini";
            yield return @"C:\my.cnf";
        }
        else
        {
            yield return "/etc/my.cnf";
            yield return "/etc/mysql/my.cnf";
        }
        if (Environment.GetEnvironmentVariable("MYSQL_HOME") is { Length: > 0 } home) yield return Path.Combine(home, "my.cnf");
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".my.cnf");
    }

    /// <summary>The client password, or null when no file sets one.</summary>
    public static string? FindPassword(IEnumerable<string>? paths = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in paths ?? DefaultPaths()) Read(p, options, depth: 0);
        return options.GetValueOrDefault("password");
    }

    private static void Read(string path, Dictionary<string, string> options, int depth)
    {
        if (depth > 10 || !File.Exists(path)) return;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.OtherWrite) != 0) return; // "World-writable config file is ignored"
        var inGroup = false;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line.StartsWith("!includedir", StringComparison.Ordinal))
            {
                var dir = line["!includedir".Length..].Trim();
                if (Directory.Exists(dir))
                    foreach (var f in Directory.GetFiles(dir).Where(f => f.EndsWith(".cnf", StringComparison.Ordinal) || (OperatingSystem.IsWindows() && f.EndsWith(".ini", StringComparison.OrdinalIgnoreCase))).Order(StringComparer.Ordinal))
                        Read(f, options, depth + 1);
                continue;
            }
            if (line.StartsWith("!include", StringComparison.Ordinal))
            {
                Read(line["!include".Length..].Trim(), options, depth + 1);
                continue;
            }
            if (line[0] == '[')
            {
                var end = line.IndexOf(']');
                inGroup = end > 0 && Groups.Contains(line[1..end].Trim(), StringComparer.OrdinalIgnoreCase);
                continue;
            }
            if (!inGroup) continue;
            line = RemoveEndComment(line);
            var eq = line.IndexOf('=');
            if (eq < 0) continue; // "password" alone means "prompt": no value here
            var name = line[..eq].Trim().Replace('_', '-');
            options[name] = Value(line[(eq + 1)..].Trim());
        }
    }

    private static string RemoveEndComment(string s)
    {
        char quote = '\0';
        var escape = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if ((c == '\'' || c == '"') && !escape)
            {
                if (quote == '\0') quote = c;
                else if (quote == c) quote = '\0';
            }
            if (quote == '\0' && c == '#') return s[..i].TrimEnd();
            escape = quote != '\0' && c == '\\' && !escape;
        }
        return s;
    }

    private static string Value(string v)
    {
        if (v.Length >= 2 && (v[0] == '\'' || v[0] == '"') && v[^1] == v[0]) v = v[1..^1];
        var sb = new StringBuilder(v.Length);
        for (var i = 0; i < v.Length; i++)
        {
            if (v[i] == '\\' && i != v.Length - 1)
            {
                var n = v[++i];
                sb.Append(n switch { 'n' => "\n", 't' => "\t", 'r' => "\r", 'b' => "\b", 's' => " ", '"' => "\"", '\'' => "'", '\\' => "\\", _ => "\\" + n });
            }
            else sb.Append(v[i]);
        }
        return sb.ToString();
    }
}
