using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>Contents of repository.json.</summary>
public sealed class RepositoryFile
{
    /// <summary>Repository layout version; a newer one than this build knows is refused.</summary>
    public int FormatVersion { get; set; } = BackupRepository.CurrentFormatVersion;
    /// <summary>Settings.</summary>
    public RepositorySettings Settings { get; set; } = new();
}
