using DbBackup.Model;

namespace DbBackup.Engine.Artifacts;

/// <summary>Writes a backup's payload into its folder: provider bytes → compression → SHA-256 →
/// file, streamed. A file's entry (stored name, size, sha256) exists only once its stream was
/// disposed after a complete write, so an interrupted file is never listed.</summary>
public sealed class PayloadWriter : IPayloadSink
{
    private readonly string _folder;
    private readonly CompressionKind _compression;
    private readonly List<BackupFile> _files = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Writes under <paramref name="folder"/> (created if missing).</summary>
    public PayloadWriter(string folder, CompressionKind compression)
    {
        _folder = Path.GetFullPath(folder);
        _compression = compression;
        Repository.SecureFiles.CreateFolder(_folder);
    }

    /// <summary>Suffix added to stored names (see <see cref="PayloadCodec"/>).</summary>
    public static string Suffix(CompressionKind compression) => PayloadCodec.Suffix(compression);

    /// <summary>Completed files, in completion order.</summary>
    public IReadOnlyList<BackupFile> Files
    {
        get { lock (_lock) return _files.ToList(); }
    }

    /// <summary>Uncompressed bytes written through all streams so far (for progress).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);
    private long _bytesWritten;

    /// <inheritdoc/>
    public Stream Create(string name)
    {
        var stored = PayloadPaths.Validate(name) + Suffix(_compression);
        lock (_lock)
        {
            if (!_names.Add(stored)) throw new InvalidOperationException($"Payload file '{name}' was already written.");
        }
        var full = PayloadPaths.Resolve(_folder, stored);
        Repository.SecureFiles.CreateFolder(Path.GetDirectoryName(full)!);
        var file = new FileStream(full, Repository.SecureFiles.NewFileOptions());
        var hashing = new HashingStream(file, leaveOpen: true);
        var top = PayloadCodec.Encoder(hashing, _compression);
        return new PayloadFileStream(top, hashing, file, n => Interlocked.Add(ref _bytesWritten, n), () =>
        {
            lock (_lock) _files.Add(new BackupFile { Name = stored, Size = hashing.BytesProcessed, Sha256 = hashing.Sha256Hex });
        });
    }

    /// <summary>Write-only stream returned by <see cref="Create"/>; completes the entry on dispose.</summary>
    private sealed class PayloadFileStream(Stream top, HashingStream hashing, FileStream file, Action<long> counted, Action completed) : Stream
    {
        private bool _failed;
        private bool _disposed;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => top.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => top.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try { top.Write(buffer); counted(buffer.Length); }
            catch { _failed = true; throw; }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try { await top.WriteAsync(buffer, cancellationToken).ConfigureAwait(false); counted(buffer.Length); }
            catch { _failed = true; throw; }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                try
                {
                    // Closing the compressor writes its trailer; only then is the file complete.
                    // fsync before listing it, so a power cut cannot leave a listed-but-short file.
                    if (!ReferenceEquals(top, hashing)) top.Dispose();
                    if (!_failed)
                    {
                        file.Flush(flushToDisk: true);
                        completed();
                    }
                }
                finally
                {
                    hashing.Dispose();
                    file.Dispose();
                }
            }
            base.Dispose(disposing);
        }
    }
}
