using System.IO.Enumeration;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>Every file under a folder with its size and time, in one pass: each folder is opened
/// once and each file stat'ed once (a listing of 10,000 backups walks 30,000 folders). Folders that
/// vanish or cannot be read meanwhile (a backup removed while listing) are skipped, not fatal.</summary>
internal sealed class LocalWalk : FileSystemEnumerator<(string Path, long Size, DateTime Modified)>
{
    public LocalWalk(string folder)
        : base(folder, new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false })
    {
    }

    /// <inheritdoc/>
    protected override bool ShouldIncludeEntry(ref FileSystemEntry entry) => !entry.IsDirectory;

    /// <inheritdoc/>
    protected override (string Path, long Size, DateTime Modified) TransformEntry(ref FileSystemEntry entry)
        => (entry.ToFullPath(), entry.Length, entry.LastWriteTimeUtc.UtcDateTime);

    /// <inheritdoc/>
    protected override bool ContinueOnError(int error) => true;
}
