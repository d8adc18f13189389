using System.Security.Cryptography;

namespace DbBackup.Engine.Repository;

/// <summary>Operation ids: "bk-" (backup) or "rs-" (restore), the UTC time to the millisecond and 6
/// random hex digits — unique across processes and hosts, sortable by creation time.</summary>
public static class Ids
{
    /// <summary>A new backup id.</summary>
    public static string NewBackupId(DateTimeOffset now) => New("bk", now);

    /// <summary>A new restore id.</summary>
    public static string NewRestoreId(DateTimeOffset now) => New("rs", now);

    private static string New(string prefix, DateTimeOffset now)
        => $"{prefix}-{now.UtcDateTime:yyyyMMddHHmmssfff}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>True for a restore id.</summary>
    public static bool IsRestoreId(string id) => id.StartsWith("rs-", StringComparison.Ordinal);

    /// <summary>True for a backup id ("bk-…").</summary>
    public static bool IsBackupId(string id) => id.StartsWith("bk-", StringComparison.Ordinal);

    /// <summary>True when <paramref name="id"/> passes <see cref="Validate"/>.</summary>
    public static bool IsValid(string id)
        => !string.IsNullOrEmpty(id) && id.Length <= 100 && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Returns the id if it is safe as a folder name (letters, digits, '-', '_', '.'; not starting with '.').</summary>
    public static string Validate(string id)
    {
        if (!IsValid(id))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidId",
                $"'{new string((id ?? "").Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray())}' is not a backup or restore id. Ids look like bk-20261121050102123-a1b2c3 (see 'dbbackup list').")
            { TargetObject = id };
        return id;
    }
}
