using System.Data.Common;
using DbBackup.Model;

namespace DbBackup.Engine.Providers;

/// <summary>Reads a connection string given on a command line: a URI
/// (<c>postgresql://user@host:5432/db</c>, <c>mysql://…</c>, <c>mariadb://…</c>) or the key=value form
/// (<c>Host=…;Port=…;Username=…;Database=…</c>). Refuses any that holds a password, because a command
/// line is logged and visible to other users; the password comes from -Credential instead. Error
/// messages never repeat the string, which may hold a secret.</summary>
public static class ConnectionStringParser
{
    private static readonly Dictionary<string, string> KeyAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "server", ["server"] = "server", ["data source"] = "server", ["datasource"] = "server", ["address"] = "server",
        ["port"] = "port",
        ["username"] = "user", ["user name"] = "user", ["user id"] = "user", ["userid"] = "user", ["user"] = "user", ["uid"] = "user",
        ["database"] = "database", ["db"] = "database", ["initial catalog"] = "database", ["dbname"] = "database",
        ["password"] = "password", ["pwd"] = "password", ["passfile"] = "password",
    };

    private const string AcceptedKeys = "Host (or Server), Port, Username (or User Id), Database";

    /// <summary>Parses <paramref name="connectionString"/>; throws <see cref="DbBackupException"/>
    /// (InvalidArgument) for a password, an unknown key or scheme, or a malformed value.</summary>
    public static ConnectionStringParts Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var text = connectionString.Trim();
        if (text.Length == 0) throw Invalid("EmptyConnectionString", "The connection string is empty. Give a URI such as postgresql://user@host:5432/db or Host=…;Port=…;Username=…;Database=….");
        return text.Contains("://", StringComparison.Ordinal) ? ParseUri(text) : ParseKeyValue(text);
    }

    private static ConnectionStringParts ParseUri(string text)
    {
        var scheme = text[..text.IndexOf("://", StringComparison.Ordinal)];
        DatabaseEngine engine = scheme.ToLowerInvariant() switch
        {
            "postgresql" or "postgres" => DatabaseEngine.PostgreSql,
            "mysql" or "mariadb" => DatabaseEngine.MySql,
            _ => throw Invalid("UnknownConnectionStringScheme",
                $"The connection string scheme '{Sanitize(scheme)}' is not supported. Use postgresql://, postgres://, mysql:// or mariadb://."),
        };
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw Invalid("InvalidConnectionString", $"The {scheme}:// connection string is not a valid URI. Expected {scheme}://user@host:port/database.");
        if (uri.UserInfo.Contains(':'))
            throw PasswordRefused();
        if (uri.Query.Length > 1)
        {
            foreach (var pair in uri.Query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var key = Uri.UnescapeDataString(pair.Split('=', 2)[0]);
                if (KeyAliases.TryGetValue(key, out var canonical) && canonical == "password") throw PasswordRefused();
            }
            // Options such as sslmode would silently change security if ignored, so they are refused.
            throw Invalid("UnsupportedConnectionStringOption",
                "Connection string options after '?' are not supported. Give only user@host:port/database.");
        }
        if (uri.Fragment.Length > 0)
            throw Invalid("InvalidConnectionString", "The connection string has a '#' fragment. Expected scheme://user@host:port/database.");

        string? user = uri.UserInfo.Length == 0 ? null : Uri.UnescapeDataString(uri.UserInfo);
        var path = uri.AbsolutePath.Trim('/');
        if (path.Contains('/'))
            throw Invalid("InvalidConnectionString", "The connection string path must be a single database name (scheme://user@host:port/database).");
        string? database = path.Length == 0 ? null : Uri.UnescapeDataString(path);
        int? port = uri.IsDefaultPort || uri.Port < 0 ? null : uri.Port;
        var host = uri.Host.StartsWith('[') ? uri.Host.Trim('[', ']') : uri.Host;
        return new ConnectionStringParts(engine, host, port, user, database);
    }

    private static ConnectionStringParts ParseKeyValue(string text)
    {
        var builder = new DbConnectionStringBuilder();
        try { builder.ConnectionString = text; }
        catch (ArgumentException)
        {
            // The framework's message can quote the input; ours does not.
            throw Invalid("InvalidConnectionString", $"The connection string is not in key=value form. Expected {AcceptedKeys} separated by ';', for example Host=db1;Port=5432;Username=app;Database=sales.");
        }

        string? server = null, user = null, database = null;
        int? port = null;
        foreach (string key in builder.Keys)
        {
            if (!KeyAliases.TryGetValue(key.Trim(), out var canonical))
                throw Invalid("UnknownConnectionStringKey", $"The connection string key '{Sanitize(key)}' is not supported. Accepted keys: {AcceptedKeys}.");
            var value = Convert.ToString(builder[key], System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "";
            switch (canonical)
            {
                case "password": throw PasswordRefused();
                case "server": server = value.Length == 0 ? null : value; break;
                case "user": user = value.Length == 0 ? null : value; break;
                case "database": database = value.Length == 0 ? null : value; break;
                case "port":
                    if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                        throw Invalid("InvalidPort", $"The connection string port '{Sanitize(value)}' is not a TCP port. Give a number from 1 to 65535.");
                    port = p;
                    break;
            }
        }
        return new ConnectionStringParts(null, server, port, user, database);
    }

    private static DbBackupException PasswordRefused() => Invalid("PasswordInConnectionString",
        "The connection string contains a password. Remove it and give the password with -Credential / --password-env NAME, " +
        "so it never appears on a command line or in a log.");

    private static DbBackupException Invalid(string id, string message) => new(ErrorKind.InvalidArgument, id, message);

    // Only non-secret parts (scheme, key names, port text) are echoed; still cap them so a pasted blob does not flood the message.
    private static string Sanitize(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
