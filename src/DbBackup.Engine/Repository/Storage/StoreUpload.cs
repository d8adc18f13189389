namespace DbBackup.Engine.Repository.Storage;

/// <summary>A streaming write of one new object. Write the bytes, then <see cref="CommitAsync"/>;
/// until then nothing is visible under the key. Disposing without a commit abandons the upload
/// (deletes the temporary file, aborts the multipart upload, leaves uncommitted blocks to expire).</summary>
public abstract class StoreUpload : Stream
{
    /// <summary>Makes the object visible under its key, whole. Throws when the store did not accept
    /// every byte.</summary>
    public abstract Task CommitAsync(CancellationToken cancellationToken);

    /// <inheritdoc/>
    public override bool CanRead => false;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => true;
    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}
