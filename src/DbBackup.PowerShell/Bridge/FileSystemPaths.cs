using System.Management.Automation;
using DbBackup.Engine;

namespace DbBackup.PowerShell.Bridge;

/// <summary>-Path (wildcards) and -LiteralPath resolved through the PowerShell provider to file system
/// paths, so relative paths follow $PWD and PSDrives work.</summary>
internal static class FileSystemPaths
{
    /// <summary>Existing items: wildcards expand (none matching is an error); literal paths must exist.</summary>
    public static IReadOnlyList<string> ResolveExisting(PSCmdlet cmdlet, string path, bool literal)
    {
        ProviderInfo provider;
        IReadOnlyList<string> paths;
        if (literal)
        {
            var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
                throw new DbBackupException(ErrorKind.NotFound, "PathNotFound", $"Cannot find '{resolved}': it does not exist.") { TargetObject = path };
            paths = [resolved];
        }
        else
        {
            try { paths = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider); }
            catch (ItemNotFoundException)
            {
                throw new DbBackupException(ErrorKind.NotFound, "PathNotFound", $"Cannot find '{path}': no file matches it.") { TargetObject = path };
            }
        }
        RequireFileSystem(provider, path);
        return paths;
    }

    /// <summary>A destination file: may not exist yet; a wildcard must match exactly one item.</summary>
    public static string ResolveDestination(PSCmdlet cmdlet, string path, bool literal)
    {
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
        {
            var matches = ResolveExisting(cmdlet, path, literal: false);
            if (matches.Count != 1)
                throw new DbBackupException(ErrorKind.InvalidArgument, "AmbiguousPath",
                    $"-Path '{path}' matches {matches.Count} items; it must name exactly one file or folder. Use -LiteralPath for a name with wildcard characters.") { TargetObject = path };
            return matches[0];
        }
        var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        RequireFileSystem(provider, path);
        return resolved;
    }

    private static void RequireFileSystem(ProviderInfo provider, string path)
    {
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            throw new DbBackupException(ErrorKind.InvalidArgument, "NotAFileSystemPath",
                $"'{path}' is on the {provider.Name} provider; backups are files, so give a file system path.") { TargetObject = path };
    }
}
