namespace DbBackup.Engine.Artifacts;

/// <summary>Validation of payload-relative paths, so neither a provider bug nor a hostile bundle can
/// write or read outside a backup's folder.</summary>
public static class PayloadPaths
{
    /// <summary>Returns <paramref name="name"/> if it is a safe relative path with forward slashes
    /// (no rooted path, no "..", no empty or "." segment, no backslash, no control character).</summary>
    public static string Validate(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 400 || name.StartsWith('/') || name.Contains('\\') || name.Contains(':')
            || name.Any(char.IsControl)
            || name.Split('/').Any(seg => seg.Length == 0 || seg == "." || seg == ".."))
            throw new DbBackupException(ErrorKind.InvalidData, "UnsafePayloadPath",
                $"The payload path '{Sanitize(name)}' is not allowed: paths must be relative, use '/', and contain no '..', '.', empty or rooted segments.");
        return name;
    }

    /// <summary>Full path of a validated payload name under <paramref name="folder"/>, double-checked to stay inside it.</summary>
    public static string Resolve(string folder, string name)
    {
        Validate(name);
        var root = Path.GetFullPath(folder);
        var full = Path.GetFullPath(Path.Combine(root, name.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new DbBackupException(ErrorKind.InvalidData, "UnsafePayloadPath", $"The payload path '{Sanitize(name)}' escapes the backup folder.");
        return full;
    }

    private static string Sanitize(string s) => new(s.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
