namespace DbBackup.Engine.Repository.Storage;

/// <summary>Which driver serves a <see cref="RepositoryAddress"/>.</summary>
public enum RepositoryStoreKind
{
    /// <summary>A folder on this machine (or a mounted share).</summary>
    Local,
    /// <summary>Amazon S3 or an S3-compatible store.</summary>
    S3,
    /// <summary>Azure Blob Storage (or Azurite).</summary>
    Azure,
}
