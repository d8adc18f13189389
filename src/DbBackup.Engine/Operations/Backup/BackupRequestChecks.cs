using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The input checks a backup request makes (and restore and policies reuse) before anything
/// connects or is written.</summary>
internal static class BackupRequestChecks
{
    /// <summary>Labels and callback URL as a backup (or a policy, for its backups) accepts them.</summary>
    public static void ValidateLabelsAndCallback(IReadOnlyDictionary<string, string> labels, string? callbackUrl)
    {
        foreach (var (k, v) in labels)
            if (string.IsNullOrWhiteSpace(k) || k.Length > 100 || k.Any(c => char.IsControl(c) || c == '=') || v.Length > 1000 || v.Any(char.IsControl))
                throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidLabel", $"Label '{k}={v}' is not allowed: keys are 1–100 printable characters without '=', values up to 1000 printable characters.") { TargetObject = k };
        if (callbackUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidCallbackUrl", $"Callback URL '{url}' is not an absolute http:// or https:// URL.") { TargetObject = url };
    }

    public static void ValidateTarget(ConnectionTarget t)
    {
        if (!Enum.IsDefined(t.Engine))
            throw new DbBackupException(ErrorKind.InvalidArgument, "UnknownEngine", $"Unknown engine '{t.Engine}'. Use PostgreSql or MySql.") { TargetObject = t.Engine };
        if (string.IsNullOrWhiteSpace(t.Server) || t.Server.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidServer", $"Server '{t.Server}' is not a host name or address.") { TargetObject = t.Server };
        if (t.Port is < 1 or > 65535)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPort", $"Port {t.Port} is out of range; use 1–65535.") { TargetObject = t.Port };
        if (string.IsNullOrWhiteSpace(t.UserName))
            throw new DbBackupException(ErrorKind.InvalidArgument, "MissingUser", "A user name is required (--user / -Credential).");
        if (string.IsNullOrEmpty(t.Database) || t.Database.Length > 63 || t.Database.Any(char.IsControl))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidDatabase", $"Database name '{t.Database}' is not allowed: 1–63 printable characters.") { TargetObject = t.Database };
        // PostgreSQL counts its 63 in bytes and silently truncates a longer name.
        if (t.Engine == DatabaseEngine.PostgreSql && System.Text.Encoding.UTF8.GetByteCount(t.Database) > 63)
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidDatabase", $"Database name '{t.Database}' is {System.Text.Encoding.UTF8.GetByteCount(t.Database)} bytes in UTF-8; PostgreSQL allows at most 63 bytes.") { TargetObject = t.Database };
    }
}
