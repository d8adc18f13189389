using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests.Infrastructure;

/// <summary>Where a local repository keeps things on disk, for tests that damage, inspect or race
/// on the files themselves (the engine reaches them only through its store).</summary>
public static class LocalRepositoryPaths
{
    private static LocalFolderStore Local(BackupRepository repo)
        => repo.Store as LocalFolderStore ?? throw new InvalidOperationException($"The repository at {repo.Location} is not a local folder.");

    /// <summary>The repository's folder.</summary>
    public static string Root(this BackupRepository repo) => Local(repo).Root;

    /// <summary>The folder of backup <paramref name="id"/>.</summary>
    public static string BackupFolder(this BackupRepository repo, string id) => Local(repo).PathOf("backups/" + Ids.Validate(id));

    /// <summary>The folder of restore <paramref name="id"/>.</summary>
    public static string RestoreFolder(this BackupRepository repo, string id) => Local(repo).PathOf("restores/" + Ids.Validate(id));

    /// <summary>The folder of target locks.</summary>
    public static string LocksFolder(this BackupRepository repo) => Local(repo).PathOf("locks");
}
