namespace DbBackup.Engine.Repository.Storage;

/// <summary>A streaming write to a local folder: the bytes go to a temp file beside the target
/// ("&lt;name&gt;.&lt;pid&gt;.&lt;8 hex&gt;.tmp", owner-only), which the commit fsyncs and renames into
/// place. An upload disposed without a commit deletes its temp file; one left by a killed writer is
/// removed by the next listing once its process is gone.</summary>
internal sealed class LocalUpload : StoreUpload
{
    private readonly string _path;
    private readonly string _tmp;
    private readonly FileStream _file;
    private bool _committed;

    public LocalUpload(string path)
    {
        _path = path;
        _tmp = SecureFiles.TempNameFor(path);
        LocalFiles.EnsureParent(path);
        _file = new FileStream(_tmp, SecureFiles.NewFileOptions());
        SecureFiles.ShareLikeFolder(_file.SafeFileHandle, _tmp);
    }

    /// <inheritdoc/>
    public override async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_committed) return;
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        // fsync before the name appears: a power cut must not leave a listed-but-short file.
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync().ConfigureAwait(false);
        File.Move(_tmp, _path, overwrite: true);
        _committed = true;
    }

    /// <inheritdoc/>
    public override void Flush() => _file.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _file.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer) => _file.Write(buffer);

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _file.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _file.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_committed)
        {
            // Closing flushes what is buffered, which fails on a full disk: the temp file goes anyway.
            try { _file.Dispose(); }
            catch (IOException) { }
            finally { SecureFiles.TryDelete(_tmp); }
        }
        base.Dispose(disposing);
    }
}
