namespace DbBackup.Engine.Repository.Storage;

/// <summary>A streaming write of one new object. Write the bytes, then <see cref="CommitAsync"/>;
/// until then nothing is visible under the key. Disposing without a commit abandons the upload
/// (deletes the temporary file, aborts the multipart upload, leaves uncommitted blocks to expire).</summary>
public abstract class StoreUpload : WriteOnlyStream
{
    /// <summary>Makes the object visible under its key, whole. Throws when the store did not accept
    /// every byte.</summary>
    public abstract Task CommitAsync(CancellationToken cancellationToken);
}
