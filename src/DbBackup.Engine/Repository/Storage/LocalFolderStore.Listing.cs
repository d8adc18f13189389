using System.Runtime.CompilerServices;

namespace DbBackup.Engine.Repository.Storage;

// Listings: the keys under a prefix (killed writers' temp files removed on the way) and the folder names
// under a prefix.
public sealed partial class LocalFolderStore
{
    /// <inheritdoc/>
    public async IAsyncEnumerable<StoreEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoreKeys.ValidatePrefix(prefix);
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? Root : Path.Combine(Root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(folder)) yield break;
        var entries = new List<StoreEntry>();
        using (var walk = new LocalWalk(folder))
        {
            while (walk.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (file, size, modified) = walk.Current;
                var key = Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                if (SecureFiles.IsTempFile(file))
                {
                    SecureFiles.RemoveIfDeadTempFile(file);
                    continue;
                }
                entries.Add(new StoreEntry(key, size, modified));
            }
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var e in entries)
        {
            yield return e;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoreKeys.ValidatePrefix(prefix);
        if (prefix.Length > 0 && !prefix.EndsWith('/')) yield break;
        var folder = prefix.Length == 0 ? Root : PathOf(prefix.TrimEnd('/'));
        List<string> names;
        RemoveAbandonedTrash(folder);
        try { names = Directory.EnumerateDirectories(folder).Select(d => Path.GetFileName(d)).ToList(); }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException) { yield break; }
        // A repository this user may not read is not an empty one.
        catch (UnauthorizedAccessException e) { throw Denied(e, prefix, StoreRight.List); }
        names.Sort(string.CompareOrdinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }
}
