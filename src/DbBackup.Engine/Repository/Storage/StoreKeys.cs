using DbBackup.Model;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>The rules every key obeys (see <see cref="IRepositoryStore"/>), checked by the drivers so
/// that no key can name something outside its repository.</summary>
public static class StoreKeys
{
    /// <summary>Returns <paramref name="key"/> when it is a relative path with forward slashes, no empty,
    /// "." or ".." segment and no control character; throws InvalidStoreKey otherwise.</summary>
    public static string Validate(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Contains('\\') || key.Any(char.IsControl)
            || key.Split('/').Any(s => s.Length == 0 || s == "." || s == ".."))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidStoreKey",
                $"'{key}' is not a repository key: use a relative path with forward slashes and no empty, '.' or '..' part.") { TargetObject = key };
        return key;
    }

    /// <summary>Checks a listing prefix: empty, or a key prefix (it may end with '/').</summary>
    public static string ValidatePrefix(string prefix)
    {
        if (prefix.Length == 0) return prefix;
        Validate(prefix.EndsWith('/') ? prefix[..^1] : prefix);
        return prefix;
    }
}
